// serve test helpers: a project from the e2e helpers, the wire simulator, and serve started
// in-process on 127.0.0.1:0 (or as a CLI process, for the kill-and-restart test).

import { rm } from 'node:fs/promises';
import { startSimulator, type SimTurn, type SimRequest, type Simulator } from '../../src/sim/index.js';
import { startServe, type RunningServer } from '../../src/serve/index.js';
import { agentYaml, chainTemplate, makeProject, simEnv, spawnCli } from '../e2e/helpers.js';

export interface ServeFixture {
  sim: Simulator;
  root: string;
  server: RunningServer;
  url: string;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** A template `chain` (steps a, b, c via agent `worker`) and agent `worker`, with catalogue metadata. */
export const catalogueFiles = (): Record<string, string> => ({
  'agents/worker.yaml': `${agentYaml('worker')}tags: [demo, worker]\ndifficulty: beginner\ncategory: testing\nexamples:\n  hello: { task: "say hello" }\n`,
  'templates/chain.yaml': `${chainTemplate('chain', ['a', 'b', 'c'])}description: Three steps one after another\ntags: [demo, chain]\ndifficulty: intermediate\ncategory: testing\n`,
});

export async function startFixture(options: { latencyMs?: number; script?: (request: SimRequest) => SimTurn; files?: Record<string, string>; rateLimit?: number; env?: NodeJS.ProcessEnv; concurrency?: number; workers?: number } = {}): Promise<ServeFixture> {
  const sim = await startSimulator({ script: options.script ?? (() => ({ text: 'done', latencyMs: options.latencyMs ?? 50, usage: { input: 100, output: 10 } })) });
  const root = await makeProject(options.files ?? catalogueFiles());
  const env = { ...simEnv(sim.url), ...options.env };
  const server = await startServe({ root, env, host: '127.0.0.1', port: 0, concurrency: options.concurrency ?? 4, ...(options.workers !== undefined ? { workers: options.workers } : {}), rateLimit: options.rateLimit ?? 100_000, bodyLimit: 64 * 1024 });
  return {
    sim,
    root,
    server,
    url: server.url,
    env,
    async close() {
      await server.close();
      await sim.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export async function api(url: string, path: string, options: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${url}${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // text bodies (metrics, SSE) stay text
  }
  return { status: response.status, body, headers: response.headers };
}

export interface SseEvent {
  id: number;
  data: Record<string, unknown>;
}

/** Reads an SSE stream to its end (or until `stopAfter` events), parsing `id:` and `data:` fields. */
export async function readSse(url: string, options: { token?: string; lastEventId?: number; stopAfter?: number } = {}): Promise<{ status: number; events: SseEvent[] }> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal, headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.lastEventId !== undefined ? { 'last-event-id': String(options.lastEventId) } : {}) } });
  const events: SseEvent[] = [];
  if (response.status !== 200 || !response.body) return { status: response.status, events };
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (id !== undefined && data !== undefined) events.push({ id: Number(id), data: JSON.parse(data) });
      if (options.stopAfter !== undefined && events.length >= options.stopAfter) {
        controller.abort();
        await reader.cancel().catch(() => undefined);
        return { status: response.status, events };
      }
    }
  }
  return { status: response.status, events };
}

/** Polls GET /v1/runs/{id} until its status is one of `statuses`. */
export async function waitForStatus(url: string, id: string, statuses: string[], token?: string): Promise<any> {
  for (;;) {
    const { body } = await api(url, `/v1/runs/${id}`, token ? { token } : {});
    if (statuses.includes(body?.status)) return body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const removeProject = (root: string) => rm(root, { recursive: true, force: true });

export interface ServeProcess {
  url: string;
  child: ReturnType<typeof spawnCli>['child'];
  done: ReturnType<typeof spawnCli>['done'];
}

/** `agentpipe serve --port 0 --json` as a CLI process (rate limit out of the way); resolves once it listens. */
export async function spawnServe(root: string, env: NodeJS.ProcessEnv, extra: string[] = []): Promise<ServeProcess> {
  const { child, done } = spawnCli(['serve', '--port', '0', '--json', '--rate-limit', '100000', ...extra], { cwd: root, env });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n').find((candidate) => candidate.startsWith('{"type":"listening"'));
      if (line) resolve(JSON.parse(line).url);
    });
    done.then((result) => reject(new Error(`serve exited ${result.code}: ${result.stderr}`)));
  });
  return { url, child, done };
}
