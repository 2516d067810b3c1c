// A --queue URL where no Redis answers: every queue command stops in seconds with one line that says
// what to do (exit 1), never hangs, and never shows the URL's password.

import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../e2e/helpers.js';

/** A loopback port with nothing listening: bind one, note it, close it. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe('--queue with no Redis listening', () => {
  it.each([['queue', 'status'], ['worker'], ['batch', 'agents/a.yaml', '--inputs', 'rows.jsonl']])('agentpipe %s fails fast with what to do', async (...verb) => {
    const root = await makeProject({
      'providers.yaml': 'version: 1\nproviders:\n  anthropic: { type: anthropic }\nmodels:\n  anthropic/claude-test: { pricing: { input: 3, output: 15 } }\nroutes:\n  main: [anthropic/claude-test]\n',
      'agents/a.yaml': 'version: 1\nname: a\nmodel: main\ninputs: { task: { type: string } }\nprompt: { user: "{{inputs.task}}" }\n',
      'rows.jsonl': '{"task":"x"}\n',
    });
    const url = `redis://:hunter2-secret@127.0.0.1:${await deadPort()}`;
    const result = await runCli([...verb, '--queue', url], { cwd: root, env: { PATH: process.env['PATH'], HOME: process.env['HOME'], AGENTPIPE_REDIS_CONNECT_TIMEOUT_MS: '1500' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot reach Redis');
    expect(result.stderr).toContain('redis-server');
    expect(result.stderr).not.toContain('hunter2-secret');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
