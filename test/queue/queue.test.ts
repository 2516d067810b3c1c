// The queue end to end: `batch --queue` with two `agentpipe worker` processes, `queue status`,
// `run --queue --follow`, and a worker's SIGTERM grace (finish, or hand back and be resumed).
// A real redis-server, real BullMQ, the real CLI, the wire simulator.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { readJsonLines, runCli } from '../e2e/helpers.js';
import { billedUsd, makeBatchProject, paidTwice, spawnWorker, startRowSimulator, stopWorker, testEnv, workerReady, writeRows, type WorkerProcess } from './project.js';
import { hasRedis, startRedis, type RedisServer } from './redis.js';

describe.skipIf(!hasRedis())('queue: batch --queue, worker, queue status, run --queue', { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let sim: Simulator;
  let latencyMs = 20;
  let root: string;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    // Latency is read per request, so a test can change it.
    sim = await startRowSimulator(() => latencyMs);
    root = await makeBatchProject();
  });
  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await sim?.close();
    await redis?.stop();
  });

  const cli = (args: string[]) => runCli(args, { cwd: root, env: testEnv(sim) });
  const startWorkers = async (queue: string, names: string[], extra: string[] = []) => {
    const started = names.map((name) => spawnWorker(root, sim, queue, name, extra));
    workers.push(...started);
    await Promise.all(started.map((worker) => workerReady(worker)));
    return started;
  };

  it('runs a batch on two workers, writes results in input order; queue status shows the jobs and the spend', async () => {
    const queue = `${redis.url}?name=two`;
    await writeRows(root, 12, 'twelve.jsonl');
    const [one, two] = await startWorkers(queue, ['w1', 'w2'], ['--concurrency', '3']);
    const result = await cli(['batch', 'templates/two.yaml', '--inputs', 'twelve.jsonl', '--queue', queue, '--out', 'twelve-out.jsonl', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { succeeded: number; costUsd: number };
    expect(summary.succeeded).toBe(12);
    const lines = await readJsonLines(join(root, 'twelve-out.jsonl'));
    expect(lines.map((line) => line['output'])).toEqual(Array.from({ length: 12 }, (_, index) => `ok row-${index + 1}`));
    // Both workers took jobs (the x-worker header names the one that made each call).
    const callers = new Set(sim.requests.map((request) => request.headers['x-worker']));
    expect(callers).toEqual(new Set(['w1', 'w2']));
    expect(summary.costUsd).toBeCloseTo(billedUsd(sim.requests), 9);
    // Workers keep run state and events in Redis: no run folder was written for these rows.
    const runIds = lines.map((line) => line['runId'] as string);
    const folders = await readdir(join(root, '.agentpipe', 'runs')).catch(() => [] as string[]);
    expect(runIds.filter((runId) => folders.includes(runId))).toEqual([]);

    const status = await cli(['queue', 'status', '--queue', queue, '--json']);
    expect(status.code).toBe(0);
    const counts = JSON.parse(status.stdout) as Record<string, number>;
    expect(counts).toMatchObject({ waiting: 0, active: 0, failed: 0, completed: 12, workers: 2 });
    expect(counts['spendUsd']).toBeCloseTo(summary.costUsd, 9);

    // The same command again: nothing enqueued, nothing paid, exit 0.
    const calls = sim.requests.length;
    const again = await cli(['batch', 'templates/two.yaml', '--inputs', 'twelve.jsonl', '--queue', queue, '--out', 'twelve-out.jsonl', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ resumed: 12 });
    expect(sim.requests.length).toBe(calls);
    await Promise.all([stopWorker(one!), stopWorker(two!)]);
  });

  it('run --queue --follow shows the events live and prints the answer', async () => {
    const queue = `${redis.url}?name=follow`;
    await startWorkers(queue, ['wf']);
    const followed = await cli(['run', 'agents/a.yaml', '--input', 'task=row-77', '--queue', queue, '--follow']);
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout.trim()).toBe('ok row-77');
    expect(followed.stderr).toMatch(/started: agent a/);
    const json = await cli(['run', 'agents/a.yaml', '--input', 'task=row-78', '--queue', queue, '--follow', '--json']);
    const events = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; status?: string; output?: string });
    expect(events.map((event) => event.type)).toContain('step-start');
    expect(events.at(-1)).toMatchObject({ type: 'run-result', status: 'succeeded', output: 'ok row-78' });
    const queued = await cli(['run', 'agents/a.yaml', '--input', 'task=row-79', '--queue', queue]);
    expect(queued.code).toBe(0);
    expect(queued.stdout.trim()).toMatch(/^\d{8}-\d{6}-\d{3}-[0-9a-f]{6}$/);
    expect((await cli(['run', 'agents/a.yaml', '--queue', 'http://nope'])).code).toBe(2);
  });

  it('SIGTERM: an active job finishes within the grace period; past it, it is handed back and resumed elsewhere', async () => {
    const queue = `${redis.url}?name=grace`;
    await writeRows(root, 1, 'one.jsonl', 500);
    await writeRows(root, 1, 'other.jsonl', 600);
    latencyMs = 1500;
    // Finish: the call in flight answers in 1.5 s, well inside a 20 s grace.
    const [patient] = await startWorkers(queue, ['patient'], ['--grace', '20s']);
    const batch = cli(['batch', 'templates/two.yaml', '--inputs', 'one.jsonl', '--queue', queue, '--json']);
    await waitFor(() => sim.requests.some((request) => request.headers['x-worker'] === 'patient'));
    patient!.child.kill('SIGTERM');
    const [code] = await patient!.exited;
    expect(code).toBe(0);
    expect(patient!.log()).toContain('worker stopped');
    expect(patient!.log()).not.toMatch(/job .*: handed back/);
    const standby = await startWorkers(queue, ['standby']);
    const finished = await batch;
    expect(finished.code, finished.stdout + finished.stderr).toBe(0);
    await stopWorker(standby[0]!);

    // Hand back: a 300 ms grace cannot wait for the 1.5 s call; another worker resumes the run.
    const [hasty] = await startWorkers(queue, ['hasty'], ['--grace', '300ms']);
    const handed = cli(['batch', 'templates/two.yaml', '--inputs', 'other.jsonl', '--queue', queue, '--json']);
    await waitFor(() => sim.requests.some((request) => request.headers['x-worker'] === 'hasty' && JSON.stringify(request.body).includes('MARK-b')));
    hasty!.child.kill('SIGTERM');
    const [hastyCode] = await hasty!.exited;
    expect(hastyCode).toBe(0);
    expect(hasty!.log()).toContain('handed back');
    await startWorkers(queue, ['heir']);
    const result = await handed;
    expect(result.code, result.stderr).toBe(0);
    expect(paidTwice(sim.requests)).toEqual([]);
    const heirCalls = sim.requests.filter((request) => request.headers['x-worker'] === 'heir');
    // The heir ran only the second step: the first was saved by the worker that handed it back.
    expect(heirCalls.every((request) => JSON.stringify(request.body).includes('MARK-b'))).toBe(true);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
