// Two batches on one queue share one provider's rpm limit through Redis: the simulator's log of
// calls never holds more than rpm calls in any 60 s window, although the workers could go faster.
// Takes a little over a minute (the limit is per minute, so the test must outlast one).

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../e2e/helpers.js';
import { makeBatchProject, spawnWorker, startRowSimulator, stopWorker, testEnv, workerReady, type WorkerProcess } from './project.js';
import { hasRedis, startRedis } from './redis.js';

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

describe.skipIf(!hasRedis())('shared rate limits', { timeout: 240_000 }, () => {
  it('two batches on two workers keep one provider under rpm in every 60 s window', async () => {
    const rpm = 5;
    const redis = await startRedis();
    cleanup.push(() => redis.stop());
    const root = await makeBatchProject({ rpm });
    const rows = (first: number) => Array.from({ length: 4 }, (_, index) => JSON.stringify({ task: `row-${first + index}` })).join('\n');
    await writeFile(join(root, 'left.jsonl'), rows(1));
    await writeFile(join(root, 'right.jsonl'), rows(101));
    const sim = await startRowSimulator(20);
    cleanup.push(() => sim.close());
    const queue = `${redis.url}?name=rate`;
    const workers: WorkerProcess[] = ['ra', 'rb'].map((name) => spawnWorker(root, sim, queue, name, ['--concurrency', '4']));
    cleanup.push(async () => void (await Promise.all(workers.map(stopWorker))));
    await Promise.all(workers.map((worker) => workerReady(worker)));
    const env = testEnv(sim);
    const [left, right] = await Promise.all([
      runCli(['batch', 'agents/a.yaml', '--inputs', 'left.jsonl', '--queue', queue, '--json'], { cwd: root, env }),
      runCli(['batch', 'agents/a.yaml', '--inputs', 'right.jsonl', '--queue', queue, '--json'], { cwd: root, env }),
    ]);
    expect(left.code, left.stderr).toBe(0);
    expect(right.code, right.stderr).toBe(0);
    const starts = sim.requests.map((request) => request.startMs).sort((a, b) => a - b);
    expect(starts).toHaveLength(8);
    // Both workers called: the limit held across processes, not inside one.
    expect(new Set(sim.requests.map((request) => request.headers['x-worker']))).toEqual(new Set(['ra', 'rb']));
    for (const start of starts) expect(starts.filter((time) => time >= start && time < start + 60_000).length).toBeLessThanOrEqual(rpm);
    // Calls beyond the first rpm waited for the window: the run took over a minute.
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(60_000);
  });
});
