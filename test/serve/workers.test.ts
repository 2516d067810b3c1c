// Where runs execute: worker threads by default (the HTTP thread only serves requests), or the HTTP
// thread itself with --workers 0; the same API, events and outcomes either way. A worker thread
// that dies mid-run ends its runs interrupted with every finished step kept, is replaced, and serve
// stays up: the run resumes through the API without paying for a finished step again.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InlineExecutor, WorkerPool } from '../../src/serve/runner.js';
import { agentYaml, chainTemplate, pause, stepOf } from '../e2e/helpers.js';
import { api, readSse, startFixture, waitForStatus, type ServeFixture } from './helpers.js';

const files = { 'agents/worker.yaml': agentYaml('worker'), 'templates/steps.yaml': chainTemplate('steps', ['a', 'b', 'c']) };

let fixture: ServeFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const logLines = async (root: string, id: string) =>
  (await readFile(join(root, '.agentpipe', 'runs', id, 'events.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

describe('serve --workers', () => {
  for (const workers of [0, 2]) {
    it(`runs pipelines ${workers === 0 ? 'on the HTTP thread (--workers 0)' : 'in 2 worker threads'} with the same events and outcome`, async () => {
      fixture = await startFixture({ files, workers, latencyMs: 30 });
      const executor = fixture.server.context.runner.executor;
      expect(executor).toBeInstanceOf(workers === 0 ? InlineExecutor : WorkerPool);
      if (executor instanceof WorkerPool) expect(executor.slots).toHaveLength(2);
      const ids = await Promise.all([1, 2, 3].map(async () => (await api(fixture!.url, '/v1/runs', { body: { target: 'steps' } })).body.id as string));
      const streams = await Promise.all(ids.map((id) => readSse(`${fixture!.url}/v1/runs/${id}/events`)));
      for (const [position, id] of ids.entries()) {
        const finished = await waitForStatus(fixture.url, id, ['succeeded', 'failed', 'interrupted']);
        expect(finished.status).toBe('succeeded');
        expect(finished.outputs).toEqual({ last: 'done' });
        const log = await logLines(fixture.root, id);
        // Every event of the log, in order, as the log holds it.
        expect(streams[position]!.events.map((event) => event.data)).toEqual(log);
        expect(log.at(-1)).toMatchObject({ type: 'run-end', status: 'succeeded' });
      }
      // A late subscriber to a finished run gets the whole log too.
      expect((await readSse(`${fixture.url}/v1/runs/${ids[0]}/events`)).events.map((event) => event.data)).toEqual(await logLines(fixture.root, ids[0]!));
      // With worker threads the HTTP thread never checkpoints the store's WAL; a worker does.
      expect(fixture.server.context.database.prepare('PRAGMA wal_autocheckpoint').get()).toEqual({ wal_autocheckpoint: workers === 0 ? 1000 : 0 });
      if (workers > 0) {
        // The runs' rows reach the database file itself (not only its WAL) only through a checkpoint.
        const inFile = async () => (await readFile(join(fixture!.root, '.agentpipe', 'store.db'))).includes(ids[2]!);
        for (let tries = 0; tries < 300 && !(await inFile()); tries++) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await inFile()).toBe(true);
      }
    });
  }

  it('a worker thread dying mid-run: the run ends interrupted with its finished steps kept, serve stays up, a new thread takes over, and resume pays nothing twice', async () => {
    fixture = await startFixture({ files, latencyMs: 400 });
    const pool = fixture.server.context.runner.executor;
    expect(pool).toBeInstanceOf(WorkerPool);
    const { body } = await api(fixture.url, '/v1/runs', { body: { target: 'steps' } });
    const stream = readSse(`${fixture.url}/v1/runs/${body.id}/events`);
    for (;;) {
      const run = await api(fixture.url, `/v1/runs/${body.id}`);
      if (run.body.steps?.a?.status === 'succeeded') break;
      await pause(20);
    }
    const dead = (pool as WorkerPool).slots[0]!.worker;
    await dead.terminate();

    const stopped = await waitForStatus(fixture.url, body.id, ['interrupted', 'failed', 'succeeded']);
    expect(stopped.status).toBe('interrupted');
    expect(stopped.errorClass).toBe('worker_exit');
    expect(stopped.error).toMatch(/run worker thread exited .*finished steps are saved/);
    expect(stopped.steps.a.status).toBe('succeeded');
    expect(stopped.costUsd).toBeGreaterThan(0);
    // Followers are not left hanging: the stream ends.
    expect((await stream).events.length).toBeGreaterThan(0);

    // serve is up, with a fresh thread in place of the dead one.
    expect((await api(fixture.url, '/healthz')).status).toBe(200);
    expect((pool as WorkerPool).replaced).toBe(1);
    expect((pool as WorkerPool).slots[0]!.worker).not.toBe(dead);

    const callsBefore = fixture.sim.requests.map(stepOf);
    expect((await api(fixture.url, `/v1/runs/${body.id}/resume`, { method: 'POST' })).status).toBe(202);
    const finished = await waitForStatus(fixture.url, body.id, ['succeeded', 'failed', 'interrupted']);
    expect(finished.status).toBe('succeeded');
    expect(finished.outputs).toEqual({ last: 'done' });
    const calls = fixture.sim.requests.map(stepOf);
    expect(calls.filter((step) => step === 'a')).toHaveLength(1);
    expect(calls.slice(callsBefore.length)).not.toContain('a');
  }, 60_000);
});
