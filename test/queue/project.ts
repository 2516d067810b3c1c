// A config repo for batch and queue tests: a two-step template (agent `a`, then agent `b` on a's
// answer), a simulator that answers each call `ok row-<n>` after a latency, and helpers to spawn
// `agentpipe worker` processes and to read the simulator's billing.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSimulator, type SimRequest, type Simulator } from '../../src/sim/index.js';
import { fakeKeys, makeProject, repoRoot, simEnv } from '../e2e/helpers.js';

/** anthropic/claude-test prices: $3 in, $15 out per 1M tokens. */
const price = { input: 3, output: 15 };

export function providersFile(options: { rpm?: number } = {}): string {
  return `version: 1
providers:
  anthropic: { type: anthropic, headers: { x-worker: "\${AGENTPIPE_TEST_WORKER:-client}" } }
models:
  anthropic/claude-test: { pricing: { input: ${price.input}, output: ${price.output} } }
routes:
  main: [anthropic/claude-test]
retry: { attempts: 2, initial_delay: 10ms, max_delay: 50ms, honor_retry_after: false }
${options.rpm ? `rate_limits: { anthropic: { rpm: ${options.rpm} } }\n` : ''}`;
}

const agent = (name: string) => `version: 1
name: ${name}
model: main
inputs: { task: { type: string, required: true } }
prompt:
  system: "You are ${name}. MARK-${name}"
  user: "task={{inputs.task}}"
`;

export async function makeBatchProject(options: { rpm?: number } = {}): Promise<string> {
  return makeProject({
    'providers.yaml': providersFile(options),
    'tools.yaml': 'version: 1\ntools: {}\n',
    'agents/a.yaml': agent('a'),
    'agents/b.yaml': agent('b'),
    'templates/two.yaml': `version: 1
name: two
inputs: { task: { type: string, required: true } }
steps:
  - { id: first, agent: a, with: { task: "{{inputs.task}}" } }
  - { id: second, agent: b, needs: [first], with: { task: "{{steps.first.output}}" } }
`,
  });
}

export const rowOf = (request: SimRequest) => Number(/row-(\d+)/.exec(JSON.stringify(request.body))?.[1] ?? -1);
export const stepOf = (request: SimRequest) => (JSON.stringify(request.body).includes('MARK-a') ? 'first' : 'second');

/**
 * Answers `ok row-<n>` after `latencyMs`. `onRequest` sees every request first (fault tests kill
 * workers there) and may return a latency for that one request.
 */
export async function startRowSimulator(latency: number | (() => number), onRequest?: (request: SimRequest) => number | void): Promise<Simulator> {
  return startSimulator({
    script: (request) => {
      const override = onRequest?.(request);
      return { text: `ok row-${rowOf(request)}`, latencyMs: typeof override === 'number' ? override : typeof latency === 'number' ? latency : latency(), usage: { input: 20, output: 5 } };
    },
  });
}

/** What the simulator would bill: every call whose answer reached a live client. */
export function billedUsd(requests: SimRequest[]): number {
  const completed = requests.filter((request) => request.completed && request.status === 200);
  return (completed.length * (20 * price.input + 5 * price.output)) / 1_000_000;
}

/** Calls paid more than once for the same row and step (0 means no finished step was repeated). */
export function paidTwice(requests: SimRequest[]): Array<{ row: number; step: string; times: number }> {
  const counts = new Map<string, number>();
  for (const request of requests) {
    if (!request.completed || request.status !== 200) continue;
    const key = `${rowOf(request)}:${stepOf(request)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].filter(([, times]) => times > 1).map(([key, times]) => ({ row: Number(key.split(':')[0]), step: key.split(':')[1]!, times }));
}

export async function writeRows(root: string, count: number, name = 'rows.jsonl', first = 1): Promise<string> {
  const lines = Array.from({ length: count }, (_, index) => JSON.stringify({ task: `row-${first + index}` }));
  await writeFile(join(root, name), `${lines.join('\n')}\n`);
  return name;
}

export const testEnv = (sim: Simulator, worker?: string): NodeJS.ProcessEnv => ({ ...simEnv(sim.url, fakeKeys), ...(worker ? { AGENTPIPE_TEST_WORKER: worker } : {}) });

export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  log: () => string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

export function spawnWorker(root: string, sim: Simulator, queueUrl: string, name: string, extra: string[] = []): WorkerProcess {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'agentpipe.js'), 'worker', '--queue', queueUrl, ...extra], { cwd: root, env: testEnv(sim, name), stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { name, child, log: () => text, exited: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]> };
}

/** Waits until the worker says it is listening (its first log line). */
export async function workerReady(worker: WorkerProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!worker.log().includes(' at a time;')) {
    if (worker.child.exitCode !== null) throw new Error(`worker ${worker.name} exited: ${worker.log()}`);
    if (Date.now() > deadline) throw new Error(`worker ${worker.name} not ready: ${worker.log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function stopWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGKILL');
  await worker.exited;
}
