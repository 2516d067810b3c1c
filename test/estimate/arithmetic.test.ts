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
    expect(outputTokens(1000)).toEqual({ low: 400, expected: 600, worst: 1000 });
    expect(outputTokens(500)).toEqual({ low: 400, expected: 400, worst: 500 });
    expect(callCounts(true, 20, true)).toEqual({ low: 1, expected: 3, worst: 21 });
    expect(callCounts(false, 20, false)).toEqual({ low: 1, expected: 1, worst: 1 });
  });

  it('sums a template with fan-out, a fallback chain and a cached prefix', async () => {
    const config = await loadFixtureProject(`${fixturesDir}arith`);
    const report = await estimatePipeline(compile(config, { kind: 'template', name: 'fan' }));
    const claude = (text: string) => Math.ceil(countTokens(text) * 1.1);
    // Step each: 2 items (the sample array), 1 call each, 200 output tokens in every tier.
    const system = claude('You are terse.');
    const user = claude('alpha');
    const eachRead = (2 * user * 3 + 400 * 15 + system * 0.3 + system * 3.75) / million;
    const eachMiss = (2 * user * 3 + 400 * 15 + 2 * system * 3.75) / million;
    const each = report.steps[0]!;
    expect(each.items).toBe(2);
    expect(each.costUsd.low).toBeCloseTo(eachRead, 12);
    expect(each.costUsd.expected).toBeCloseTo(eachRead, 12);
    expect(each.costUsd.worst).toBeCloseTo(eachMiss, 12);
    // Step sum: reads both items' output (2 x 200 tokens); gpt-4o, then gpt-4o-mini in the worst case.
    const input = countTokens('You summarise text in one paragraph.') + countTokens('Summarise: <steps.each.output>') + 400;
    const sum = report.steps[1]!;
    expect(sum.inputTokens.low).toBe(input);
    expect(sum.costUsd.low).toBeCloseTo((input * 2 + 400 * 10) / million, 12);
    expect(sum.costUsd.expected).toBeCloseTo((input * 2 + 600 * 10) / million, 12);
    expect(sum.costUsd.worst).toBeCloseTo((input * 2 + 1000 * 10 + input * 0.5 + 1000 * 1) / million, 12);
    expect(sum.worstByModel.map((entry) => entry.model)).toEqual(['openai/gpt-4o', 'openai/gpt-4o-mini']);
    expect(report.totalUsd.worst).toBeCloseTo(eachMiss + sum.costUsd.worst, 12);
    // --fanout overrides the sample's length.
    const fanned = await estimatePipeline(compile(config, { kind: 'template', name: 'fan' }), { fanout: 5 });
    expect(fanned.steps[0]!.items).toBe(5);
    expect(fanned.steps[1]!.inputTokens.low).toBe(input + 3 * 200);
  });
});
