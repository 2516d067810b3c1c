// An agent with an MCP tool behind serve: each run starts its servers and stops them when it ends,
// and a second run still reaches its own (before, serve shared one set of ports between runs, so the
// first run to end closed the MCP clients of every later run). Real CLI, real stdio MCP server.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, repoRoot, simEnv, spawnCli, toolsYaml } from '../e2e/helpers.js';
import { providersFile } from '../queue/project.js';
import { api, removeProject, waitForStatus } from './helpers.js';

const lifeServer = join(repoRoot, 'test/batch/fixtures/life-server.mjs');

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    script: (request) => {
      const body = JSON.stringify(request.body);
      if (body.includes('tool_result')) return { text: `done ${/id [0-9a-f]{12}/.exec(body)?.[0] ?? 'no id'}`, usage: { input: 20, output: 5 } };
      return { toolCalls: [{ name: 'life__whoami', input: {} }], usage: { input: 20, output: 5 } };
    },
  });
});
afterAll(async () => sim.close());

describe('serve and MCP servers', { timeout: 120_000 }, () => {
  it.each([['1'], ['0']])('with --workers %s, every run reaches its own server and stops it', async (workers) => {
    const root = await makeProject({
      'providers.yaml': providersFile(),
      'tools.yaml': `${toolsYaml}mcp_servers:\n  life: { command: ${JSON.stringify([process.execPath, lifeServer, 'src/mcp-life.log'])}, start_timeout: 20s }\n`,
      'agents/caller.yaml': agentYaml('caller', { tools: ['life.whoami'] }),
      'src/.keep': '',
    });
    const { child, done } = spawnCli(['serve', '--port', '0', '--json', '--rate-limit', '100000', '--concurrency', '1', '--workers', workers], { cwd: root, env: simEnv(sim.url) });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const line = text.split('\n').find((candidate) => candidate.startsWith('{"type":"listening"'));
          if (line) resolve(JSON.parse(line).url);
        });
        done.then((result) => reject(new Error(`serve exited ${result.code}: ${result.stderr}`)));
      });
      for (let run = 0; run < 2; run++) {
        const submitted = await api(url, '/v1/runs', { body: { target: 'caller', inputs: { task: `run ${run}` } } });
        const finished = await waitForStatus(url, submitted.body.id, ['succeeded', 'failed']);
        expect(finished.status, finished.error).toBe('succeeded');
        expect(JSON.stringify(finished.outputs)).toMatch(/done id [0-9a-f]{12}/);
      }
      const life = (await readFile(join(root, 'src', 'mcp-life.log'), 'utf8')).split('\n').filter(Boolean);
      expect(life.map((line) => line.split(' ')[0])).toEqual(['start', 'exit', 'start', 'exit']);
    } finally {
      child.kill('SIGTERM');
      await done;
      await removeProject(root);
    }
  });
});
