// Prices one call's usage. Prices are USD per 1M tokens (providers.yaml). Cache reads and writes are
// priced on their own; a model without a cache price pays its input price for them.

import type { Pricing } from '../compile/ir.js';
import type { Usage } from '../providers/types.js';

export interface CostBreakdown {
  inputUsd: number;
  outputUsd: number;
  cacheReadUsd: number;
  cacheWriteUsd: number;
  totalUsd: number;
}

const perToken = (pricePerMillion: number) => pricePerMillion / 1_000_000;

export function priceBreakdown(usage: Usage, pricing: Pricing): CostBreakdown {
  const inputUsd = usage.inputTokens * perToken(pricing.input);
  const outputUsd = usage.outputTokens * perToken(pricing.output);
  const cacheReadUsd = usage.cacheReadTokens * perToken(pricing.cacheRead ?? pricing.input);
  const cacheWriteUsd = usage.cacheWriteTokens * perToken(pricing.cacheWrite ?? pricing.input);
  return { inputUsd, outputUsd, cacheReadUsd, cacheWriteUsd, totalUsd: inputUsd + outputUsd + cacheReadUsd + cacheWriteUsd };
}

/** USD cost of one call. */
export function priceUsage(usage: Usage, pricing: Pricing): number {
  return priceBreakdown(usage, pricing).totalUsd;
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}
