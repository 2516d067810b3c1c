// The local batch: rows run in this process, at most `concurrency` at a time, each its own run
// (own run id and run folder). Every row shares one set of SDK clients and cooldowns; each row has
// its own runtime ports, so the MCP servers a row starts are stopped when that row ends.
// --max-cost is watched as each call is paid: once reached, rows in flight stop (their state saved,
// resumable) and no row starts.

import { formatUsd } from '../cost/format-usd.js';
import { BudgetExceededError, InterruptedError } from '../errors.js';
import { ModelCache } from '../providers/model-cache.js';
import { createDefaultPorts } from '../run/default-ports.js';
import { SharedMemory } from '../memory/shared.js';
import { newRunId } from '../run/ids.js';
import { fileRunStore } from '../run/store.js';
import type { SimulatedRuntime } from '../run/simulated.js';
import type { BatchLedger } from './ledger.js';
import type { BatchPlan, ValidRow } from './plan.js';
import { errorClassOf, runRow, type RowResult } from './row.js';

export interface PendingRow extends ValidRow {
  /** The run id an earlier attempt of the batch gave this row: its run is resumed. */
  runId?: string;
}

export interface LocalBatchOptions {
  plan: BatchPlan;
  rows: PendingRow[];
  concurrency: number;
  maxCostUsd?: number;
  /** Spent by rows finished in earlier runs of this batch (counts against --max-cost). */
  spentBefore: number;
  ledger: BatchLedger;
  /** `batch --sim`: every call answered by the built-in simulator, at $0. */
  simulated?: SimulatedRuntime;
  signal: AbortSignal;
  onRowStart?(line: number): void;
  onRowEnd?(result: RowResult): void;
  /** Every paid model call, as it is priced. */
  onSpend?(costUsd: number): void;
}

export interface LocalBatchResult {
  results: RowResult[];
  stopped?: 'budget' | 'interrupted';
}

export async function runLocalBatch(options: LocalBatchOptions): Promise<LocalBatchResult> {
  const { plan, ledger } = options;
  const { pipeline, env, target, modelOverride } = plan.prepared;
  // A row's events are appended in batches (at most 1 s lost to a hard kill; its state never is), and
  // small step outputs live in its run.json: a row writes three files, not seven.
  const store = fileRunStore(plan.prepared.root, { inlineOutputBytes: 16 * 1024, eventFlushMs: 1000 });
  // Every row shares these SDK clients and cooldowns (or the simulator's), each with ports of its own.
  const models = options.simulated ? undefined : new ModelCache(env);
  // Knowledge and facts: one store for every row; a stale index stops the batch before any row runs.
  const agents = pipeline.steps.map((step) => step.agent);
  const memory = agents.some((agent) => agent.knowledge || agent.memory?.facts)
    ? new SharedMemory(plan.prepared.root, env, { ...(options.simulated ? { simulated: options.simulated } : {}), ...(models ? { models } : {}) })
    : undefined;
  await memory?.prepare(agents).catch(async (error: unknown) => {
    await memory.close();
    throw error;
  });
  const portOptions = { ...(options.simulated ? { simulated: options.simulated } : { models: models! }), ...(memory ? { augment: memory.augment } : {}) };
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal.reason ?? new InterruptedError());
  options.signal.addEventListener('abort', onAbort, { once: true });
  let spent = options.spentBefore;
  const overBudget = () => options.maxCostUsd !== undefined && spent >= options.maxCostUsd;
  const results: RowResult[] = [];
  let next = 0;

  const runOne = async (row: PendingRow): Promise<void> => {
    const runId = row.runId ?? newRunId();
    const resume = row.runId ? await store.load(runId) : undefined;
    await ledger.started(row.line, row.hash, runId);
    options.onRowStart?.(row.line);
    let result: RowResult;
    try {
      result = await runRow(row.line, {
        pipeline,
        target,
        inputs: row.inputs,
        runId,
        ...(resume ? { resume } : {}),
        ports: createDefaultPorts(env, portOptions),
        env,
        signal: controller.signal,
        store,
        ...(modelOverride ? { modelOverride } : {}),
        onEvent: (event) => {
          if (event.type !== 'usage') return;
          spent += event.costUsd;
          options.onSpend?.(event.costUsd);
          if (overBudget() && !controller.signal.aborted) controller.abort(budgetStop(spent, options.maxCostUsd!));
        },
      });
    } catch (error) {
      // A run that could not even start (a held lock): the row failed, the batch goes on.
      result = { line: row.line, runId, status: 'failed', error: error instanceof Error ? error.message : String(error), errorClass: errorClassOf(error), costUsd: 0 };
    }
    // A row the batch stopped is not finished: its run resumes when the batch is run again.
    const stoppedByBatch = controller.signal.aborted && (result.status === 'interrupted' || result.status === 'budget-exceeded');
    if (!stoppedByBatch) await ledger.finished(row.hash, result);
    results.push(result);
    options.onRowEnd?.(result);
  };

  const lane = async () => {
    while (!controller.signal.aborted && !overBudget()) {
      const row = options.rows[next++];
      if (!row) return;
      await runOne(row);
    }
  };
  if (overBudget()) controller.abort(budgetStop(spent, options.maxCostUsd!));
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, options.rows.length)) }, lane));
  options.signal.removeEventListener('abort', onAbort);
  await ledger.flush();
  await memory?.close();
  const reason: unknown = controller.signal.reason;
  const stopped = !controller.signal.aborted ? (overBudget() && next < options.rows.length ? 'budget' : undefined) : reason instanceof BudgetExceededError ? 'budget' : 'interrupted';
  return { results, ...(stopped ? { stopped } : {}) };
}

const budgetStop = (spent: number, limit: number) => new BudgetExceededError(`batch --max-cost reached: spent ${formatUsd(spent)} of $${limit}`, spent, limit);
