// The work behind `agentpipe batch` (src/cli/commands/batch.ts holds its flags): plan, price,
// confirm, run locally or through the queue, then write the results and the summary.

import { createInterface } from 'node:readline/promises';
import { join, resolve } from 'node:path';
import { InterruptedError, RunFailedError, UsageError } from '../errors.js';
import { estimateBatch, planBatch, type BatchPlan } from '../batch/plan.js';
import { BatchLedger, batchDirectory } from '../batch/ledger.js';
import type { PendingRow } from '../batch/local.js';
import { formatSummary, readResults, summarise, writeResults, type BatchSummary } from '../batch/results.js';
import type { RowResult } from '../batch/row.js';
import type { BatchFlags } from './commands/batch.js';
import { createBatchProgress, type BatchProgress } from './progress/batch.js';
import { chooseMode } from './progress/index.js';
import { guardOutput } from './progress/streams.js';

const usd = (value: number) => `$${value.toFixed(value > 0 && value < 0.01 ? 4 : 2)}`;

function positiveInteger(value: string | number | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new UsageError(`${flag} must be a whole number of at least 1, got '${value}'`);
  return number;
}

function positiveAmount(value: string | number | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`${flag} must be an amount in USD above 0, got '${value}'`);
  return number;
}

/** What an earlier run of this batch finished, and what is left to run. */
interface Work {
  done: RowResult[];
  pending: PendingRow[];
  retry: PendingRow[];
}

function splitWork(plan: BatchPlan, previous: Map<number, { hash?: string; runId?: string; result?: RowResult }>, retryFailed: boolean): Work {
  const work: Work = { done: [], pending: [], retry: [] };
  for (const row of plan.valid) {
    const earlier = previous.get(row.line);
    const sameRow = earlier !== undefined && (earlier.hash === undefined || earlier.hash === row.hash);
    const result = sameRow ? earlier.result : undefined;
    const failed = result?.status === 'failed' || result?.status === 'budget-exceeded';
    if (result?.status === 'succeeded' || (failed && !retryFailed)) {
      work.done.push(result);
      continue;
    }
    const pending: PendingRow = { ...row, ...(sameRow && earlier.runId ? { runId: earlier.runId } : {}) };
    work.pending.push(pending);
    if (failed) work.retry.push(pending);
  }
  return work;
}

async function confirm(question: string): Promise<boolean> {
  const reader = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await reader.question(question)).trim());
  } finally {
    reader.close();
  }
}

export async function runBatch(file: string, flags: BatchFlags): Promise<number> {
  const output = guardOutput();
  if (flags.inputs === undefined || typeof flags.inputs !== 'string') throw new UsageError('`agentpipe batch` needs --inputs <rows.jsonl|rows.csv>');
  const concurrency = positiveInteger(flags.concurrency, '--concurrency', 4);
  const maxCost = positiveAmount(flags.maxCost, '--max-cost');
  const json = flags.json === true;
  const queueAddress = flags.queue === undefined ? undefined : (await import('../queue/connection.js')).parseQueueAddress(typeof flags.queue === 'string' ? flags.queue : undefined);
  const sim = flags.sim === true;
  if (sim && queueAddress) throw new UsageError('--sim cannot be used with --queue: workers call the models with their own keys; drop one of them');
  const started = performance.now();

  const plan = await planBatch({ file, inputs: flags.inputs, ...(flags.model ? { modelOverride: flags.model } : {}), callsNothing: queueAddress !== undefined || sim, ...(sim ? { simulated: true } : {}) });
  for (const bad of plan.invalid) output.err(`${bad.error}\n`);
  if (plan.total === 0) output.err(`agentpipe: ${plan.inputsName} has no rows (one JSON object per line, or a CSV header and rows); nothing to run\n`);
  if (flags.strict && plan.invalid.length > 0) {
    throw new UsageError(`--strict: ${plan.invalid.length} invalid row(s) in ${plan.inputsName}; nothing was run. Fix them or drop --strict to skip them.`);
  }
  // A local batch loads its provider SDKs while the ledger is read and the batch priced, rather than
  // on the first row's call.
  const warming = queueAddress ? undefined : warmSdks(plan).catch(() => undefined);
  const { root } = plan.prepared;
  // A local batch with no usable model would fail every row one by one (with retries): say so once, up front.
  if (!queueAddress && !sim && plan.valid.length > 0) {
    const { checkChains, describeUnavailable } = await import('../run/availability.js');
    const { providerKeyStatus } = await import('../providers/registry.js');
    const checks = await checkChains(plan.prepared.pipeline, plan.prepared.env, providerKeyStatus);
    if (checks.some((check) => !check.usable)) {
      // Thrown, so that --json gets its error object too (src/cli/fatal.ts).
      throw new RunFailedError(describeUnavailable(checks, root, 'Nothing was run or spent.').replace(/^agentpipe: /, ''));
    }
  }
  const outPath = flags.out ? resolve(String(flags.out)) : join(batchDirectory(root, plan.batchId), 'results.jsonl');
  if (flags.out) await (await import('./out-path.js')).checkReplaceableFile('--out', String(flags.out), outPath, 'results.jsonl');

  let client: Awaited<ReturnType<typeof import('../queue/client.js').openQueue>> | undefined;
  let ledger: BatchLedger | undefined;
  const previous = new Map<number, { hash?: string; runId?: string; result?: RowResult }>();
  // An earlier --out counts as done work even if the ledger is gone (a copied results file).
  if (flags.out) for (const [line, result] of await readResults(outPath)) if (result.status !== 'invalid') previous.set(line, { ...(result.runId ? { runId: result.runId } : {}), result });
  if (queueAddress) {
    const { openQueue, batchResults } = await import('../queue/client.js');
    client = await openQueue(queueAddress);
    for (const [line, result] of await batchResults(client, plan.batchId)) previous.set(line, { ...(result.hash ? { hash: result.hash } : {}), ...(result.runId ? { runId: result.runId } : {}), result });
  } else {
    ledger = await BatchLedger.open(root, plan.batchId);
    for (const [line, entry] of ledger.rows) previous.set(line, { hash: entry.hash, runId: entry.runId, ...(entry.result ? { result: entry.result } : {}) });
  }

  try {
    const work = splitWork(plan, previous, flags.retryFailed === true);
    const spentBefore = work.done.reduce((sum, result) => sum + result.costUsd, 0);
    const estimate = await estimateBatch(plan, work.pending);
    const where = sim ? `locally, ${concurrency} at a time, simulated ($0, no key)` : queueAddress ? `on queue ${(await import('../queue/connection.js')).describeAddress(queueAddress)}` : `locally, ${concurrency} at a time`;
    if (!json || work.pending.length > 0) {
      output.err(
        `batch ${plan.batchId}: ${plan.total} rows in ${plan.inputsName} (${plan.invalid.length} invalid, ${work.done.length} done earlier); ` +
          `${work.pending.length} to run ${where}: ${sim ? 'with real models it would be ' : ''}estimated ${usd(estimate.expectedUsd)} expected, ${usd(estimate.worstUsd)} worst` +
          `${estimate.sampled < estimate.rows ? ` (from ${estimate.sampled} sampled rows)` : ''}${maxCost !== undefined ? `; --max-cost ${usd(maxCost)}` : ''}\n`,
      );
    }
    const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
    if (work.pending.length > 0 && interactive && !flags.yes && !(await confirm(`Run ${work.pending.length} row(s)? [y/N] `))) {
      output.err('agentpipe: batch not started\n');
      return 1;
    }

    await warming;
    const mode = chooseMode(json);
    const progress = await createBatchProgress(mode, { toRun: work.pending.length, estimateUsd: estimate.expectedUsd + spentBefore, spentBefore });
    const controller = new AbortController();
    let signals = 0;
    const onSignal = (name: string) => {
      if (++signals > 1) process.exit(130);
      output.err(`\nagentpipe: ${name}: stopping the batch; re-run the same command to resume (Ctrl-C again to quit at once)\n`);
      controller.abort(new InterruptedError(`interrupted by ${name}`));
    };
    const onInterrupt = () => onSignal('SIGINT');
    const onTerminate = () => onSignal('SIGTERM');
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onTerminate);
    let outcome: { results: RowResult[]; stopped?: 'budget' | 'interrupted' | undefined };
    const simulated = sim && work.pending.length > 0 ? await (await import('../run/simulated.js')).startSimulatedRuntime() : undefined;
    try {
      outcome = client
        ? await followQueued(client, plan, work, { progress, signal: controller.signal, spentBefore, expectedUsd: estimate.expectedUsd, ...(maxCost !== undefined ? { maxCost } : {}) })
        : await (await import('../batch/local.js')).runLocalBatch({
            plan,
            rows: work.pending,
            concurrency,
            ...(maxCost !== undefined ? { maxCostUsd: maxCost } : {}),
            spentBefore,
            ledger: ledger!,
            ...(simulated ? { simulated } : {}),
            signal: controller.signal,
            onRowStart: () => progress.rowStarted(),
            onRowEnd: (result) => progress.rowEnded(result),
            onSpend: (cost) => progress.spent(cost),
          });
    } finally {
      await simulated?.close();
      await progress.stop();
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
    }

    // Rows the batch stopped (budget, interrupt) are left out of the results: they are not done.
    const finished = outcome.results.filter((result) => result.status !== 'interrupted' && !(outcome.stopped && result.status === 'budget-exceeded'));
    const reported = new Set([...work.done, ...finished].map((result) => result.line));
    const notRun = work.pending.filter((row) => !reported.has(row.line)).map((row): RowResult => ({ line: row.line, ...(row.runId ? { runId: row.runId } : {}), status: 'not-run', error: 'not run: the batch stopped first; re-run the same command', costUsd: 0 }));
    const all = [...work.done, ...finished, ...plan.invalid, ...notRun];
    await writeResults(outPath, all);
    const summary: BatchSummary = summarise(all, {
      batchId: plan.batchId,
      rows: plan.total,
      resumed: work.done.length,
      wallMs: Math.round(performance.now() - started),
      out: outPath,
      ...(outcome.stopped ? { stopped: outcome.stopped } : {}),
    });
    output.out(json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
    if (outcome.stopped === 'interrupted') return 130;
    if (outcome.stopped === 'budget') return 3;
    return summary.failed > 0 || summary.invalid > 0 || summary.notRun > 0 ? 1 : 0;
  } finally {
    await client?.close();
  }
}

async function warmSdks(plan: BatchPlan): Promise<void> {
  const { warmProviderSdks } = await import('../providers/registry.js');
  await warmProviderSdks([...new Set(plan.prepared.pipeline.steps.flatMap((step) => step.agent.chain.models.map((model) => model.provider.type)))]);
}

async function followQueued(
  client: Awaited<ReturnType<typeof import('../queue/client.js').openQueue>>,
  plan: BatchPlan,
  work: Work,
  options: { progress: BatchProgress; signal: AbortSignal; spentBefore: number; expectedUsd: number; maxCost?: number },
): Promise<{ results: RowResult[]; stopped?: 'budget' | 'interrupted' }> {
  const { enqueueBatch, followBatch } = await import('../queue/client.js');
  const { createBudget, budgetSpent } = await import('../queue/budget.js');
  const { prepared } = plan;
  // --max-cost over the queue: a budget in Redis that every worker reserves each row's expected cost from.
  const budget =
    options.maxCost !== undefined && work.pending.length > 0
      ? await createBudget(client.redis, client.keys, options.maxCost, options.spentBefore, options.expectedUsd / work.pending.length)
      : undefined;
  await enqueueBatch(client, { batchId: plan.batchId, target: prepared.target, ...(prepared.modelOverride ? { modelOverride: prepared.modelOverride } : {}), rows: work.pending, retry: work.retry, ...(budget ? { budget } : {}) });
  const workers = await client.queue.getWorkersCount().catch(() => 1);
  if (workers === 0 && work.pending.length > 0) guardOutput().err(`agentpipe: no worker is listening on this queue yet; start one with \`agentpipe worker --queue <url>\` in the project\n`);
  let spent = options.spentBefore;
  for (let index = 0; index < work.pending.length; index++) options.progress.rowStarted();
  const followed = await followBatch(client, {
    batchId: plan.batchId,
    lines: new Map(work.pending.map((row) => [row.line, row.hash])),
    signal: options.signal,
    onResult(result) {
      spent += result.costUsd;
      options.progress.spent(result.costUsd);
      options.progress.rowEnded(result);
    },
    ...(budget ? { shouldStop: async () => spent >= budget.limitUsd || (await budgetSpent(client.redis, client.keys, budget.id)) >= budget.limitUsd } : {}),
  });
  const stopped = options.signal.aborted ? 'interrupted' : followed.stopped ? 'budget' : undefined;
  return { results: followed.results, ...(stopped ? { stopped } : {}) };
}

