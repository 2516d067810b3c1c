// What `estimate` learns from past runs: per agent and model, the calls per item, the tokens per
// call and per item, the fan-out, and the ratio of the provider's reported input to agentpipe's own
// count. Sources, in order: the ledger index (.agentpipe/ledger-index.jsonl, this machine's runs),
// then the committed stats file (.agentpipe-stats.json, see stats.ts), which only has percentiles.

import type { Usage } from '../providers/types.js';
import type { IndexLine } from './ledger-index.js';

export interface Spread {
  min: number;
  p50: number;
  max: number;
}

export function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1));
  return sorted[index] ?? 0;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((left, right) => left - right);
  return { min: sorted[0] ?? 0, p50: median(sorted), max: sorted.at(-1) ?? 0 };
}

function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** One agent+model's calibration for a step. Item usages are per fan-out item. */
export interface Calibration {
  /** `history: 7 runs` or `stats file: 12 runs`. */
  source: string;
  runs: number;
  model: string;
  calls: Spread;
  outputPerCall: Spread;
  inputPerCall: Spread;
  /** Tool-result tokens one call added to the next (growth minus the previous answer). */
  toolResultPerCall: Spread;
  /** Items per run of a for_each step. */
  items?: Spread;
  /** Usage of each item seen (index only; the stats file has no items). */
  itemUsages: Usage[];
  /** Median usage per item, component by component. */
  medianItem: Usage;
  /** Provider-reported first-call input over agentpipe's own count (index only). */
  ratio?: Spread;
}

const totalInput = (call: readonly number[]): number => (call[0] ?? 0) + (call[2] ?? 0) + (call[3] ?? 0);

/** Calibrates from index lines of one agent and model (newest first). `ownTokens` is the current first request's own count, `ownChars` its size. */
export function calibrateFromIndex(lines: readonly IndexLine[], current: { ownTokens: number; chars: number; hash: string }): Calibration | undefined {
  if (lines.length === 0) return undefined;
  const first = lines[0];
  if (!first) return undefined;
  const calls: number[] = [];
  const outputs: number[] = [];
  const inputs: number[] = [];
  const toolResults: number[] = [];
  const items: number[] = [];
  const itemUsages: Usage[] = [];
  const ratios: number[] = [];
  for (const line of lines) {
    items.push(line.calls.length);
    for (const item of line.calls) {
      calls.push(item.length);
      const usage: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
      item.forEach((call, index) => {
        usage.inputTokens += call[0];
        usage.outputTokens += call[1];
        usage.cacheReadTokens += call[2];
        usage.cacheWriteTokens += call[3];
        outputs.push(call[1]);
        inputs.push(totalInput(call));
        const next = item[index + 1];
        if (next) toolResults.push(Math.max(0, totalInput(next) - totalInput(call) - call[1]));
      });
      itemUsages.push(usage);
    }
    const firstCall = line.calls[0]?.[0];
    if (firstCall && line.chars && current.chars > 0 && current.ownTokens > 0) {
      // The same prompt: its own count is known exactly; another one: scaled by size.
      const own = line.hash === current.hash ? current.ownTokens : (line.chars * current.ownTokens) / current.chars;
      if (own > 0) ratios.push(totalInput(firstCall) / own);
    }
  }
  const component = (key: keyof Usage) => spread(itemUsages.map((usage) => usage[key])).p50;
  return {
    source: `history: ${lines.length} run${lines.length === 1 ? '' : 's'}`,
    runs: lines.length,
    model: first.model,
    calls: spread(calls),
    outputPerCall: spread(outputs),
    inputPerCall: spread(inputs),
    toolResultPerCall: toolResults.length > 0 ? spread(toolResults) : { min: 0, p50: 0, max: 0 },
    ...(first.fanout ? { items: spread(items) } : {}),
    itemUsages,
    medianItem: { inputTokens: component('inputTokens'), outputTokens: component('outputTokens'), cacheReadTokens: component('cacheReadTokens'), cacheWriteTokens: component('cacheWriteTokens') },
    ...(ratios.length > 0 ? { ratio: spread(ratios) } : {}),
  };
}

/** Per provider type, the reported/own ratio of first calls, from lines of agents that do not search. */
export function providerRatios(lines: readonly IndexLine[], ownByHash: ReadonlyMap<string, { ownTokens: number; chars: number }>): Map<string, Spread> {
  const byType = new Map<string, number[]>();
  for (const line of lines) {
    const firstCall = line.calls[0]?.[0];
    if (line.search || !firstCall || !line.hash) continue;
    const current = ownByHash.get(line.hash);
    if (!current || current.ownTokens <= 0) continue;
    const list = byType.get(line.ptype) ?? [];
    list.push(totalInput(firstCall) / current.ownTokens);
    byType.set(line.ptype, list);
  }
  return new Map([...byType].map(([type, ratios]) => [type, spread(ratios)]));
}

/** Picks the chain model with the most history lines (the one that usually serves), newest first. */
export function linesForStep(lines: readonly IndexLine[], agent: string, step: string, models: readonly string[]): IndexLine[] {
  const ofAgent = lines.filter((line) => line.agent === agent && models.includes(line.model));
  const ofStep = ofAgent.filter((line) => line.step === step);
  const pool = ofStep.length > 0 ? ofStep : ofAgent;
  const counts = new Map<string, number>();
  for (const line of pool) counts.set(line.model, (counts.get(line.model) ?? 0) + 1);
  let best: string | undefined;
  for (const model of models) if ((counts.get(model) ?? 0) > (counts.get(best ?? '') ?? 0)) best = model;
  return best === undefined ? [] : pool.filter((line) => line.model === best);
}
