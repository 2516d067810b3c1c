import { describe, expect, test } from 'vitest';
import { priceBreakdown, priceUsage } from '../../src/cost/price.js';
import { CostLedger } from '../../src/cost/ledger.js';

const usage = { inputTokens: 1_000_000, outputTokens: 200_000, cacheReadTokens: 500_000, cacheWriteTokens: 100_000 };

describe('pricing', () => {
  test('cache reads and writes have their own prices', () => {
    const breakdown = priceBreakdown(usage, { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
    expect(breakdown).toEqual({ inputUsd: 3, outputUsd: 3, cacheReadUsd: 0.15, cacheWriteUsd: 0.375, totalUsd: 6.525 });
  });

  test('a missing cache price falls back to the input price; free models cost nothing', () => {
    expect(priceUsage(usage, { input: 2, output: 10 })).toBeCloseTo(2 + 2 + 1 + 0.2, 10);
    expect(priceUsage(usage, { input: 0, output: 0 })).toBe(0);
  });
});

describe('ledger', () => {
  const base = { runId: 'r1', agent: 'researcher', provider: 'anthropic', model: 'anthropic/claude-opus-4-7' };

  test('totals, filters and group-by', () => {
    const ledger = new CostLedger();
    ledger.add({ ...base, stepId: 'research', usage, pricing: { input: 3, output: 15 } });
    ledger.add({ ...base, stepId: 'review', provider: 'ollama', model: 'ollama/llama3.2', usage, costUsd: 0 });
    ledger.add({ ...base, stepId: 'research', usage: { ...usage, outputTokens: 0 }, costUsd: 1.25 });
    expect(ledger.total()).toMatchObject({ calls: 3, usage: { inputTokens: 3_000_000, outputTokens: 400_000 } });
    expect(ledger.total().costUsd).toBeCloseTo(3 + 3 + 1.5 + 0.3 + 1.25, 10);
    expect(ledger.total({ stepId: 'review' }).calls).toBe(1);
    const byModel = ledger.groupBy('model');
    expect([...byModel.keys()]).toEqual(['anthropic/claude-opus-4-7', 'ollama/llama3.2']);
    expect(byModel.get('anthropic/claude-opus-4-7')?.calls).toBe(2);
    expect(ledger.groupBy('provider').get('ollama')?.costUsd).toBe(0);
  });

  test('round-trips through JSON and rejects anything else', () => {
    const ledger = new CostLedger();
    ledger.add({ ...base, stepId: 's', usage, costUsd: 0.5, time: '2026-01-01T00:00:00.000Z' });
    const text = JSON.stringify(ledger);
    const loaded = CostLedger.fromJSON(text);
    expect(loaded.entries).toEqual(ledger.entries);
    expect(CostLedger.fromJSON(JSON.parse(text)).total().costUsd).toBe(0.5);
    expect(() => CostLedger.fromJSON({ version: 2, entries: [] })).toThrow(/version 1/);
  });
});
