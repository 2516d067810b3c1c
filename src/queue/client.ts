// The client side of the queue: `batch --queue` enqueues its rows (one job per row, job ids derived
// from the batch and the row so a re-run enqueues nothing twice) and follows the batch's ledger in
// Redis until every row has a result; `run --queue` enqueues one run and can follow its events.

import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ValidRow } from '../batch/plan.js';
import type { RowResult } from '../batch/row.js';
import { newRunId } from '../run/ids.js';
import { connectRedis, queueKeys, type QueueAddress, type QueueKeys } from './connection.js';
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
}

export async function enqueueBatch(client: QueueClient, batch: EnqueueBatch): Promise<void> {
  for (const row of batch.retry) {
    const id = rowJobId(batch.batchId, row.line, row.hash);
    const job = await client.queue.getJob(id);
    // The failed run is resumed by the new job: its finished steps are not paid again.
    if (job?.data.runId) (row as ValidRow & { runId?: string }).runId = job.data.runId;
    await job?.remove().catch(() => undefined);
    await client.redis.hdel(client.keys.batch(batch.batchId), String(row.line));
  }
  const jobs = batch.rows.map((row) => ({
    name: 'row',
    data: {
      target: batch.target,
      inputs: row.inputs,
      runId: (row as ValidRow & { runId?: string }).runId ?? newRunId(),
      ...(batch.modelOverride ? { modelOverride: batch.modelOverride } : {}),
      batch: { id: batch.batchId, line: row.line, hash: row.hash },
    },
    opts: { jobId: rowJobId(batch.batchId, row.line, row.hash) },
  }));
  // A job id that already exists is left as it is (BullMQ ignores the add), with its run id.
  for (let start = 0; start < jobs.length; start += 500) await client.queue.addBulk(jobs.slice(start, start + 500));
}

export interface FollowOptions {
  batchId: string;
  lines: Map<number, string>;
  signal: AbortSignal;
  /** Called once per row as its result appears. */
  onResult(result: RowResult): void;
  /** Stop following (and withdraw waiting rows) when this returns true after a result. */
  shouldStop?(): boolean;
  pollMs?: number;
}

/** Polls the ledger until every line has a result of the same row text (or the follow is stopped). */
export async function followBatch(client: QueueClient, options: FollowOptions): Promise<{ results: RowResult[]; stopped: boolean }> {
  const results = new Map<number, RowResult>();
  const key = client.keys.batch(options.batchId);
  const lines = [...options.lines.keys()];
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
    if (options.shouldStop?.()) {
      await withdraw(client, options.batchId, lines.filter((line) => !results.has(line)).map((line) => rowJobId(options.batchId, line, options.lines.get(line)!)));
      return { results: [...results.values()], stopped: true };
    }
    if (results.size < lines.length) await sleep(options.pollMs ?? 250, options.signal);
  }
  return { results: [...results.values()], stopped: options.signal.aborted };
}

/** Removes rows still waiting; rows a worker is running finish (a locked job cannot be removed). */
async function withdraw(client: QueueClient, _batchId: string, jobIds: string[]): Promise<void> {
  for (const id of jobIds) {
    const job = await client.queue.getJob(id);
    if (job && (await job.getState()) !== 'active') await job.remove().catch(() => undefined);
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
