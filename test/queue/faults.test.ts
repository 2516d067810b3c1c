// Fault tests on a real queue: workers SIGKILLed mid-step (20 kills across 200 rows on 3 workers),
// and Redis killed and restarted mid-batch. Every row completes once; no step is paid again after
// it completed (the simulator's log of answered calls); the batch ledger equals what the simulator
// billed.

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SimRequest, Simulator } from '../../src/sim/index.js';
import { readJsonLines, spawnCli } from '../e2e/helpers.js';
import { billedUsd, makeBatchProject, rowOf, stepOf, paidTwice, spawnWorker, startRowSimulator, stopWorker, testEnv, workerReady, writeRows, type WorkerProcess } from './project.js';
import { hasRedis, startRedis, type RedisServer } from './redis.js';

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

// `npm test` runs a smaller version; `npm run soak` (bench/soak.mjs) runs the full 200 rows and 20 kills.
const soak = process.env['AGENTPIPE_SOAK'] === '1';
const size = soak ? { rows: 200, kills: 20 } : { rows: 45, kills: 5 };

describe.skipIf(!hasRedis())('queue faults', { timeout: soak ? 900_000 : 300_000 }, () => {
  it(`SIGKILL a worker mid-step ${size.kills} times across ${size.rows} rows on 3 workers: all rows complete, nothing paid twice, ledger = billed`, async () => {
    const { rows, kills } = size;
    // Every `every`-th call triggers a kill, so the kills spread over the whole batch.
    const every = Math.floor((rows * 2) / (kills + 1));
    const redis = await startRedis();
    cleanup.push(() => redis.stop());
    const root = await makeBatchProject();
    await writeRows(root, rows);
    const workers = new Map<string, WorkerProcess>();
    let sim: Simulator | undefined;
    let killed = 0;
    let seen = 0;
    const queue = `${redis.url}?name=kills`;
    // Each worker runs one job at a time, so the call that triggers a kill is the only one its
    // worker has in flight. That call is held 10 s by the simulator, so its worker is dead (and its
    // socket closed, which can take a while on a loaded machine) before any answer: the call is not
    // billed, and every step before it was saved.
    // A lock short enough to keep the test short, long enough that a busy machine (a worker's first
    // job compiles the project and loads the SDK, seconds of CPU on a loaded 2-core box) does not
    // miss a lock renewal and look dead while it is still running the job.
    const extra = ['--concurrency', '1', '--lock-duration', '15s'];
    const spawnNamed = (name: string) => {
      const worker = spawnWorker(root, sim!, queue, name, extra);
      workers.set(name, worker);
      return worker;
    };
    const onRequest = (request: SimRequest) => {
      seen++;
      if (seen % every !== 0 || killed >= kills) return;
      const name = request.headers['x-worker'];
      const victim = name ? workers.get(name) : undefined;
      if (!victim) return;
      killed++;
      setTimeout(() => {
        victim.child.kill('SIGKILL');
        void victim.exited.then(() => spawnNamed(victim.name));
      }, 30);
      return 10_000;
    };
    sim = await startRowSimulator(150, onRequest);
    cleanup.push(() => sim!.close());
    cleanup.push(async () => void (await Promise.all([...workers.values()].map(stopWorker))));
    await Promise.all(['k1', 'k2', 'k3'].map((name) => workerReady(spawnNamed(name))));

    const { done } = spawnCli(['batch', 'templates/two.yaml', '--inputs', 'rows.jsonl', '--queue', queue, '--out', 'out.jsonl', '--json'], { cwd: root, env: testEnv(sim) });
    const result = await done;
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(killed).toBe(kills);
    const lines = await readJsonLines(join(root, 'out.jsonl'));
    expect(lines.map((line) => line['line'])).toEqual(Array.from({ length: rows }, (_, index) => index + 1));
    expect(lines.every((line, index) => line['status'] === 'succeeded' && line['output'] === `ok row-${index + 1}`)).toBe(true);
    // Killed calls were cut before their answers; no step answered once was called again.
    expect(sim.requests.filter((request) => !request.completed).length).toBeGreaterThanOrEqual(kills);
    const twice = paidTwice(sim.requests);
    const explain = twice.map(({ row }) => sim!.requests.filter((request) => rowOf(request) === row).map((request) => `row ${row} ${stepOf(request)} by ${request.headers['x-worker']} at ${Math.round(request.startMs)} answered ${request.completed}`).join('; '));
    expect(twice, explain.join('\n')).toEqual([]);
    const summary = JSON.parse(result.stdout) as { costUsd: number; succeeded: number };
    expect(summary.succeeded).toBe(rows);
    expect(summary.costUsd).toBeCloseTo(billedUsd(sim.requests), 9);
  });

  it('Redis killed and restarted mid-batch: workers and the client reconnect; no row lost or duplicated', async () => {
    const rows = 40;
    const redis = await startRedis({ persistent: true });
    cleanup.push(() => redis.stop());
    const root = await makeBatchProject();
    await writeRows(root, rows);
    const sim = await startRowSimulator(150);
    cleanup.push(() => sim.close());
    const queue = `${redis.url}?name=restart`;
    const workers = ['r1', 'r2'].map((name) => spawnWorker(root, sim, queue, name, ['--concurrency', '2', '--lock-duration', '10s']));
    cleanup.push(async () => void (await Promise.all(workers.map(stopWorker))));
    await Promise.all(workers.map((worker) => workerReady(worker)));
    const { done } = spawnCli(['batch', 'templates/two.yaml', '--inputs', 'rows.jsonl', '--queue', queue, '--out', 'out.jsonl', '--json'], { cwd: root, env: testEnv(sim) });
    while (sim.requests.filter((request) => request.completed).length < 24) await new Promise((resolve) => setTimeout(resolve, 20));
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await redis.restart();
    const result = await done;
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const lines = await readJsonLines(join(root, 'out.jsonl'));
    expect(lines.map((line) => line['line'])).toEqual(Array.from({ length: rows }, (_, index) => index + 1));
    expect(lines.every((line, index) => line['status'] === 'succeeded' && line['output'] === `ok row-${index + 1}`)).toBe(true);
    expect(new Set(lines.map((line) => line['runId'])).size).toBe(rows);
    expect(JSON.parse(result.stdout)).toMatchObject({ succeeded: rows, failed: 0 });
  });
});
