// The arithmetic of `estimate`, pure and separately tested. One agent loop over `items` fan-out
// items; every call re-sends the prompt plus all prior turns (assistant output + tool results).

import type { ModelSpec } from '../compile/ir.js';
import type { Usage } from '../providers/types.js';
import { priceUsage } from './price.js';

export type Tier = 'low' | 'expected' | 'worst';
export const tiers: readonly Tier[] = ['low', 'expected', 'worst'];
export type Tiers<T = number> = Record<Tier, T>;

/** Output tokens of a typical answer (the expected tier without history), capped by max_tokens. */
export const typicalOutputTokens = 400;
/** The shortest answer a model can give: the floor's output per call. */
export const floorOutputTokens = 1;
/** Expected model calls of an agent with tools (call, tool, call, tool, answer). */
export const expectedToolIterations = 3;
/** Tokens one round of tool results adds, expected and worst. */
export const toolResultTokens = { expected: 400, worst: 2000 } as const;
/** OpenAI caches a prompt prefix automatically from this length on. */
export const openaiMinCachedPrefix = 1024;

/** One loop's shape, in tokens per call (already tier-specific). */
export interface LoopShape {
  /** Leading cacheable system parts (tools are counted in `input`). */
  cachedPrefix: number;
  /** Everything else sent on the first call: the rest of the system prompt, tools, user, search, upstream data. */
  input: number;
  /** Output tokens per call. */
  output: number;
  /** Tool-result tokens added per call after the first. */
  toolResult: number;
  /** Model calls per item. */
  calls: number;
  items: number;
}

/**
 * How the cached prefix is billed. `read`: the first call writes the cache, every later call (any
 * item) reads it. `miss`: every call writes it again (the worst case: the cache expired or was
 * evicted). `none`: the provider does not cache, the prefix is plain input. `floor`: every call
 * reads it (another run wrote it moments ago): the cheapest case, for the low tier.
 */
export type CacheMode = 'read' | 'miss' | 'none' | 'floor';

/** Whether a provider caches this prefix: Anthropic explicitly, OpenAI automatically from 1024 tokens. */
export function providerCaches(model: ModelSpec, prefixTokens: number): boolean {
  if (prefixTokens <= 0) return false;
  if (model.provider.type === 'anthropic') return true;
  if (model.provider.type === 'openai') return prefixTokens >= openaiMinCachedPrefix;
  return false;
}

/**
 * Usage of the loop. Call i (0-based) of an item sends cachedPrefix + input + i × (output +
 * toolResult), the growing part capped so that one call never exceeds the context window.
 */
export function loopUsage(shape: LoopShape, cache: CacheMode, contextWindow?: number): Usage {
  const usage: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  const room = contextWindow !== undefined ? Math.max(0, contextWindow - shape.cachedPrefix) : Infinity;
  let callNumber = 0;
  for (let item = 0; item < shape.items; item++) {
    for (let call = 0; call < shape.calls; call++, callNumber++) {
      usage.inputTokens += Math.min(room, shape.input + call * (shape.output + shape.toolResult));
      usage.outputTokens += shape.output;
      if (cache === 'none') usage.inputTokens += shape.cachedPrefix;
      else if (cache === 'floor' || (cache === 'read' && callNumber > 0)) usage.cacheReadTokens += shape.cachedPrefix;
      else usage.cacheWriteTokens += shape.cachedPrefix;
    }
  }
  return usage;
}

/** For the floor: any provider with a cache price may serve a repeated prompt from its cache. */
function mayCache(model: ModelSpec, prefixTokens: number): boolean {
  return prefixTokens > 0 && (model.provider.type === 'anthropic' || model.pricing.cacheRead !== undefined);
}

export function loopCost(shape: LoopShape, model: ModelSpec, cache: CacheMode): { usage: Usage; costUsd: number } {
  const caches = cache === 'floor' ? mayCache(model, shape.cachedPrefix) : providerCaches(model, shape.cachedPrefix);
  const effective = cache !== 'none' && !caches ? 'none' : cache;
  const usage = loopUsage(shape, effective, model.contextWindow);
  // The floor never pays more for a cached token than for a plain one.
  const pricing = cache === 'floor' ? { ...model.pricing, cacheRead: Math.min(model.pricing.cacheRead ?? model.pricing.input, model.pricing.input) } : model.pricing;
  return { usage, costUsd: priceUsage(usage, pricing) };
}

/** Per-call output tokens of each tier for an agent's max_tokens: one token, a typical answer, max_tokens. */
export function outputTokens(maxTokens: number): Tiers {
  return { low: Math.min(maxTokens, floorOutputTokens), expected: Math.min(maxTokens, typicalOutputTokens), worst: maxTokens };
}

/**
 * Model calls per item. Low is always one call (a model may answer at once, and a first answer
 * may match the output schema). Without tools the loop ends at the first answer. With tools,
 * expected is 3 (capped by max_iterations) and worst is max_iterations. An output schema adds one
 * repair call to the worst case.
 */
export function callCounts(hasTools: boolean, maxIterations: number, hasOutputSchema: boolean): Tiers {
  const repair = hasOutputSchema ? 1 : 0;
  if (!hasTools) return { low: 1, expected: 1, worst: 1 + repair };
  return { low: 1, expected: Math.min(expectedToolIterations, maxIterations), worst: maxIterations + repair };
}
