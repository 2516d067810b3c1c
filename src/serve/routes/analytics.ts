// GET /v1/analytics?days=N: over the runs created in the last N days (from the run index) and the
// N days before them: runs, success rate, p50/p95 duration, cost by day, agent, model and provider,
// failures by error class, and the change against the previous period.

import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';
import type { IndexedRun, RunIndex } from '../run-index.js';
import { analyticsQuery } from '../schemas.js';

const dayMs = 86_400_000;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface PeriodFigures {
  runs: number;
  finished: number;
  succeeded: number;
  successRate: number | null;
  p50DurationMs: number | null;
  p95DurationMs: number | null;
  costUsd: number;
}

function figures(runs: IndexedRun[]): PeriodFigures {
  const finished = runs.filter((run) => ['succeeded', 'failed', 'interrupted', 'cancelled'].includes(run.status));
  const succeeded = finished.filter((run) => run.status === 'succeeded').length;
  const durations = finished.flatMap((run) => (run.durationMs === undefined ? [] : [run.durationMs])).sort((a, b) => a - b);
  return {
    runs: runs.length,
    finished: finished.length,
    succeeded,
    successRate: finished.length ? succeeded / finished.length : null,
    p50DurationMs: percentile(durations, 50),
    p95DurationMs: percentile(durations, 95),
    costUsd: runs.reduce((sum, run) => sum + run.costUsd, 0),
  };
}

const sumBy = <T>(rows: T[], key: (row: T) => string, value: (row: T) => number) => {
  const totals: Record<string, number> = {};
  for (const row of rows) totals[key(row)] = (totals[key(row)] ?? 0) + value(row);
  return totals;
};

export function analytics(index: RunIndex, days: number, now = new Date()): Record<string, unknown> {
  const until = now.toISOString();
  const since = new Date(now.getTime() - days * dayMs).toISOString();
  const previousSince = new Date(now.getTime() - 2 * days * dayMs).toISOString();
  const runs = index.between(since, until);
  const current = figures(runs);
  const previous = figures(index.between(previousSince, since));
  const costs = index.costsBetween(since, until);
  // Every day of the period, oldest first, so a chart's x axis has no holes.
  const byDay = sumBy(costs, (row) => row.day, (row) => row.costUsd);
  const runsByDay = sumBy(runs, (run) => run.createdAt.slice(0, 10), () => 1);
  const timeline = Array.from({ length: days }, (_, offset) => new Date(now.getTime() - (days - 1 - offset) * dayMs).toISOString().slice(0, 10)).map((day) => ({ day, runs: runsByDay[day] ?? 0, costUsd: byDay[day] ?? 0 }));
  const change = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
  const ratio = (a: number, b: number) => (b === 0 ? null : (a - b) / b);
  return {
    days,
    since,
    until,
    ...current,
    byDay: timeline,
    costByAgent: sumBy(costs, (row) => row.agent, (row) => row.costUsd),
    costByModel: sumBy(costs, (row) => row.model, (row) => row.costUsd),
    costByProvider: sumBy(costs, (row) => row.provider, (row) => row.costUsd),
    failuresByErrorClass: sumBy(runs.filter((run) => run.status !== 'succeeded' && run.errorClass), (run) => run.errorClass!, () => 1),
    previous,
    trends: {
      runs: ratio(current.runs, previous.runs),
      successRate: change(current.successRate, previous.successRate),
      p50DurationMs: change(current.p50DurationMs, previous.p50DurationMs),
      p95DurationMs: change(current.p95DurationMs, previous.p95DurationMs),
      costUsd: ratio(current.costUsd, previous.costUsd),
    },
  };
}

export default async function analyticsRoutes(app: FastifyInstance, { context }: { context: ServeContext }): Promise<void> {
  app.get<{ Querystring: { days: number } }>(
    '/v1/analytics',
    { config: { role: 'viewer' }, schema: { summary: 'Runs, success rate, durations, cost breakdowns, failures and trends', tags: ['analytics'], querystring: analyticsQuery } },
    async (request) => analytics(context.index, request.query.days),
  );
}
