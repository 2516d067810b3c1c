// serve's run index: one row per run submitted through the API, in the project's store file
// (.agentpipe/store.db, component `run-index`), so listing, filtering, paging and analytics never
// read every run.json. The run files in .agentpipe/runs stay the source of truth for a run's state;
// the index holds what a list or a chart needs, plus what a restarted serve needs to pick runs up.

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { migrate } from '../store/sqlite.js';
// store.db is a run file like any other: no known secret value is ever written to it.
import { redactSecrets, redactValue } from '../tools/redact.js';

export type ApiRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'interrupted' | 'cancelled';
export const apiRunStatuses: readonly ApiRunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'interrupted', 'cancelled'];

export interface IndexedRun {
  id: string;
  target: string;
  name: string;
  kind: 'agent' | 'template';
  status: ApiRunStatus;
  tags: string[];
  inputs: Record<string, unknown>;
  model?: string;
  maxCost?: number;
  /** The conversation thread the run continues (an agent's run only). */
  thread?: string;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  costUsd: number;
  errorClass?: string;
  error?: string;
  /** Whether the run has run before (resume picks up its run.json). */
  attempts: number;
}

/** Cost of a finished run split by agent, provider and model (from its ledger), for analytics. */
export interface RunCost {
  agent: string;
  provider: string;
  model: string;
  costUsd: number;
  calls: number;
}

const migrations = [
  `CREATE TABLE runs (
     id TEXT PRIMARY KEY, target TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
     tags TEXT NOT NULL DEFAULT '[]', inputs TEXT NOT NULL DEFAULT '{}', model TEXT, max_cost REAL,
     created_at TEXT NOT NULL, started_at TEXT, ended_at TEXT, duration_ms INTEGER, cost_usd REAL NOT NULL DEFAULT 0,
     error_class TEXT, error TEXT, attempts INTEGER NOT NULL DEFAULT 0);
   CREATE INDEX runs_status ON runs(status, id);
   CREATE INDEX runs_created ON runs(created_at);
   CREATE TABLE run_costs (
     run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, agent TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
     cost_usd REAL NOT NULL, calls INTEGER NOT NULL, PRIMARY KEY (run_id, agent, provider, model));`,
  // Conversation threads through the API (`thread` in POST /v1/runs).
  `ALTER TABLE runs ADD COLUMN thread TEXT;`,
];

interface Row {
  id: string;
  target: string;
  name: string;
  kind: string;
  status: string;
  tags: string;
  inputs: string;
  model: string | null;
  max_cost: number | null;
  thread: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  cost_usd: number;
  error_class: string | null;
  error: string | null;
  attempts: number;
}

function fromRow(row: Row): IndexedRun {
  return {
    id: row.id,
    target: row.target,
    name: row.name,
    kind: row.kind as IndexedRun['kind'],
    status: row.status as ApiRunStatus,
    tags: JSON.parse(row.tags) as string[],
    inputs: JSON.parse(row.inputs) as Record<string, unknown>,
    ...(row.model !== null ? { model: row.model } : {}),
    ...(row.max_cost !== null ? { maxCost: row.max_cost } : {}),
    ...(row.thread !== null ? { thread: row.thread } : {}),
    createdAt: row.created_at,
    ...(row.started_at !== null ? { startedAt: row.started_at } : {}),
    ...(row.ended_at !== null ? { endedAt: row.ended_at } : {}),
    ...(row.duration_ms !== null ? { durationMs: row.duration_ms } : {}),
    costUsd: row.cost_usd,
    ...(row.error_class !== null ? { errorClass: row.error_class } : {}),
    ...(row.error !== null ? { error: row.error } : {}),
    attempts: row.attempts,
  };
}

export interface RunQuery {
  status?: ApiRunStatus;
  target?: string;
  tag?: string;
  /** ISO times: created at or after `since`, before `until`. */
  since?: string;
  until?: string;
  /** The id of the last run of the previous page (ids sort by time; pages go newest first). */
  cursor?: string;
  limit: number;
}

/** How many recently touched runs `get` answers from memory (submit, start, finish and the event stream all ask). */
const recentRuns = 2048;
/** Runs with larger inputs (JSON characters) are not kept: 2,048 bodies at the 1 MiB body limit would be 2 GiB. */
const recentInputsMax = 16 * 1024;

export class RunIndex {
  private readonly statements: {
    insert: StatementSync;
    get: StatementSync;
    markRunning: StatementSync;
    setStatus: StatementSync;
    finish: StatementSync;
    deleteCosts: StatementSync;
    insertCost: StatementSync;
  };
  /** The rows of recent runs, kept in step with every write this index makes (it is the only writer of the table). */
  private readonly recent = new Map<string, IndexedRun>();
  /**
   * Runs by status for /metrics: counted once from the table, then kept in step with every write,
   * so a scrape does not scan the whole index on the HTTP thread.
   */
  private statusCounts: Map<string, number> | undefined;

  constructor(private readonly database: DatabaseSync) {
    migrate(database, 'run-index', migrations);
    this.statements = {
      insert: database.prepare('INSERT INTO runs (id, target, name, kind, status, tags, inputs, model, max_cost, thread, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      get: database.prepare('SELECT * FROM runs WHERE id = ?'),
      markRunning: database.prepare("UPDATE runs SET status = 'running', started_at = ?, attempts = attempts + 1, ended_at = NULL, error = NULL, error_class = NULL WHERE id = ?"),
      setStatus: database.prepare('UPDATE runs SET status = ? WHERE id = ?'),
      finish: database.prepare('UPDATE runs SET status = ?, ended_at = ?, duration_ms = ?, cost_usd = ?, error_class = ?, error = ? WHERE id = ?'),
      deleteCosts: database.prepare('DELETE FROM run_costs WHERE run_id = ?'),
      insertCost: database.prepare('INSERT INTO run_costs (run_id, agent, provider, model, cost_usd, calls) VALUES (?, ?, ?, ?, ?, ?)'),
    };
  }

  private remember(run: IndexedRun): void {
    this.recent.delete(run.id);
    this.recent.set(run.id, run);
    if (this.recent.size > recentRuns) this.recent.delete(this.recent.keys().next().value!);
  }

  /** Applies a write to the remembered row, if there is one (otherwise the next get reads the table). */
  private update(id: string, change: (run: IndexedRun) => IndexedRun): void {
    const run = this.recent.get(id);
    if (run) this.remember(change(run));
  }

  /** Moves one run from `from` to `to` in the status counts (when they have been counted). */
  private recount(from: string | undefined, to: string): void {
    const counts = this.statusCounts;
    if (!counts) return;
    if (from !== undefined) counts.set(from, (counts.get(from) ?? 1) - 1);
    counts.set(to, (counts.get(to) ?? 0) + 1);
  }

  /** The status a write is about to change (read only while the counts are kept). */
  private statusBefore(id: string): string | undefined {
    return this.statusCounts ? this.get(id)?.status : undefined;
  }

  insert(run: Omit<IndexedRun, 'costUsd' | 'attempts'>): void {
    const inputs = redactValue(run.inputs) as Record<string, unknown>;
    const inputsJson = JSON.stringify(inputs);
    this.statements.insert.run(run.id, run.target, run.name, run.kind, run.status, JSON.stringify(run.tags), inputsJson, run.model ?? null, run.maxCost ?? null, run.thread ?? null, run.createdAt);
    this.recount(undefined, run.status);
    if (inputsJson.length > recentInputsMax) return;
    // As the table would give it back: only the columns insert sets.
    this.remember({ id: run.id, target: run.target, name: run.name, kind: run.kind, status: run.status, tags: [...run.tags], inputs: structuredClone(inputs), ...(run.model !== undefined ? { model: run.model } : {}), ...(run.maxCost !== undefined ? { maxCost: run.maxCost } : {}), ...(run.thread !== undefined ? { thread: run.thread } : {}), createdAt: run.createdAt, costUsd: 0, attempts: 0 });
  }

  get(id: string): IndexedRun | undefined {
    const known = this.recent.get(id);
    if (known) return known;
    const row = this.statements.get.get(id) as Row | undefined;
    if (!row) return undefined;
    const run = fromRow(row);
    if (row.inputs.length <= recentInputsMax) this.remember(run);
    return run;
  }

  markRunning(id: string, startedAt: string): void {
    const before = this.statusBefore(id);
    this.statements.markRunning.run(startedAt, id);
    if (before !== undefined) this.recount(before, 'running');
    this.update(id, ({ endedAt: _endedAt, error: _error, errorClass: _errorClass, ...run }) => ({ ...run, status: 'running', startedAt, attempts: run.attempts + 1 }));
  }

  setStatus(id: string, status: ApiRunStatus): void {
    const before = this.statusBefore(id);
    this.statements.setStatus.run(status, id);
    if (before !== undefined) this.recount(before, status);
    this.update(id, (run) => ({ ...run, status }));
  }

  finish(id: string, result: { status: ApiRunStatus; endedAt: string; durationMs: number; costUsd: number; errorClass?: string; error?: string; costs: RunCost[] }): void {
    const error = result.error === undefined ? undefined : redactSecrets(result.error);
    const before = this.statusBefore(id);
    this.database.exec('BEGIN IMMEDIATE');
    try {
      this.statements.finish.run(result.status, result.endedAt, result.durationMs, result.costUsd, result.errorClass ?? null, error ?? null, id);
      this.statements.deleteCosts.run(id);
      for (const cost of result.costs) this.statements.insertCost.run(id, cost.agent, cost.provider, cost.model, cost.costUsd, cost.calls);
      this.database.exec('COMMIT');
      if (before !== undefined) this.recount(before, result.status);
    } catch (failure) {
      this.database.exec('ROLLBACK');
      this.recent.delete(id);
      throw failure;
    }
    this.update(id, ({ errorClass: _errorClass, error: _error, ...run }) => ({
      ...run,
      status: result.status,
      endedAt: result.endedAt,
      durationMs: result.durationMs,
      costUsd: result.costUsd,
      ...(result.errorClass !== undefined ? { errorClass: result.errorClass } : {}),
      ...(error !== undefined ? { error } : {}),
    }));
  }

  /** Newest first, `limit` rows after `cursor`. */
  list(query: RunQuery): IndexedRun[] {
    const where: string[] = [];
    const values: Array<string | number> = [];
    if (query.status) (where.push('status = ?'), values.push(query.status));
    if (query.target) (where.push('(target = ? OR name = ?)'), values.push(query.target, query.target));
    if (query.tag) (where.push('EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE value = ?)'), values.push(query.tag));
    if (query.since) (where.push('created_at >= ?'), values.push(query.since));
    if (query.until) (where.push('created_at < ?'), values.push(query.until));
    if (query.cursor) (where.push('id < ?'), values.push(query.cursor));
    const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.database.prepare(sql).all(...values, query.limit) as unknown as Row[]).map(fromRow);
  }

  /** Runs a previous serve left queued or running (it was killed): the restart picks them up. */
  unfinished(): IndexedRun[] {
    return (this.database.prepare("SELECT * FROM runs WHERE status IN ('queued', 'running') ORDER BY id").all() as unknown as Row[]).map(fromRow);
  }

  /** Runs created in [since, until), for analytics. */
  between(since: string, until: string): IndexedRun[] {
    return (this.database.prepare('SELECT * FROM runs WHERE created_at >= ? AND created_at < ? ORDER BY id').all(since, until) as unknown as Row[]).map(fromRow);
  }

  costsBetween(since: string, until: string): Array<RunCost & { day: string }> {
    const rows = this.database
      .prepare('SELECT substr(r.created_at, 1, 10) AS day, c.agent, c.provider, c.model, c.cost_usd AS costUsd, c.calls FROM run_costs c JOIN runs r ON r.id = c.run_id WHERE r.created_at >= ? AND r.created_at < ?')
      .all(since, until);
    return rows as unknown as Array<RunCost & { day: string }>;
  }

  countByStatus(): Record<string, number> {
    if (!this.statusCounts) {
      const rows = this.database.prepare('SELECT status, count(*) AS count FROM runs GROUP BY status').all() as unknown as Array<{ status: string; count: number }>;
      this.statusCounts = new Map(rows.map((row) => [row.status, row.count]));
    }
    return Object.fromEntries([...this.statusCounts].filter(([, count]) => count > 0));
  }
}
