// `agentpipe mcp serve`: the repo's agents and templates as MCP tools, driven by the official SDK's
// client over stdio and over streamable HTTP, against the wire simulator.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { agentYaml, chainTemplate, makeProject, repoRoot, simEnv, spawnCli, stepOf } from '../e2e/helpers.js';

const bin = join(repoRoot, 'bin', 'agentpipe.js');
const outputSchema = `output:\n  schema:\n    type: object\n    properties: { verdict: { type: string }, score: { type: integer } }\n    required: [verdict, score]\n`;

let sim: Simulator;
let root: string;
beforeAll(async () => {
  sim = await startSimulator({
    script: (request) => {
      const body = JSON.stringify(request.body);
      if (body.includes('MARK-judge')) return { text: '{"verdict":"fine","score":7}', usage: { input: 40, output: 12 } };
      if (body.includes('MARK-greeter')) return { text: 'Hello, Ada!', usage: { input: 30, output: 5 } };
      if (body.includes('MARK-slow')) return { text: 'slow done', latencyMs: 1500, usage: { input: 10, output: 2 } };
      return { text: `done ${stepOf(request)}`, usage: { input: 20, output: 4 } };
    },
  });
  root = await makeProject({
    'agents/greeter.yaml': agentYaml('greeter', { inputs: ['name'] }),
    'agents/judge.yaml': agentYaml('judge', { inputs: ['text'], output: outputSchema }),
    'agents/worker.yaml': agentYaml('worker'),
    'agents/slow.yaml': agentYaml('slow', { inputs: ['name'] }),
    'templates/three_steps.yaml': chainTemplate('three_steps', ['one', 'two', 'three']),
  });
});
afterAll(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

describe('agentpipe mcp serve --stdio', { timeout: 120_000 }, () => {
  it('lists one tool per agent and template with input schemas, runs them, reports cost and progress', async () => {
    const stderr: string[] = [];
    const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp', 'serve', '--stdio'], cwd: root, env: simEnv(sim.url) as Record<string, string>, stderr: 'pipe' });
    transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(['greeter', 'judge', 'slow', 'three_steps', 'worker']);
      const greeter = tools.find((tool) => tool.name === 'greeter')!;
      expect(greeter.inputSchema).toMatchObject({ type: 'object', properties: { name: { type: 'string' } }, required: ['name'] });
      expect(tools.find((tool) => tool.name === 'judge')!.outputSchema).toMatchObject({ required: ['verdict', 'score'] });

      const hello = await client.callTool({ name: 'greeter', arguments: { name: 'Ada' } });
      expect(hello.isError).toBeFalsy();
      expect(hello.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }]);
      const meta = hello._meta as Record<string, unknown>;
      // 30 input and 5 output tokens at $3 / $15 per 1M (the route's first model).
      expect(meta['agentpipe/costUsd']).toBeCloseTo((30 * 3 + 5 * 15) / 1e6, 12);
      expect(meta['agentpipe/status']).toBe('succeeded');
      expect(String(meta['agentpipe/runId'])).toMatch(/\S+/);

      const judged = await client.callTool({ name: 'judge', arguments: { text: 'some text' } });
      expect(judged.structuredContent).toEqual({ verdict: 'fine', score: 7 });

      const progress: Array<{ progress: number; total?: number }> = [];
      const chained = await client.callTool({ name: 'three_steps', arguments: { } }, undefined, { onprogress: (update) => progress.push(update) });
      expect(chained.isError).toBeFalsy();
      expect(chained.content).toEqual([{ type: 'text', text: 'done three' }]);
      expect(progress.map((update) => update.progress)).toEqual([0, 1, 2, 3]);
      expect(progress.every((update) => update.total === 3)).toBe(true);

      const invalid = await client.callTool({ name: 'greeter', arguments: {} });
      expect(invalid.isError).toBe(true);
      expect(JSON.stringify(invalid.content)).toContain('name');
    } finally {
      await client.close();
    }
    expect(stderr.join('')).toContain('5 tool(s) on stdio');
  });
});

describe('agentpipe mcp serve --port', { timeout: 120_000 }, () => {
  it('serves the same tools over streamable HTTP on loopback', async () => {
    const { server, url } = await startHttpServe([]);
    try {
      const client = new Client({ name: 'test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('greeter');
      const hello = await client.callTool({ name: 'greeter', arguments: { name: 'Ada' } });
      expect(hello.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }]);
      await client.close();
    } finally {
      server.child.kill('SIGTERM');
      const result = await server.done;
      expect(result.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    }
  });
});

/** Starts `mcp serve --port 0` with extra arguments and resolves with its URL. */
async function startHttpServe(extra: string[]) {
  const server = spawnCli(['mcp', 'serve', '--port', '0', ...extra], { cwd: root, env: simEnv(sim.url) });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    server.child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /at (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(text);
      if (match) resolve(match[1]!);
    });
    server.child.once('exit', () => reject(new Error(`serve exited: ${text}`)));
  });
  return { server, url };
}

describe('agentpipe mcp serve --port: local clients only, bounded concurrency', { timeout: 120_000 }, () => {
  it('refuses a foreign Host (DNS rebinding) or Origin with 403, and a non-loopback bind with exit 2', async () => {
    const { server, url } = await startHttpServe([]);
    try {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      const { port } = new URL(url);
      const { request } = await import('node:http');
      const send = (extraHeaders: Record<string, string>) =>
        new Promise<{ status: number; text: string }>((resolve, reject) => {
          const outgoing = request(url, { method: 'POST', headers: { ...headers, ...extraHeaders } }, (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
          });
          outgoing.on('error', reject);
          outgoing.end(body);
        });
      const rebound = await send({ host: `attacker.example:${port}` });
      expect(rebound.status).toBe(403);
      expect(rebound.text).toContain('attacker.example');
      const foreignPage = await send({ origin: 'https://attacker.example' });
      expect(foreignPage.status).toBe(403);
      const local = await send({ origin: `http://localhost:${port}` });
      expect(local.status).toBe(200);
      expect(local.text).toContain('greeter');
    } finally {
      server.child.kill('SIGTERM');
      await server.done;
    }
    const wide = spawnCli(['mcp', 'serve', '--port', '0', '--host', '0.0.0.0'], { cwd: root, env: simEnv(sim.url) });
    const refused = await wide.done;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('no authentication');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });

  it('--concurrency 1 runs one call at a time; the other waits, told it is queued, and then succeeds', async () => {
    const { server, url } = await startHttpServe(['--concurrency', '1']);
    const clients = [new Client({ name: 'a', version: '1.0.0' }), new Client({ name: 'b', version: '1.0.0' })];
    try {
      for (const client of clients) await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      const notices: string[][] = [[], []];
      const calls = clients.map((client, index) =>
        client.callTool({ name: 'slow', arguments: { name: `caller ${index}` } }, undefined, { onprogress: (update) => notices[index]!.push(String(update.message ?? '')) }),
      );
      const results = await Promise.all(calls);
      for (const result of results) expect(result.content).toEqual([{ type: 'text', text: 'slow done' }]);
      expect(notices.filter((messages) => messages.some((message) => message.startsWith('queued'))).length).toBe(1);
      // The runs did not overlap: one ended before the other started.
      const { readFile } = await import('node:fs/promises');
      const spans = await Promise.all(
        results.map(async (result) => {
          const state = JSON.parse(await readFile(join(root, '.agentpipe', 'runs', String((result._meta as Record<string, unknown>)['agentpipe/runId']), 'run.json'), 'utf8')) as { createdAt: string; updatedAt: string };
          return [Date.parse(state.createdAt), Date.parse(state.updatedAt)] as const;
        }),
      );
      spans.sort((left, right) => left[0] - right[0]);
      expect(spans[1]![0]).toBeGreaterThanOrEqual(spans[0]![1]);
    } finally {
      for (const client of clients) await client.close().catch(() => undefined);
      server.child.kill('SIGTERM');
      await server.done;
    }
  });
});
