// `run --queue --thread`: a queued run continues a conversation thread as `run --thread` does. The
// worker records each turn in the project's memory store, and the next queued run of the thread
// sends the earlier turns to the model. A template cannot have a thread: refused before enqueueing.
// A real redis-server, real BullMQ, the real CLI, the wire simulator.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { runCli } from '../e2e/helpers.js';
import { makeBatchProject, spawnWorker, startRowSimulator, stopWorker, testEnv, workerReady, type WorkerProcess } from './project.js';
import { hasRedis, startRedis, type RedisServer } from './redis.js';

describe.skipIf(!hasRedis())('queue: run --queue --thread', { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let sim: Simulator;
  let root: string;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    sim = await startRowSimulator(5);
    root = await makeBatchProject();
  });
  afterAll(async () => {
    if (worker) await stopWorker(worker);
    await sim?.close();
    await redis?.stop();
  });
  const cli = (args: string[]) => runCli(args, { cwd: root, env: testEnv(sim) });

  it('continues the thread across queued runs, and refuses a thread on a template', async () => {
    const queue = `${redis.url}?name=threads`;
    worker = spawnWorker(root, sim, queue, 'wt');
    await workerReady(worker);

    const first = await cli(['run', 'agents/a.yaml', '--input', 'task=row-41', '--queue', queue, '--thread', 'chat-1', '--follow']);
    expect(first.code, `${first.stderr}\n${worker.log()}`).toBe(0);
    expect(first.stdout.trim()).toBe('ok row-41');
    sim.reset();
    const second = await cli(['run', 'agents/a.yaml', '--input', 'task=row-42', '--queue', queue, '--thread', 'chat-1', '--follow']);
    expect(second.code, second.stderr).toBe(0);
    // The second call carries the first turn (question and answer) before its own question.
    const [call] = sim.requests;
    const body = JSON.stringify(call?.body);
    expect(body).toContain('task=row-41');
    expect(body).toContain('ok row-41');
    expect(body.indexOf('task=row-41')).toBeLessThan(body.indexOf('task=row-42'));

    // A run without --thread stays stateless.
    sim.reset();
    expect((await cli(['run', 'agents/a.yaml', '--input', 'task=row-43', '--queue', queue, '--follow'])).code).toBe(0);
    expect(JSON.stringify(sim.requests[0]?.body)).not.toContain('row-41');

    // The thread is in the project's memory store, as a local run's would be.
    const shown = await cli(['memory', 'show', 'chat-1', '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const turns = (JSON.parse(shown.stdout) as { turns: Array<{ role: string; content: string }> }).turns;
    expect(turns.map((turn) => turn.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(turns[2]?.content).toBe('task=row-42');

    sim.reset();
    const template = await cli(['run', 'templates/two.yaml', '--input', 'task=row-44', '--queue', queue, '--thread', 'chat-2']);
    expect(template.code).toBe(2);
    expect(template.stderr).toContain('cannot be used with a template');
    const bad = await cli(['run', 'agents/a.yaml', '--input', 'task=row-45', '--queue', queue, '--thread', 'no spaces']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a thread id');
    expect(sim.requests).toHaveLength(0);
  });
});
