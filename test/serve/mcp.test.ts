// An agent with an MCP tool behind serve: each run starts its servers and stops them when it ends,
// and a second run still reaches its own (before, serve shared one set of ports between runs, so the
// first run to end closed the MCP clients of every later run). Real CLI, real stdio MCP server.

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { simEnv } from '../e2e/helpers.js';
import { mcpLifeProject, mcpLifeScript } from '../support/mcp-life.js';
import { api, removeProject, spawnServe, waitForStatus } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ script: mcpLifeScript });
});
afterAll(async () => sim.close());

describe('serve and MCP servers', { timeout: 120_000 }, () => {
  it.each([['1'], ['0']])('with --workers %s, every run reaches its own server and stops it', async (workers) => {
    const { root, log } = await mcpLifeProject();
    const serve = await spawnServe(root, simEnv(sim.url), ['--concurrency', '1', '--workers', workers]);
    try {
      for (let run = 0; run < 2; run++) {
        const submitted = await api(serve.url, '/v1/runs', { body: { target: 'caller', inputs: { task: `row-${run + 1}` } } });
        const finished = await waitForStatus(serve.url, submitted.body.id, ['succeeded', 'failed']);
        expect(finished.status, finished.error).toBe('succeeded');
        expect(JSON.stringify(finished.outputs)).toMatch(new RegExp(`done row-${run + 1} id [0-9a-f]{12}`));
      }
      const life = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
      expect(life.map((line) => line.split(' ')[0])).toEqual(['start', 'exit', 'start', 'exit']);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.done;
      await removeProject(root);
    }
  });
});
