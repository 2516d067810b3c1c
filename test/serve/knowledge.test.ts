// Agents with knowledge behind serve: retrieval happens in serve's runs too (it was skipped before),
// a stale index fails the run with the command that fixes it, and `serve --sim` answers with no key,
// indexing into the simulated store. Through the real CLI, runs in a worker thread.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { runCli, simEnv } from '../e2e/helpers.js';
import { makeKnowledgeProject } from '../knowledge/helpers.js';
import { api, readSse, removeProject, spawnServe, waitForStatus } from './helpers.js';

async function startServe(root: string, env: NodeJS.ProcessEnv, extra: string[] = []) {
  const { url, child, done } = await spawnServe(root, env, extra);
  return { url, stop: async () => { child.kill('SIGTERM'); await done; } };
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ embeddingDimensions: 256 });
});
afterAll(async () => sim.close());

describe('serve with knowledge', () => {
  it('refuses a stale index per run, then retrieves once the index is built', async () => {
    const root = await makeKnowledgeProject();
    const env = simEnv(sim.url);
    const serve = await startServe(root, env);
    try {
      const stale = await api(serve.url, '/v1/runs', { body: { target: 'support', inputs: { question: 'How do refunds work?' } } });
      const failed = await waitForStatus(serve.url, stale.body.id, ['failed', 'succeeded']);
      expect(failed.status).toBe('failed');
      expect(failed.error).toContain('agentpipe index agents/support.yaml');
      expect((await runCli(['index', 'agents/support.yaml'], { cwd: root, env })).code).toBe(0);
      const fresh = await api(serve.url, '/v1/runs', { body: { target: 'support', inputs: { question: 'How do refunds work?' } } });
      expect((await waitForStatus(serve.url, fresh.body.id, ['failed', 'succeeded'])).status).toBe('succeeded');
      const { events } = await readSse(`${serve.url}/v1/runs/${fresh.body.id}/events`);
      const retrieved = events.map((event) => event.data as Record<string, any>).find((event) => event.type === 'knowledge-retrieved');
      expect(retrieved?.chunks).toBeGreaterThan(0);
      expect(String(retrieved?.sources)).toContain('docs/');
    } finally {
      await serve.stop();
      await removeProject(root);
    }
  });

  it('serve --sim runs a knowledge agent with no key, in the simulated store', async () => {
    const root = await makeKnowledgeProject();
    const serve = await startServe(root, { PATH: process.env['PATH'], HOME: process.env['HOME'] }, ['--sim']);
    try {
      const submitted = await api(serve.url, '/v1/runs', { body: { target: 'support', inputs: { question: 'How do refunds work?' } } });
      const run = await waitForStatus(serve.url, submitted.body.id, ['failed', 'succeeded']);
      expect(run.status, run.error).toBe('succeeded');
      expect(run.costUsd).toBe(0);
      const { events } = await readSse(`${serve.url}/v1/runs/${submitted.body.id}/events`);
      expect(events.map((event) => event.data["type"])).toContain('knowledge-retrieved');
      expect(existsSync(join(root, '.agentpipe', 'sim-store.db'))).toBe(true);
    } finally {
      await serve.stop();
      await removeProject(root);
    }
  });
});
