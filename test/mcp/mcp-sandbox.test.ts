// A stdio MCP server runs under the OS sandbox: the reference filesystem server, told it may use the
// whole disk (`/`), still reaches only what the agent's permissions allow. Canaries outside the
// workspace, a denied .env and the environment's keys never reach the model, and nothing is written
// outside write.allow.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { requireCommands } from '../support/system.js';
import { agentYaml, makeProject, repoRoot, runCli, simEnv } from '../e2e/helpers.js';

const filesystem = join(repoRoot, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
const hasSandbox = requireCommands('MCP server sandbox', { bwrap: 'bubblewrap' });
const canary = `outside-canary-${process.pid}-7f3a`;
const dotenvSecret = `dotenv-secret-${process.pid}-91bc`;
const keyValue = 'weird-holder-key-value-0123456789abcdef';

let sim: Simulator;
let outside: string;
beforeAll(async () => {
  sim = await startSimulator();
  outside = await mkdtemp(join(tmpdir(), 'agentpipe-outside-'));
  await writeFile(join(outside, 'secret.txt'), canary);
});
afterAll(async () => {
  await sim.close();
  await rm(outside, { recursive: true, force: true });
});

describe.skipIf(!hasSandbox)('MCP stdio servers in the sandbox', { timeout: 120_000 }, () => {
  it('the filesystem server given / reads only the workspace, sees .env masked and writes only in write.allow', async () => {
    const tools = `version: 1
workspace: .
defaults:
  read: { allow: ["**"], deny: [".env*", ".agentpipe/**"] }
  write: { allow: ["out/**"] }
tools:
  read: { builtin: read }
mcp_servers:
  fs: { command: ${JSON.stringify([process.execPath, filesystem, '/'])}, env: [WEIRD_HOLDER], start_timeout: 30s }
`;
    const root = await makeProject({
      'tools.yaml': tools,
      'agents/files.yaml': agentYaml('files', { model: 'openai/gpt-test', tools: ['fs.*'] }),
      'notes.txt': 'workspace notes\n',
      '.env': `DOTENV_THING=${dotenvSecret}\n`,
      'out/.keep': '',
    });
    try {
      const first = sim.requests.length;
      sim.enqueue(
        {
          toolCalls: [
            { name: 'fs__read_text_file', input: { path: join(root, 'notes.txt') } },
            { name: 'fs__read_text_file', input: { path: join(outside, 'secret.txt') } },
            { name: 'fs__read_text_file', input: { path: join(root, '.env') } },
            { name: 'fs__read_text_file', input: { path: '/proc/1/environ' } },
            { name: 'fs__write_file', input: { path: join(outside, 'planted.txt'), content: 'x' } },
            { name: 'fs__write_file', input: { path: join(root, 'notes.txt'), content: 'overwritten' } },
            { name: 'fs__write_file', input: { path: join(root, 'out', 'ok.txt'), content: 'allowed' } },
          ],
          usage: { input: 100, output: 20 },
        },
        { text: 'done', usage: { input: 100, output: 5 } },
      );
      const result = await runCli(['run', 'agents/files.yaml', '--input', 'task=x'], { cwd: root, env: { ...simEnv(sim.url), WEIRD_HOLDER: keyValue } });
      expect(result.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
      expect(result.code).toBe(0);
      const toolTurn = JSON.stringify(sim.requests[first + 1]!.body);
      expect(toolTurn).toContain('workspace notes');
      for (const leaked of [canary, dotenvSecret, keyValue, Buffer.from(keyValue).toString('base64'), 'OPENAI_API_KEY']) expect(toolTurn).not.toContain(leaked);
      expect(await readdir(outside)).toEqual(['secret.txt']);
      expect(await readFile(join(root, 'notes.txt'), 'utf8')).toBe('workspace notes\n');
      expect(await readFile(join(root, 'out', 'ok.txt'), 'utf8')).toBe('allowed');
      const everything = [result.stdout, result.stderr, toolTurn].join('\n');
      expect(everything).not.toContain(keyValue);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!requireCommands('MCP server network', { bwrap: 'bubblewrap', socat: 'socat' }))('the network of a sandboxed MCP server', { timeout: 120_000 }, () => {
  it('reaches only its allow_hosts, through the sandbox proxy; none named, no network', async () => {
    const { createServer } = await import('node:http');
    const web = createServer((request, response) => response.end(`hello from ${request.url}`));
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    const port = (web.address() as { port: number }).port;
    const fetcher = join(repoRoot, 'test/mcp/fixtures/fetch-server.mjs');
    const root = await makeProject({
      'tools.yaml': `version: 1
workspace: .
defaults:
  read: { allow: ["**"], deny: [".env*"] }
tools:
  read: { builtin: read }
mcp_servers:
  open: { command: ${JSON.stringify([process.execPath, fetcher])}, allow_hosts: ["127.0.0.1"] }
  closed: { command: ${JSON.stringify([process.execPath, fetcher])} }
`,
      'agents/web.yaml': agentYaml('web', { model: 'openai/gpt-test', tools: ['open.fetch', 'closed.fetch'] }),
    });
    try {
      const first = sim.requests.length;
      sim.enqueue(
        {
          toolCalls: [
            { name: 'open__fetch', input: { url: `http://127.0.0.1:${port}/allowed` } },
            { name: 'open__fetch', input: { url: `http://localhost:${port}/other-host` } },
            { name: 'closed__fetch', input: { url: `http://127.0.0.1:${port}/no-network` } },
          ],
          usage: { input: 10, output: 5 },
        },
        { text: 'done', usage: { input: 10, output: 5 } },
      );
      const result = await runCli(['run', 'agents/web.yaml', '--input', 'task=x'], { cwd: root, env: simEnv(sim.url) });
      expect(result.code).toBe(0);
      const messages = (sim.requests[first + 1]!.body as { messages: Array<{ role: string; content: string }> }).messages.filter((message) => message.role === 'tool');
      expect(messages[0]!.content).toBe('status 200: hello from /allowed');
      expect(messages[1]!.content).not.toContain('hello from');
      expect(messages[2]!.content).toMatch(/^fetch failed/);
    } finally {
      web.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
