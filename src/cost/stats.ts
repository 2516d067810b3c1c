// `runs stats`: per agent and model, over the ledger index: runs, success rate, duration and cost
// percentiles, calls per item and tokens per call. `--export` writes the same counts as
// .agentpipe-stats.json (schemas/stats.schema.json), a small file a config repo can commit so that
// `estimate` is calibrated in CI on a fresh checkout too. It holds no prompt and no output.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Usage } from '../providers/types.js';
import { calibrateFromIndex, percentile, spread, type Calibration, type Spread } from './history.js';
import type { IndexLine } from './ledger-index.js';

export const statsFileName = '.agentpipe-stats.json';

export interface StatsEntry {
  agent: string;
  model: string;
  runs: number;
  successRate: number;
  durationMs: { p50: number; p95: number };
  callsPerItem: { p50: number; max: number };
  outputTokensPerCall: Spread;
  inputTokensPerCall: Spread;
  toolResultTokensPerCall: { p50: number; max: number };
  itemsPerRun: Spread;
  /** Median tokens of one item (all its calls), by kind. */
  tokensPerItem: { input: number; output: number; cacheRead: number; cacheWrite: number };
  costUsd: { p50: number; p95: number };
}

export interface StatsFile {
  version: 1;
  generatedAt: string;
  entries: StatsEntry[];
}

const sorted = (values: number[]) => [...values].sort((left, right) => left - right);

export function computeStats(lines: readonly IndexLine[], now = new Date().toISOString()): StatsFile {
  const groups = new Map<string, IndexLine[]>();
  for (const line of lines) {
    const key = `${line.agent}\u0000${line.model}`;
    const group = groups.get(key) ?? [];
    group.push(line);
    groups.set(key, group);
  }
  const entries: StatsEntry[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    if (!first) continue;
    const byRun = new Map<string, { cost: number; status: string; items: number }>();
    for (const line of group) {
      const run = byRun.get(line.run) ?? { cost: 0, status: line.status, items: 0 };
      run.cost += line.cost;
      run.items += line.calls.length;
      byRun.set(line.run, run);
    }
    const calibration = calibrateFromIndex(group, { ownTokens: 0, chars: 0, hash: '' });
    if (!calibration) continue;
    const runs = [...byRun.values()];
    const costs = sorted(runs.map((run) => run.cost));
    const durations = sorted(group.map((line) => line.ms));
    const round = (value: number) => Math.round(value * 100) / 100;
    entries.push({
      agent: first.agent,
      model: first.model,
      runs: runs.length,
      successRate: round(runs.filter((run) => run.status === 'succeeded').length / runs.length),
      durationMs: { p50: percentile(durations, 0.5), p95: percentile(durations, 0.95) },
      callsPerItem: { p50: calibration.calls.p50, max: calibration.calls.max },
      outputTokensPerCall: calibration.outputPerCall,
      inputTokensPerCall: calibration.inputPerCall,
      toolResultTokensPerCall: { p50: calibration.toolResultPerCall.p50, max: calibration.toolResultPerCall.max },
      itemsPerRun: spread(runs.map((run) => run.items)),
      tokensPerItem: {
        input: calibration.medianItem.inputTokens,
        output: calibration.medianItem.outputTokens,
        cacheRead: calibration.medianItem.cacheReadTokens,
        cacheWrite: calibration.medianItem.cacheWriteTokens,
      },
      costUsd: { p50: percentile(costs, 0.5), p95: percentile(costs, 0.95) },
    });
  }
  entries.sort((left, right) => left.agent.localeCompare(right.agent) || left.model.localeCompare(right.model));
  return { version: 1, generatedAt: now, entries };
}

/** The committed stats file, when present and well-formed (lint reports a malformed one). */
export async function readStatsFile(root: string): Promise<StatsFile | undefined> {
  const text = await readFile(join(root, statsFileName), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as StatsFile;
    return value.version === 1 && Array.isArray(value.entries) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A calibration from a stats entry: percentiles only, so items are rebuilt from the medians. */
export function calibrateFromStats(entry: StatsEntry): Calibration {
  const medianItem: Usage = {
    inputTokens: entry.tokensPerItem?.input ?? entry.callsPerItem.p50 * entry.inputTokensPerCall.p50,
    outputTokens: entry.tokensPerItem?.output ?? entry.callsPerItem.p50 * entry.outputTokensPerCall.p50,
    cacheReadTokens: entry.tokensPerItem?.cacheRead ?? 0,
    cacheWriteTokens: entry.tokensPerItem?.cacheWrite ?? 0,
  };
  const calls = { min: 1, p50: entry.callsPerItem.p50, max: entry.callsPerItem.max };
  return {
    source: `stats file: ${entry.runs} run${entry.runs === 1 ? '' : 's'}`,
    runs: entry.runs,
    model: entry.model,
    calls,
    outputPerCall: entry.outputTokensPerCall,
    inputPerCall: entry.inputTokensPerCall,
    toolResultPerCall: { min: 0, p50: entry.toolResultTokensPerCall?.p50 ?? 0, max: entry.toolResultTokensPerCall?.max ?? 0 },
    ...(entry.itemsPerRun ? { items: entry.itemsPerRun } : {}),
    itemUsages: [],
    medianItem,
  };
}
