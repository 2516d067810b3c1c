// Killing serve mid-run: SIGKILL leaves the run `running` in the index; the next serve resumes it
// from run.json without calling finished steps again, and nothing in the run's files is lost.
// SIGTERM stops gracefully: the run is saved as interrupted and resumes through the API.
// Also the CLI side of serve and keys: exit 2 for a non-loopback bind without auth, the note on
// loopback, keys created once and stored hashed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pause, readJsonLines, spawnCli, runCli, startChainProject, stepOf, type ChainProject } from '../e2e/helpers.js';
import { api, spawnServe, waitForStatus, type ServeProcess } from './helpers.js';

const startServeProcess = (project: ChainProject): Promise<ServeProcess> => spawnServe(project.root, project.env);

let project: ChainProject | undefined;
afterEach(async () => {
  await project?.close();
  project = undefined;
});

describe('serve killed mid-run', () => {
  it('after SIGKILL, the next serve resumes the run and loses no state or paid step', async () => {
    project = await startChainProject({ name: 'steps', stepIds: ['a', 'b', 'c', 'd'], latencyMs: 400 });
    const first = await startServeProcess(project);
    const { body } = await api(first.url, '/v1/runs', { body: { target: 'steps' } });
    await waitForStatus(first.url, body.id, ['running']);
    // Wait until step b has been saved, then kill without any chance to save more.
    for (;;) {
      const run = await api(first.url, `/v1/runs/${body.id}`);
      if (run.body.steps?.b?.status === 'succeeded') break;
      await pause(20);
    }
    first.child.kill('SIGKILL');
    await first.done;
    const callsBefore = project.sim.requests.map(stepOf);
    const second = await startServeProcess(project);
    try {
      const finished = await waitForStatus(second.url, body.id, ['succeeded', 'failed', 'interrupted']);
      expect(finished.status).toBe('succeeded');
      expect(finished.outputs).toEqual({ last: 'done d' });
      const calls = project.sim.requests.map(stepOf);
      // a and b were paid for once; the resumed attempt called only what was left.
      expect(calls.filter((step) => step === 'a')).toHaveLength(1);
      expect(calls.filter((step) => step === 'b')).toHaveLength(1);
      expect(calls.slice(callsBefore.length).every((step) => step === 'c' || step === 'd')).toBe(true);
      const events = await readJsonLines(join(project.root, '.agentpipe', 'runs', body.id, 'events.jsonl'));
      const starts = events.filter((event) => event['type'] === 'run-start');
      expect(starts.map((event) => event['resumed'])).toEqual([false, true]);
      expect(events.at(-1)).toMatchObject({ type: 'run-end', status: 'succeeded' });
      // The ledger holds every call of both attempts.
      expect(finished.ledger.total.calls).toBe(4);
    } finally {
      second.child.kill('SIGTERM');
      await second.done;
    }
  }, 60_000);

  it('after SIGTERM the run is saved as interrupted, and POST resume finishes it', async () => {
    project = await startChainProject({ name: 'steps', stepIds: ['a', 'b', 'c'], latencyMs: 400 });
    const first = await startServeProcess(project);
    const { body } = await api(first.url, '/v1/runs', { body: { target: 'steps' } });
    for (;;) {
      const run = await api(first.url, `/v1/runs/${body.id}`);
      if (run.body.steps?.a?.status === 'succeeded') break;
      await pause(20);
    }
    first.child.kill('SIGTERM');
    const exited = await first.done;
    expect(exited.code).toBe(0);
    const second = await startServeProcess(project);
    try {
      const stopped = await api(second.url, `/v1/runs/${body.id}`);
      expect(stopped.body.status).toBe('interrupted');
      expect((await api(second.url, `/v1/runs/${body.id}/resume`, { method: 'POST' })).status).toBe(202);
      const finished = await waitForStatus(second.url, body.id, ['succeeded', 'failed']);
      expect(finished.status).toBe('succeeded');
      expect(project.sim.requests.map(stepOf).filter((step) => step === 'a')).toHaveLength(1);
    } finally {
      second.child.kill('SIGTERM');
      await second.done;
    }
  }, 60_000);

  it('cancel stops a running run as cancelled; resume continues it', async () => {
    project = await startChainProject({ name: 'steps', stepIds: ['a', 'b', 'c'], latencyMs: 300 });
    const server = await startServeProcess(project);
    try {
      const { body } = await api(server.url, '/v1/runs', { body: { target: 'steps' } });
      await waitForStatus(server.url, body.id, ['running']);
      expect((await api(server.url, `/v1/runs/${body.id}/cancel`, { method: 'POST' })).status).toBe(202);
      const cancelled = await waitForStatus(server.url, body.id, ['cancelled', 'succeeded', 'failed']);
      expect(cancelled.status).toBe('cancelled');
      expect((await api(server.url, `/v1/runs/${body.id}/cancel`, { method: 'POST' })).status).toBe(409);
      expect((await api(server.url, `/v1/runs/${body.id}/resume`, { method: 'POST' })).status).toBe(202);
      expect((await waitForStatus(server.url, body.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    } finally {
      server.child.kill('SIGTERM');
      await server.done;
    }
  }, 60_000);
});

describe('serve and keys on the command line', () => {
  it('refuses a non-loopback host without auth (exit 2), says so on loopback, and keys are stored hashed', async () => {
    project = await startChainProject({ name: 'steps', stepIds: ['a'] });
    const refused = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], { cwd: project.root, env: project.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to serve 0\.0\.0\.0 without authentication/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);

    const open = spawnCli(['serve', '--port', '0'], { cwd: project.root, env: project.env });
    await new Promise<void>((resolve) => open.child.stderr!.on('data', (chunk: Buffer) => chunk.toString().includes('loopback only') && resolve()));
    open.child.kill('SIGTERM');
    expect((await open.done).stderr).toMatch(/no API keys or JWT configured: serving loopback only, without authentication/);

    const created = await runCli(['keys', 'create', '--role', 'runner', '--name', 'ci', '--json'], { cwd: project.root, env: project.env });
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key).toMatchObject({ role: 'runner', name: 'ci' });
    const listed = await runCli(['keys', 'list', '--json'], { cwd: project.root, env: project.env });
    expect(listed.stdout).toContain(key.id);
    expect(listed.stdout).not.toContain(key.key);
    const store = await readFile(join(project.root, '.agentpipe', 'store.db'));
    const wal = await readFile(join(project.root, '.agentpipe', 'store.db-wal')).catch(() => Buffer.alloc(0));
    expect(Buffer.concat([store, wal]).includes(key.key)).toBe(false);
    expect((await runCli(['keys', 'create', '--role', 'owner'], { cwd: project.root, env: project.env })).code).toBe(2);

    // With a key, a non-loopback bind is allowed: bind every interface, talk over loopback.
    const secured = spawnCli(['serve', '--host', '0.0.0.0', '--port', '0', '--json'], { cwd: project.root, env: project.env });
    const url = await new Promise<string>((resolve) => secured.child.stdout!.on('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()).url)));
    const local = url.replace('0.0.0.0', '127.0.0.1');
    expect((await api(local, '/v1/runs')).status).toBe(401);
    expect((await api(local, '/v1/runs', { token: key.key })).status).toBe(200);
    secured.child.kill('SIGTERM');
    await secured.done;

    expect((await runCli(['keys', 'revoke', key.id], { cwd: project.root, env: project.env })).code).toBe(0);
    const after = JSON.parse((await runCli(['keys', 'list', '--json'], { cwd: project.root, env: project.env })).stdout);
    expect(after[0].revokedAt).toBeTruthy();
  }, 60_000);
});
