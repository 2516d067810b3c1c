// The results file (one JSON line per input row, in input order) and the batch summary: counts,
// spend by model, p50/p95 row durations and failure classes.

import { formatUsd } from '../cost/format-usd.js';
import { mkdir, rename, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RowResult } from './row.js';

/** What a results line holds: `{line, runId, status, output | error, costUsd, durationMs}`. */
export function resultLine(result: RowResult): Record<string, unknown> {
  return {
    line: result.line,
    ...(result.runId ? { runId: result.runId } : {}),
    status: result.status,
    ...(result.status === 'succeeded' ? { output: result.output ?? null } : { error: result.error ?? result.status }),
    ...(result.errorClass ? { errorClass: result.errorClass } : {}),
    costUsd: result.costUsd,
    ...(result.durationMs === undefined ? {} : { durationMs: result.durationMs }),
  };
}

export async function writeResults(path: string, results: RowResult[]): Promise<void> {
  const text = [...results].sort((a, b) => a.line - b.line).map((result) => `${JSON.stringify(resultLine(result))}\n`).join('');
  const temp = `${path}.${process.pid}.tmp`;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(temp, text, 'utf8');
  await rename(temp, path);
}

/** Rows an earlier run of the batch wrote to --out: the ledger may be gone, the file is not. */
export async function readResults(path: string): Promise<Map<number, RowResult>> {
  const results = new Map<number, RowResult>();
  const text = await readFile(path, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as RowResult;
      if (typeof value.line === 'number' && typeof value.status === 'string') results.set(value.line, value);
    } catch {
      // not a results line
    }
  }
  return results;
}

export interface BatchSummary {
  batchId: string;
  rows: number;
  succeeded: number;
  failed: number;
  invalid: number;
  /** Rows not run because the batch stopped (budget, interrupt) before them, or that were stopped. */
  notRun: number;
  /** Rows found finished by an earlier run of the same command. */
  resumed: number;
  costUsd: number;
  costByModel: Record<string, number>;
  durationMs: { p50: number; p95: number };
  failureClasses: Record<string, number>;
  wallMs: number;
  out?: string;
  stopped?: 'budget' | 'interrupted';
}

export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? 0;
}

export function summarise(results: RowResult[], extra: Pick<BatchSummary, 'batchId' | 'rows' | 'resumed' | 'wallMs'> & Partial<BatchSummary>): BatchSummary {
  const costByModel: Record<string, number> = {};
  const failureClasses: Record<string, number> = {};
  const durations: number[] = [];
  let costUsd = 0;
  const count = (status: RowResult['status']) => results.filter((result) => result.status === status).length;
  for (const result of results) {
    costUsd += result.costUsd;
    for (const [model, cost] of Object.entries(result.costByModel ?? {})) costByModel[model] = (costByModel[model] ?? 0) + cost;
    if (result.durationMs !== undefined && result.status !== 'invalid') durations.push(result.durationMs);
    if (result.status !== 'succeeded' && result.status !== 'not-run') failureClasses[result.errorClass ?? result.status] = (failureClasses[result.errorClass ?? result.status] ?? 0) + 1;
  }
  durations.sort((a, b) => a - b);
  const succeeded = count('succeeded');
  const failed = count('failed') + count('budget-exceeded');
  const invalid = count('invalid');
  return {
    ...extra,
    succeeded,
    failed,
    invalid,
    notRun: extra.rows - succeeded - failed - invalid,
    costUsd,
    costByModel,
    durationMs: { p50: percentile(durations, 0.5), p95: percentile(durations, 0.95) },
    failureClasses,
  };
}

const usd = (value: number) => formatUsd(value);
const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

export function formatSummary(summary: BatchSummary): string {
  const lines = [
    `batch ${summary.batchId}: ${summary.rows} rows: ${summary.succeeded} succeeded, ${summary.failed} failed, ${summary.invalid} invalid${summary.notRun > 0 ? `, ${summary.notRun} not run` : ''}${summary.resumed > 0 ? ` (${summary.resumed} done by an earlier run)` : ''}`,
    `cost ${usd(summary.costUsd)}${Object.keys(summary.costByModel).length > 0 ? `: ${Object.entries(summary.costByModel).map(([model, cost]) => `${model} ${usd(cost)}`).join(', ')}` : ''}`,
    `row duration p50 ${seconds(summary.durationMs.p50)}, p95 ${seconds(summary.durationMs.p95)}; wall ${seconds(summary.wallMs)}`,
  ];
  if (Object.keys(summary.failureClasses).length > 0) lines.push(`failures: ${Object.entries(summary.failureClasses).map(([name, count]) => `${name} ${count}`).join(', ')}`);
  if (summary.stopped === 'budget') lines.push('stopped at --max-cost; re-run the same command (with a higher --max-cost) to finish');
  if (summary.stopped === 'interrupted') lines.push('interrupted; re-run the same command to resume');
  if (summary.out) lines.push(`results: ${summary.out}`);
  return `${lines.join('\n')}\n`;
}
