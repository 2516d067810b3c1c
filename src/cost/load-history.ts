// Loads what `estimate` calibrates on for one pipeline: recent ledger-index lines of its agents and
// the committed stats file. Both are optional; no history means the prior alone.

import type { CompiledPipeline } from '../compile/ir.js';
import type { EstimateHistory } from './estimate.js';
import { readRecent } from './ledger-index.js';
import { readStatsFile } from './stats.js';

export async function loadHistory(pipeline: CompiledPipeline): Promise<EstimateHistory | undefined> {
  const agents = new Set(pipeline.steps.map((step) => step.agent.name));
  const [lines, stats] = await Promise.all([readRecent(pipeline.root, agents), readStatsFile(pipeline.root)]);
  return { lines, ...(stats ? { stats } : {}) };
}
