// The simulator on its own: byte framing per protocol, request log timing, routing, and the CLI.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator({ script: (request) => (JSON.stringify(request.body).includes('[route:planner]') ? { text: 'planner answer' } : undefined) });
});
afterAll(() => simulator.close());
beforeEach(() => simulator.reset());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${simulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('wire framing', () => {
  test('anthropic SSE has event: lines and ends with message_stop', async () => {
    simulator.enqueue({ text: 'Hello!' });
    const response = await post('/v1/messages', { model: 'm', stream: true, messages: [] });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await response.text();
    expect(text.startsWith('event: message_start\ndata: {')).toBe(true);
    expect(text).toContain('event: ping\ndata: {"type": "ping"}\n\n');
    expect(text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
  });

  test('openai SSE sends the include_usage chunk, then [DONE]', async () => {
    simulator.enqueue({ text: 'Hi', usage: { input: 22, output: 2 } });
    const text = await (await post('/v1/chat/completions', { model: 'm', stream: true, stream_options: { include_usage: true } })).text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse((events.at(-2) ?? '').slice(6))).toMatchObject({ choices: [], usage: { prompt_tokens: 22, completion_tokens: 2 } });
  });

  test('gemini SSE uses CRLF CRLF separators and no [DONE]', async () => {
    simulator.enqueue({ text: 'Hello there' });
    const response = await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', { contents: [] });
    const text = await response.text();
    expect(text.endsWith('}\r\n\r\n')).toBe(true);
    expect(text).not.toContain('[DONE]');
    expect(simulator.requests[0]).toMatchObject({ api: 'gemini', model: 'gemini-2.5-flash', stream: true, query: { alt: 'sse' } });
  });

  test('ollama streams NDJSON by default and lists tags', async () => {
    simulator.enqueue({ text: 'The capital' });
    const response = await post('/api/chat', { model: 'llama3.2', messages: [] });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as { done: boolean });
    expect(lines.at(-1)?.done).toBe(true);
    const tags = (await (await fetch(`${simulator.url}/api/tags`)).json()) as { models: Array<{ name: string }> };
    expect(tags.models[0]?.name).toBe('llama3.2:latest');
  });

  test('errors are JSON with retry headers; credentials are not recorded', async () => {
    simulator.setFault({ kind: 'rate-limit', retryAfterSeconds: 3, retryAfterMs: 2500 });
    const response = await post('/v1/messages', { model: 'm', messages: [] }, { 'x-api-key': 'secret-key-123' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(response.headers.get('retry-after-ms')).toBe('2500');
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(JSON.stringify(simulator.requests)).not.toContain('secret-key-123');
    expect(simulator.requests[0]?.fault).toBe('rate-limit');
  });

  test('anthropic 529 overloaded_error and faults targeted by model', async () => {
    simulator.setFault({ kind: 'overloaded', model: 'busy' });
    expect((await post('/v1/messages', { model: 'busy', messages: [] })).status).toBe(529);
    expect((await post('/v1/messages', { model: 'idle', messages: [] })).status).toBe(200);
  });
});

describe('script and log', () => {
  test('a script function routes by request content; the queue serves the rest', async () => {
    simulator.enqueue({ text: 'queued answer' });
    const routed = await (await post('/api/chat', { model: 'x', stream: false, messages: [{ role: 'system', content: '[route:planner] plan it' }] })).json();
    const queued = await (await post('/api/chat', { model: 'x', stream: false, messages: [] })).json();
    expect(routed).toMatchObject({ message: { content: 'planner answer' } });
    expect(queued).toMatchObject({ message: { content: 'queued answer' } });
  });

  test('start and end times show overlapping requests', async () => {
    simulator.enqueue({ text: 'a', latencyMs: 150 }, { text: 'b', latencyMs: 150 });
    await Promise.all([post('/api/chat', { model: 'x', stream: false }), post('/api/chat', { model: 'x', stream: false })].map(async (r) => (await r).text()));
    const [first, second] = simulator.requests;
    expect(first?.endMs).toBeDefined();
    expect(second?.endMs).toBeDefined();
    expect((first?.startMs ?? 0) < (second?.endMs ?? 0) && (second?.startMs ?? 0) < (first?.endMs ?? 0)).toBe(true);
  });
});

describe('cli', () => {
  test('prints its URL as JSON, plays a JSON script with routes, and takes control calls', async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const directory = mkdtempSync(join(tmpdir(), 'agentpipe-sim-'));
    const scriptPath = join(directory, 'script.json');
    writeFileSync(scriptPath, JSON.stringify({ routes: [{ match: 'MARKER-42', turns: [{ text: 'routed' }] }], turns: [{ text: 'from queue' }] }));
    const child = spawn(process.execPath, [join(root, 'dist/sim/cli.js'), '--port', '0', '--script', scriptPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const { url } = JSON.parse(line) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const ask = async (system: string) =>
        ((await (await fetch(`${url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'x', stream: false, messages: [{ role: 'system', content: system }] }) })).json()) as { message: { content: string } }).message.content;
      expect(await ask('plain')).toBe('from queue');
      expect(await ask('has MARKER-42 inside')).toBe('routed');
      await fetch(`${url}/__sim/enqueue`, { method: 'POST', body: JSON.stringify({ text: 'enqueued remotely' }) });
      expect(await ask('plain')).toBe('enqueued remotely');
      const log = (await (await fetch(`${url}/__sim/requests`)).json()) as unknown[];
      expect(log).toHaveLength(3);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
