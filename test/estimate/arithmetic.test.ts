// The estimate's arithmetic against figures computed by hand (prices in the fixture are per 1M).
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import type { ModelSpec } from '../../src/compile/ir.js';
import { estimatePipeline } from '../../src/cost/estimate.js';
import { callCounts, loopCost, loopUsage, outputTokens } from '../../src/cost/estimate-math.js';
import { fixturesDir, loadFixtureProject } from '../compile/project.js';

const million = 1_000_000;
const model = (type: 'anthropic' | 'openai' | 'ollama', pricing: ModelSpec['pricing'], contextWindow?: number): ModelSpec => ({
  ref: { provider: type, model: 'm', id: `${type}/m` },
  provider: { name: type, type },
  pricing,
  ...(contextWindow !== undefined ? { contextWindow } : {}),
});
const anthropic = model('anthropic', { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
const shape = { cachedPrefix: 1000, input: 200, output: 100, toolResult: 50, calls: 3, items: 2 };

describe('estimate arithmetic', () => {
  it('re-sends prior turns and reads the cached prefix after the first call', () => {
    // Per item: 200 + 350 + 500 = 1050 input; 6 calls: 1 cache write, 5 cache reads of 1000.
    expect(loopUsage(shape, 'read')).toEqual({ inputTokens: 2100, outputTokens: 600, cacheReadTokens: 5000, cacheWriteTokens: 1000 });
    expect(loopCost(shape, anthropic, 'read').costUsd).toBeCloseTo((2100 * 3 + 600 * 15 + 5000 * 0.3 + 1000 * 3.75) / million, 12);
    // Worst case: the cache never hits, every call writes the prefix again.
    expect(loopCost(shape, anthropic, 'miss').costUsd).toBeCloseTo((2100 * 3 + 600 * 15 + 6000 * 3.75) / million, 12);
  });

  it('prices a short prefix as plain input on OpenAI and on providers without caching', () => {
    const openai = model('openai', { input: 2.5, output: 10, cacheRead: 1.25 });
    expect(loopCost(shape, openai, 'read').costUsd).toBeCloseTo(((2100 + 6000) * 2.5 + 600 * 10) / million, 12);
    const longPrefix = { ...shape, cachedPrefix: 2000 };
    expect(loopCost(longPrefix, openai, 'read').usage).toMatchObject({ cacheReadTokens: 10000, cacheWriteTokens: 2000 });
    expect(loopCost(shape, model('ollama', { input: 1, output: 1, cacheRead: 0.1 }), 'read').usage.cacheReadTokens).toBe(0);
  });

  it('caps one call at the context window', () => {
    // room = 1400 - 1000 = 400: calls send 200, 350, 400.
    expect(loopUsage(shape, 'read', 1400).inputTokens).toBe(2 * 950);
  });

  it('derives output sizes and call counts per tier', () => {
    // The floor answers in one token; expected is a typical 400-token answer; worst is max_tokens.
    expect(outputTokens(1000)).toEqual({ low: 1, expected: 400, worst: 1000 });
    expect(outputTokens(300)).toEqual({ low: 1, expected: 300, worst: 300 });
    expect(callCounts(true, 20, true)).toEqual({ low: 1, expected: 3, worst: 21 });
    expect(callCounts(false, 20, false)).toEqual({ low: 1, expected: 1, worst: 1 });
  });

  it('sums a template with fan-out, a fallback chain and a cached prefix, each tier keeping its promise', async () => {
    const config = await loadFixtureProject(`${fixturesDir}arith`);
    const report = await estimatePipeline(compile(config, { kind: 'template', name: 'fan' }));
    const system = countTokens('You are terse.');
    const user = countTokens('alpha');
    const each = report.steps[0]!;
    // 2 items from the sample array (expected and worst); the floor assumes one, since the sample is not a given input.
    expect(each.items).toBe(2);
    expect(each.source).toBe('prior');
    // low: the o200k count x 0.6 (rounded down), a one-token answer, the cached layer read at $0.30.
    const lowPrefix = Math.floor(system * 0.6);
    expect(each.costUsd.low).toBeCloseTo((Math.floor(user * 0.6) * 3 + 1 * 15 + lowPrefix * 0.3) / million, 12);
    // expected: x 1.1, a 200-token answer (max_tokens), the first item writes the cache, the second reads it.
    const prefix = Math.ceil(system * 1.1);
    expect(each.costUsd.expected).toBeCloseTo((2 * Math.ceil(user * 1.1) * 3 + 2 * 200 * 15 + prefix * 3.75 + prefix * 0.3) / million, 12);
    // worst: x 1.5 plus 64 tokens of framing per call, max_tokens out, the cache written on every call.
    const worstPrefix = Math.ceil(system * 1.5);
    expect(each.costUsd.worst).toBeCloseTo(2 * ((Math.ceil(user * 1.5) + 64) * 3 + 200 * 15 + worstPrefix * 3.75) / million, 12);
    // sum: the floor is the cheaper model of the chain; the ceiling pays both.
    const sum = report.steps[1]!;
    expect(sum.worstByModel.map((entry) => entry.model)).toEqual(['openai/gpt-4o', 'openai/gpt-4o-mini']);
    expect(sum.costUsd.low).toBeLessThan(sum.costUsd.expected);
    expect(sum.costUsd.expected).toBeLessThan(sum.costUsd.worst);
    expect(report.totalUsd.worst).toBeCloseTo(each.costUsd.worst + sum.costUsd.worst, 12);
    // --fanout overrides the sample's length, and makes the floor count every item.
    const fanned = await estimatePipeline(compile(config, { kind: 'template', name: 'fan' }), { fanout: 5 });
    expect(fanned.steps[0]!.items).toBe(5);
    expect(fanned.steps[0]!.costUsd.low).toBeGreaterThan(4 * each.costUsd.low);
    expect(fanned.steps[1]!.inputTokens.expected).toBeGreaterThan(sum.inputTokens.expected);
  });
});
