// What a queued job carries, and how results are recorded once per row whichever worker ran it.

import type { Redis } from 'ioredis';
import type { RowResult } from '../batch/row.js';
import type { JobBudget } from './budget.js';
import type { QueueKeys } from './connection.js';

export interface JobData {
  /** The agent or template file, relative to the workers' project root. */
  target: string;
  inputs: Record<string, unknown>;
  /** Chosen by the client, so whichever worker takes the job resumes the same run. */
  runId: string;
  modelOverride?: string;
  /** `run --queue --thread`: the conversation thread the run continues (an agent's run only). */
  thread?: string;
  /** Set for a batch row: where its result goes. */
  batch?: { id: string; line: number; hash: string };
  /** The batch's --max-cost, shared by every worker through Redis. */
  budget?: JobBudget;
}

/** How long a batch's ledger is kept after its last result: as long as BullMQ keeps finished jobs. */
export const batchLedgerTtlSeconds = 7 * 24 * 3600;

/** A batch row's job id: one job per row and row text, so enqueueing again is a no-op. */
export const rowJobId = (batchId: string, line: number, hash: string) => `${batchId}-${line}-${hash}`;

export interface RecordedResult extends RowResult {
  hash?: string;
}

// Writes the result unless one is there, and adds its spend only then: a job finished twice (a
// worker that died after recording, its job taken over) is counted once. A batch's ledger expires a
// week after its last result (ARGV[4], 0 for the shared results of `run --queue`).
const recordScript = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
if tonumber(ARGV[4]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
redis.call('HINCRBYFLOAT', KEYS[2], 'total', ARGV[3])
for i = 5, #ARGV, 2 do
  redis.call('HINCRBYFLOAT', KEYS[2], 'model:' .. ARGV[i], ARGV[i + 1])
end
return 1
`;

export async function recordResult(redis: Redis, keys: QueueKeys, data: JobData, result: RowResult): Promise<boolean> {
  const [key, field] = data.batch ? [keys.batch(data.batch.id), String(data.batch.line)] : [keys.runResults, data.runId];
  const value: RecordedResult = { ...result, ...(data.batch ? { hash: data.batch.hash } : {}) };
  const models = Object.entries(result.costByModel ?? {}).flatMap(([model, cost]) => [model, String(cost)]);
  const ttl = data.batch ? String(batchLedgerTtlSeconds) : '0';
  const written = await redis.eval(recordScript, 2, key, keys.spend, field, JSON.stringify(value), String(result.costUsd), ttl, ...models);
  return Number(written) === 1;
}
