// `agentpipe worker`: a BullMQ Worker that runs queued rows and runs against the config repo in its
// working directory. Run state lives in Redis (RedisRunStore), so a job another worker takes over,
// through BullMQ's stalled-job recovery after this one died, resumes from the finished steps.
// Rate limits go through Redis too. On close (SIGTERM) active jobs get a grace period to finish;
// after it they are stopped (state saved) and handed back to the wait list for another worker.

import { formatUsd } from '../cost/format-usd.js';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { runRow, type RowResult } from '../batch/row.js';
import type { CompiledPipeline } from '../compile/ir.js';
import { BudgetExceededError, InterruptedError } from '../errors.js';
import { ModelCache } from '../providers/model-cache.js';
import { useRateLimitBackend } from '../providers/rate-limit.js';
import { createDefaultPorts } from '../run/default-ports.js';
import { checkThreadFlag } from '../memory/thread-id.js';
import { SharedMemory } from '../memory/shared.js';
import { prepareRun } from '../run/prepare.js';
import { resolveInputs } from '../compile/inputs.js';
import { connectRedis, queueKeys, type QueueAddress } from './connection.js';
import { release, reserve, spend } from './budget.js';
import { recordResult, type JobData } from './jobs.js';
import { RedisRateLimiter } from './redis-rate-limit.js';
import { RedisRunStore } from './redis-store.js';

export interface WorkerOptions {
  address: QueueAddress;
  concurrency: number;
  cwd: string;
  /** How long BullMQ's lock on a job lasts without renewal: a dead worker's jobs wait this long. */
  lockDurationMs: number;
  /** How often live workers look for stalled jobs. */
  stalledIntervalMs: number;
  log(line: string): void;
}

export interface RunningWorker {
  /** Stops taking jobs; waits up to `graceMs` for active ones, then hands them back. */
  close(graceMs: number): Promise<{ finished: number; handedBack: number }>;
}

interface Target {
  pipeline: CompiledPipeline;
  env: NodeJS.ProcessEnv;
  /** SDK clients and cooldowns, shared by every job of the target. */
  models: ModelCache;
  /** Knowledge and facts of its agents (one store per worker process), when it has any. */
  memory?: SharedMemory;
}

class ShutdownError extends InterruptedError {}

/** The batch's --max-cost was reached while this row ran. */
class BatchBudgetError extends BudgetExceededError {}

/** How long a row waits before asking the budget again when running rows hold the rest of it. */
const budgetRetryMs = 500;
/** How many times a slot asks before handing the row back to the queue for a moment. */
const budgetPatience = 20;

/**
 * Loads the provider SDKs a target uses before its first call. An adapter imports its SDK on first
 * use, which can take seconds on a busy machine; a rate-limit slot granted just before would be
 * used that much later, and the shared limiter counts a slot as used when it is granted.
 */
async function warmProviders(pipeline: CompiledPipeline): Promise<void> {
  const { warmProviderSdks } = await import('../providers/registry.js');
  const types = new Set(pipeline.steps.flatMap((step) => step.agent.chain.models.map((model) => model.provider.type)));
  await warmProviderSdks([...types]);
}

/** BullMQ could not renew this job's lock: another worker may own it now, so this one stops paying. */
class LockLostError extends InterruptedError {}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { Worker, WaitingError, DelayedError, UnrecoverableError } = await import('bullmq');
  const keys = queueKeys(options.address.name);
  const redis: Redis = await connectRedis(options.address, 'worker');
  useRateLimitBackend(new RedisRateLimiter(redis));
  const targets = new Map<string, Promise<Target>>();
  const active = new Map<string, AbortController>();
  let handedBack = 0;
  let closing = false;
  let finished = 0;
  let root = options.cwd;
  let memory: SharedMemory | undefined;

  // Each target (and model override) is loaded and compiled once, from this worker's project.
  const targetFor = (data: JobData): Promise<Target> => {
    const key = `${data.target}\0${data.modelOverride ?? ''}`;
    let target = targets.get(key);
    if (!target) {
      target = prepareRun({ file: data.target, cwd: options.cwd, mode: 'estimate', ...(data.modelOverride ? { modelOverride: data.modelOverride } : {}) }).then(async (prepared) => {
        root = prepared.root;
        await warmProviders(prepared.pipeline);
        const models = new ModelCache(prepared.env);
        const needsMemory = prepared.pipeline.steps.some((step) => step.agent.knowledge || step.agent.memory?.facts);
        if (needsMemory) memory ??= new SharedMemory(prepared.root, prepared.env, { models });
        return { pipeline: prepared.pipeline, env: prepared.env, models, ...(needsMemory && memory ? { memory } : {}) };
      });
      // A config error is reported per job; the next job tries again (the repo may have been fixed).
      target.catch(() => targets.delete(key));
      targets.set(key, target);
    }
    return target;
  };

  const processJob = async (job: Job<JobData>, token?: string): Promise<RowResult> => {
    const data = job.data;
    const line = data.batch?.line ?? 0;
    const jobId = job.id ?? data.runId;
    const budget = data.budget;
    if (budget) {
      let reservation = await reserve(redis, keys, budget, jobId);
      // The rest of the budget is held by running rows: this slot waits and asks again (the rows
      // behind it stay in the wait list rather than cycling through the workers). After a while the
      // job goes back to the queue for a moment, so a slot is free for a dead worker's job, whose
      // hold is what this row may be waiting for.
      for (let asked = 1; reservation === 'wait'; asked++) {
        if (closing) {
          await job.moveToWait(token);
          throw new WaitingError();
        }
        if (asked > budgetPatience) {
          await job.moveToDelayed(Date.now() + budgetRetryMs, token);
          throw new DelayedError();
        }
        await new Promise((resolve) => setTimeout(resolve, budgetRetryMs));
        reservation = await reserve(redis, keys, budget, jobId);
      }
      // Spent: nothing is recorded; the batch command stops following, and a re-run enqueues the row again.
      if (reservation === 'spent') throw new UnrecoverableError(`batch --max-cost $${budget.limitUsd} reached before this row started`);
    }
    const controller = new AbortController();
    active.set(jobId, controller);
    try {
      let result: RowResult;
      try {
        const target = await targetFor(data);
        const store = new RedisRunStore(redis, keys, root);
        const resume = await store.load(data.runId);
        // A run that continues a thread reads and writes the project's memory store, as `run --thread` does.
        const thread = resume?.thread ?? data.thread;
        if (thread !== undefined) checkThreadFlag(target.pipeline, thread, 'thread');
        const shared = thread !== undefined ? (memory ??= new SharedMemory(root, target.env, { models: target.models })) : target.memory;
        result = await runRow(line, {
          pipeline: target.pipeline,
          target: data.target,
          inputs: resolveInputs(target.pipeline.inputs, data.inputs, { mode: 'run' }),
          runId: data.runId,
          ...(resume ? { resume } : {}),
          // Ports of its own per job (its MCP servers stop when it ends), SDK clients shared.
          ports: createDefaultPorts(target.env, { models: target.models, ...(shared ? { augment: shared.augmentFor(thread) } : {}) }),
          env: target.env,
          signal: controller.signal,
          store,
          ...(data.modelOverride ? { modelOverride: data.modelOverride } : {}),
          ...(thread !== undefined ? { thread } : {}),
          ...(budget
            ? {
                onEvent: (event) => {
                  if (event.type !== 'usage' || event.costUsd <= 0) return;
                  void spend(redis, keys, budget, jobId, event.costUsd).then((spent) => {
                    if (spent >= budget.limitUsd && !controller.signal.aborted)
                      controller.abort(new BatchBudgetError(`batch --max-cost reached: spent ${formatUsd(spent)} of $${budget.limitUsd}`, spent, budget.limitUsd));
                  });
                },
              }
            : {}),
        });
      } catch (error) {
        result = { line, runId: data.runId, status: 'failed', error: error instanceof Error ? error.message : String(error), errorClass: 'config', costUsd: 0 };
      }
      if (budget) await release(redis, keys, budget, jobId);
      if (controller.signal.reason instanceof BatchBudgetError && (result.status === 'interrupted' || result.status === 'budget-exceeded')) {
        // Stopped by the batch's budget, not finished: its state is saved and a re-run resumes it.
        options.log(`job ${job.id}: stopped, ${controller.signal.reason.message} (run ${data.runId} saved)`);
        throw new UnrecoverableError(controller.signal.reason.message);
      }
      if (controller.signal.reason instanceof LockLostError) {
        options.log(`job ${job.id}: lock lost (this worker was too slow to renew it); stopped, left to the worker that took it over`);
        throw controller.signal.reason;
      }
      if (controller.signal.reason instanceof ShutdownError && result.status === 'interrupted') {
        // Handed back: its state is saved; whichever worker takes it next resumes it.
        await job.moveToWait(token);
        handedBack++;
        options.log(`job ${job.id}: handed back (run ${data.runId} saved)`);
        throw new WaitingError();
      }
      await recordResult(redis, keys, data, result);
      finished++;
      options.log(`job ${job.id}: ${result.status}${result.costUsd ? ` ${formatUsd(result.costUsd)}` : ''} (run ${data.runId})`);
      // A failed row is recorded; BullMQ retrying it would only repeat the failure (--retry-failed does it on purpose).
      if (result.status !== 'succeeded') throw new UnrecoverableError(result.error ?? result.status);
      return result;
    } finally {
      active.delete(jobId);
    }
  };

  const worker = new Worker<JobData, RowResult>(options.address.name, processJob, {
    connection: redis.duplicate(),
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    // A job that stalls is resumed from its saved steps, so taking it over again is safe.
    maxStalledCount: 1000,
    autorun: true,
  });
  worker.on('error', (error) => options.log(`worker: ${error.message}`));
  worker.on('lockRenewalFailed', (jobIds: string[]) => {
    for (const id of jobIds) active.get(id)?.abort(new LockLostError(`lost the lock of job ${id}`));
  });
  await worker.waitUntilReady();

  return {
    async close(graceMs: number) {
      closing = true;
      const closed = worker.close();
      const timer = setTimeout(() => {
        for (const controller of active.values()) controller.abort(new ShutdownError('worker shutting down; run state saved, job handed back'));
      }, graceMs);
      await closed;
      clearTimeout(timer);
      useRateLimitBackend(undefined);
      await memory?.close();
      await redis.quit().catch(() => undefined);
      return { finished, handedBack };
    },
  };
}
