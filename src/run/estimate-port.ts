// The cost estimate shown by `run --dry-run` and the no-key message. The estimate itself belongs to
// compile/cost (issue 3); until it lands this reports the pricing the run would use.

import type { PreparedRun } from './prepare.js';

export interface EstimateView {
  text: string;
  data: unknown;
}

export async function estimateText(prepared: PreparedRun): Promise<EstimateView> {
  const models = new Map<string, { input: number; output: number }>();
  for (const step of prepared.pipeline.steps) for (const model of step.agent.chain.models) models.set(model.ref.id, { input: model.pricing.input, output: model.pricing.output });
  const lines = [...models].map(([id, price]) => `  ${id}: $${price.input} in / $${price.output} out per 1M tokens`);
  return { text: `prices (estimate not available in this build):\n${lines.join('\n')}`, data: { prices: Object.fromEntries(models) } };
}
