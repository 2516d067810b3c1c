// Two batches on one queue share one provider's rpm limit through Redis: the simulator's log of
// calls never holds more than rpm calls in any 60 s window, although the workers could go faster.
// Takes a little over a minute (the limit is per minute, so the test must outlast one).

import { readFile, writeFile } from 'node:fs/promises';
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
    // A second, unlimited provider on the same simulator: a warm-up batch through it gets each
    // worker past its first call (SDK load, JIT, connection), which on a loaded machine can take
    // longer than the limiter's 1 s margin between granting a slot and the request arriving.
    await writeFile(join(root, 'providers.yaml'), `${await readFile(join(root, 'providers.yaml'), 'utf8')}`.replace('models:\n', 'models:\n  warm/claude-test: { pricing: { input: 3, output: 15 } }\n').replace('providers:\n', 'providers:\n  warm: { type: anthropic }\n'));
    await writeFile(join(root, 'agents/w.yaml'), 'version: 1\nname: w\nmodel: warm/claude-test\ninputs: { task: { type: string } }\nprompt:\n  system: "warm"\n  user: "{{inputs.task}}"\n');
    await writeFile(join(root, 'warm.jsonl'), Array.from({ length: 8 }, (_, index) => JSON.stringify({ task: `row-${900 + index}` })).join('\n'));
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
    expect((await runCli(['batch', 'agents/w.yaml', '--inputs', 'warm.jsonl', '--queue', queue, '--json'], { cwd: root, env })).code).toBe(0);
    sim.reset();
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
