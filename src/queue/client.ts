// The client side of the queue: `batch --queue` enqueues its rows (one job per row, job ids derived
// from the batch and the row so a re-run enqueues nothing twice) and follows the batch's ledger in
// Redis until every row has a result; `run --queue` enqueues one run and can follow its events.

import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ValidRow } from '../batch/plan.js';
import type { RowResult } from '../batch/row.js';
import { newRunId } from '../run/ids.js';
import { connectRedis, queueKeys, type QueueAddress, type QueueKeys } from './connection.js';
import type { JobBudget } from './budget.js';
import { rowJobId, type JobData, type RecordedResult } from './jobs.js';

/** Finished jobs are kept a week, so `queue status` and a re-run of the batch can see them. */
const keepFor = { age: 7 * 24 * 3600 };

export interface QueueClient {
  redis: Redis;
  keys: QueueKeys;
  queue: Queue<JobData>;
  close(): Promise<void>;
}

export async function openQueue(address: QueueAddress): Promise<QueueClient> {
  const { Queue } = await import('bullmq');
  const redis = await connectRedis(address, 'client');
  const queue = new Queue<JobData>(address.name, { connection: redis.duplicate(), defaultJobOptions: { removeOnComplete: keepFor, removeOnFail: keepFor } });
  queue.on('error', () => undefined);
  return {
    redis,
    keys: queueKeys(address.name),
    queue,
    async close() {
      await queue.close().catch(() => undefined);
      await redis.quit().catch(() => undefined);
    },
  };
}

/** The batch's results recorded so far, by line. */
export async function batchResults(client: QueueClient, batchId: string): Promise<Map<number, RecordedResult>> {
  const all = await client.redis.hgetall(client.keys.batch(batchId));
  return new Map(Object.entries(all).map(([line, text]) => [Number(line), JSON.parse(text) as RecordedResult]));
}

export interface EnqueueBatch {
  batchId: string;
  target: string;
  modelOverride?: string;
  rows: ValidRow[];
  /** Rows whose recorded failure is forgotten and whose job is enqueued afresh. */
  retry: ValidRow[];
  /** The --max-cost budget every row's job carries. */
  budget?: JobBudget;
}

type PendingRow = ValidRow & { runId?: string };

export async function enqueueBatch(client: QueueClient, batch: EnqueueBatch): Promise<void> {
  for (const row of batch.retry) await client.redis.hdel(client.keys.batch(batch.batchId), String(row.line));
  // A row with no result may still have a job from an earlier command: one that ended without a
  // result (stopped by a --max-cost) or that waits with that command's budget. It is enqueued
  // afresh with this command's budget, keeping its run id so its finished steps are not paid again.
  // A job a worker is running is left to finish.
  const rows = batch.rows as PendingRow[];
  const skip = new Set<number>();
  for (let start = 0; start < rows.length; start += 100) {
    await Promise.all(
      rows.slice(start, start + 100).map(async (row) => {
        const job = await client.queue.getJob(rowJobId(batch.batchId, row.line, row.hash));
        if (!job) return;
        if (job.data.runId) row.runId = job.data.runId;
        if ((await job.getState()) === 'active') return void skip.add(row.line);
        await job.remove().catch(() => skip.add(row.line));
      }),
    );
  }
  const jobs = rows
    .filter((row) => !skip.has(row.line))
    .map((row) => ({
      name: 'row',
      data: {
        target: batch.target,
        inputs: row.inputs,
        runId: row.runId ?? newRunId(),
        ...(batch.modelOverride ? { modelOverride: batch.modelOverride } : {}),
        batch: { id: batch.batchId, line: row.line, hash: row.hash },
        ...(batch.budget ? { budget: batch.budget } : {}),
      },
      opts: { jobId: rowJobId(batch.batchId, row.line, row.hash) },
    }));
  for (let start = 0; start < jobs.length; start += 500) await client.queue.addBulk(jobs.slice(start, start + 500));
}

export interface FollowOptions {
  batchId: string;
  lines: Map<number, string>;
  signal: AbortSignal;
  /** Called once per row as its result appears. */
  onResult(result: RowResult): void;
  /** Stop (withdraw waiting rows, wait for running ones) when this resolves true after a poll. */
  shouldStop?(): boolean | Promise<boolean>;
  pollMs?: number;
}

/**
 * Polls the ledger until every line has a result of the same row text (or the follow is stopped).
 * Once stopped, rows still waiting are withdrawn and the rows workers are running are followed to
 * their end: a result, or a job that ended without one (stopped by the budget).
 */
export async function followBatch(client: QueueClient, options: FollowOptions): Promise<{ results: RowResult[]; stopped: boolean }> {
  const results = new Map<number, RowResult>();
  const key = client.keys.batch(options.batchId);
  let lines = [...options.lines.keys()];
  let stopped = false;
  const jobId = (line: number) => rowJobId(options.batchId, line, options.lines.get(line)!);
  while (results.size < lines.length && !options.signal.aborted) {
    const pending = lines.filter((line) => !results.has(line));
    for (let start = 0; start < pending.length; start += 1000) {
      const chunk = pending.slice(start, start + 1000);
      const texts = await client.redis.hmget(key, ...chunk.map(String));
      for (const [index, text] of texts.entries()) {
        if (text === null) continue;
        const result = JSON.parse(text) as RecordedResult;
        const line = chunk[index]!;
        if (result.hash !== options.lines.get(line)) continue;
        delete result.hash;
        results.set(line, result);
        options.onResult(result);
      }
    }
    if (stopped) {
      // Follow only rows a worker still runs.
      const running = await Promise.all(lines.filter((line) => !results.has(line)).map(async (line) => ((await (await client.queue.getJob(jobId(line)))?.getState()) === 'active' ? line : undefined)));
      lines = [...results.keys(), ...running.filter((line): line is number => line !== undefined)];
    } else if (results.size < lines.length && (await options.shouldStop?.())) {
      stopped = true;
      await withdraw(client, lines.filter((line) => !results.has(line)).map(jobId));
      continue;
    }
    if (results.size < lines.length) await sleep(options.pollMs ?? 250, options.signal);
  }
  return { results: [...results.values()], stopped: stopped || options.signal.aborted };
}

/**
 * Removes rows still waiting; rows a worker is running finish (a locked job cannot be removed), and a
 * job that ended without a result (stopped by the budget) stays: it keeps the run id a re-run resumes.
 */
async function withdraw(client: QueueClient, jobIds: string[]): Promise<void> {
  for (const id of jobIds) {
    const job = await client.queue.getJob(id);
    const state = await job?.getState();
    if (state === 'waiting' || state === 'delayed' || state === 'prioritized') await job!.remove().catch(() => undefined);
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
