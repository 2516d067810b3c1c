// `batch --queue --max-cost`: one budget per batch command in Redis, shared by every worker.
// Before a row starts, its worker reserves the row's expected cost; a row starts only while the
// spend so far plus every reservation held leaves room for it (or when no reservation is held at
// all, so a budget smaller than one row still runs a row). Each paid call adds to the spend and
// uses up the row's reservation; a row over the limit is stopped (state saved, resumed by a re-run).
// Reservations are kept per job: a worker that takes over a dead worker's job replaces its hold.

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { QueueKeys } from './connection.js';

/** What a batch job carries when its batch has a --max-cost. */
export interface JobBudget {
  id: string;
  limitUsd: number;
  /** Held for the row before it starts: the batch's expected cost per row. */
  reserveUsd: number;
}

/** Budget keys expire a week after their last change, with the batch's ledger. */
const ttlSeconds = 7 * 24 * 3600;

// KEYS: budget hash (spent), holds hash (job id -> USD held). ARGV: limit, amount, job id, ttl.
// Returns 1 (reserved), 0 (no room yet: others hold the rest) or -1 (the budget is spent).
const reserveScript = `
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent') or '0')
local limit = tonumber(ARGV[1])
if spent >= limit then return -1 end
local held = 0
local holds = redis.call('HGETALL', KEYS[2])
for i = 1, #holds, 2 do
  if holds[i] ~= ARGV[3] then held = held + tonumber(holds[i + 1]) end
end
if held > 0 and spent + held + tonumber(ARGV[2]) > limit then return 0 end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
`;

// KEYS: budget hash, holds hash. ARGV: cost, job id. Adds the cost and uses up the job's hold; returns the spend.
const spendScript = `
local spent = redis.call('HINCRBYFLOAT', KEYS[1], 'spent', ARGV[1])
local hold = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
if hold > 0 then
  local left = hold - tonumber(ARGV[1])
  if left > 0 then redis.call('HSET', KEYS[2], ARGV[2], tostring(left)) else redis.call('HDEL', KEYS[2], ARGV[2]) end
end
return spent
`;

const keysOf = (keys: QueueKeys, id: string) => [keys.budget(id), `${keys.budget(id)}:holds`] as const;

/** Opens a budget for one batch command: `spentBefore` (rows finished earlier) counts against it. */
export async function createBudget(redis: Redis, keys: QueueKeys, limitUsd: number, spentBefore: number, reserveUsd: number): Promise<JobBudget> {
  const id = randomBytes(8).toString('hex');
  const [budget] = keysOf(keys, id);
  await redis.multi().hset(budget, 'spent', String(spentBefore), 'limit', String(limitUsd)).expire(budget, ttlSeconds).exec();
  return { id, limitUsd, reserveUsd };
}

/** The spend recorded against a budget so far. */
export async function budgetSpent(redis: Redis, keys: QueueKeys, id: string): Promise<number> {
  return Number((await redis.hget(keys.budget(id), 'spent')) ?? 0);
}

/** USD held by rows running now. */
export async function budgetHeld(redis: Redis, keys: QueueKeys, id: string): Promise<number> {
  const holds = await redis.hvals(keysOf(keys, id)[1]);
  return holds.reduce((sum, value) => sum + Number(value), 0);
}

export type Reservation = 'reserved' | 'wait' | 'spent';

export async function reserve(redis: Redis, keys: QueueKeys, budget: JobBudget, jobId: string): Promise<Reservation> {
  const result = Number(await redis.eval(reserveScript, 2, ...keysOf(keys, budget.id), String(budget.limitUsd), String(budget.reserveUsd), jobId, String(ttlSeconds)));
  return result === 1 ? 'reserved' : result === 0 ? 'wait' : 'spent';
}

/** Adds a paid call; resolves with the batch's spend after it. */
export async function spend(redis: Redis, keys: QueueKeys, budget: JobBudget, jobId: string, costUsd: number): Promise<number> {
  return Number(await redis.eval(spendScript, 2, ...keysOf(keys, budget.id), String(costUsd), jobId));
}

/** Gives back what is left of a job's hold (its row ended). */
export async function release(redis: Redis, keys: QueueKeys, budget: JobBudget, jobId: string): Promise<void> {
  await redis.hdel(keysOf(keys, budget.id)[1], jobId);
}
