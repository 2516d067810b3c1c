// The cost estimate shown by `run --dry-run` and after the no-key paragraph: the same report as
// `agentpipe estimate`, computed from the run's inputs (placeholders for missing ones).

import { estimatePipeline } from '../cost/estimate.js';
import { formatEstimate } from '../cost/estimate-format.js';
import type { PreparedRun } from './prepare.js';

export interface EstimateView {
  text: string;
  data: unknown;
}

export async function estimateText(prepared: PreparedRun): Promise<EstimateView> {
  try {
    const { loadHistory } = await import('../cost/load-history.js');
    const history = await loadHistory(prepared.pipeline);
    const report = await estimatePipeline(prepared.pipeline, { inputs: prepared.inputs, ...(history ? { history } : {}) });
    return { text: formatEstimate(report, 'text').trimEnd(), data: report };
  } catch (error) {
    // The plan is still worth showing when a prompt cannot be rendered for the estimate.
    const message = error instanceof Error ? error.message : String(error);
    return { text: `estimate unavailable: ${message}`, data: { error: message } };
  }
}
