// `batch --queue --max-cost`: the budget lives in Redis and every worker reserves a row's expected
// cost before starting it, so two workers with 8 slots between them do not all start rows the
// budget cannot pay for; rows over the limit are stopped and a re-run resumes them without paying a
// finished step twice. A real redis-server, real BullMQ workers, the wire simulator.

import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, parseQueueAddress } from '../../src/queue/connection.js';
import type { Simulator } from '../../src/sim/index.js';
import { runCli } from '../e2e/helpers.js';
import { billedUsd, makeBatchProject, paidTwice, rowOf, spawnWorker, startRowSimulator, stopWorker, testEnv, workerReady, writeRows, type WorkerProcess } from './project.js';
import { hasRedis, startRedis, type RedisServer } from './redis.js';

/** One call: 20 input tokens at $3/M and 5 output tokens at $15/M; a row is two calls. */
const rowUsd = 2 * ((20 * 3 + 5 * 15) / 1_000_000);

describe.skipIf(!hasRedis())('queue: batch --queue --max-cost', { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let client: Redis;
  let sim: Simulator;
  let root: string;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    client = await connectRedis(parseQueueAddress(redis.url), 'test');
    sim = await startRowSimulator(30);
    root = await makeBatchProject();
  });
  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await client?.quit();
    await sim?.close();
    await redis?.stop();
  });

  it('holds each running row\'s expected cost in Redis: rows the budget cannot pay for do not start; a re-run resumes', async () => {
    const queue = `${redis.url}?name=budget`;
    const name = await writeRows(root, 24, 'budget.jsonl');
    for (const worker of ['b1', 'b2']) workers.push(spawnWorker(root, sim, queue, worker, ['--concurrency', '4']));
    await Promise.all(workers.map((worker) => workerReady(worker)));
    const cli = (args: string[]) => runCli(args, { cwd: root, env: testEnv(sim) });
    const maxCost = 5.5 * rowUsd;

    const first = await cli(['batch', 'templates/two.yaml', '--inputs', name, '--queue', queue, '--max-cost', String(maxCost), '--out', 'budget-out.jsonl', '--json']);
    expect(first.code, first.stderr).toBe(3);
    const billed = billedUsd(sim.requests);
    // Without reservations the 8 slots would start 8 rows at once and pay for all of them.
    const started = new Set(sim.requests.map(rowOf));
    expect(started.size).toBeLessThanOrEqual(7);
    expect(billed).toBeGreaterThanOrEqual(maxCost - rowUsd);
    expect(billed).toBeLessThanOrEqual(maxCost + rowUsd);
    // Every paid call was counted against the budget, and no hold is left once the rows ended.
    const [, keys] = await client.scan('0', 'MATCH', 'agentpipe:budget:budget:*', 'COUNT', 1000);
    const budgetKey = keys.find((key) => !key.endsWith(':holds'))!;
    expect(Number(await client.hget(budgetKey, 'spent'))).toBeCloseTo(billed, 9);
    expect(await client.hlen(`${budgetKey}:holds`)).toBe(0);
    const summary = JSON.parse(first.stdout) as { succeeded: number; notRun: number; costUsd: number };
    expect(summary.succeeded + summary.notRun).toBe(24);
    expect(summary.notRun).toBeGreaterThan(0);
    // The batch's ledger in Redis expires a week after its last result.
    const [, ledgers] = await client.scan('0', 'MATCH', 'agentpipe:budget:batch:*', 'COUNT', 1000);
    expect(await client.ttl(ledgers[0]!)).toBeGreaterThan(6 * 24 * 3600);

    // With room for the rest: every row finishes and no finished step is paid again.
    const again = await cli(['batch', 'templates/two.yaml', '--inputs', name, '--queue', queue, '--max-cost', '1', '--out', 'budget-out.jsonl', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ succeeded: 24 });
    expect(paidTwice(sim.requests)).toEqual([]);
  });
});
