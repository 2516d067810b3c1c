// serve under load: the simulator (its own process) answers every model call after 200 ms; serve
// (its own process, `agentpipe serve --concurrency 64`) runs a one-step agent; this process
// submits 50 runs/s for BENCH_SERVE_SECONDS (default 30) while 500 SSE subscribers follow the runs
// in flight (each subscribes to a recent run from its first event, reads to the end, then takes
// another). Checked: every subscription got every event of its run, in order, with no gap (against
// events.jsonl afterwards); p99 of POST /v1/runs; serve's peak RSS. Baseline, same run, same
// submission pattern: a bare Fastify route validating the same body and answering 202.
// Goals: 0 lost/reordered, p99 POST <= 50 ms, RSS <= 400 MiB. Needs a build. Standalone:
// `BENCH_SERVE_SECONDS=10 node bench/serve.mjs`. Exports run() -> rows.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.BENCH_SERVE_SECONDS ?? 30);
const ratePerSecond = Number(process.env.BENCH_SERVE_RATE ?? 50);
const subscriberCount = Number(process.env.BENCH_SERVE_SUBSCRIBERS ?? 500);
const latencyMs = 200;
const steps = ['s1', 's2', 's3', 's4'];

async function startProcess(args, env, options = {}) {
  const child = spawn(process.execPath, args, { cwd: options.cwd ?? repoRoot, stdio: ['ignore', 'pipe', 'inherit'], env });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return { url: JSON.parse(line).url, pid: child.pid, stop: async () => (child.kill('SIGTERM'), await once(child, 'exit')) };
}

async function makeProject() {
  const root = await mkdtemp(join(tmpdir(), 'agentpipe-bench-serve-'));
  const chain = steps.map((id, index) => `  - { id: ${id}, agent: worker, with: { task: "do ${id}" }${index ? `, needs: [${steps[index - 1]}]` : ''} }`).join('\n');
  const files = {
    'providers.yaml': 'version: 1\nproviders:\n  anthropic: { type: anthropic }\nmodels:\n  anthropic/claude-bench: { pricing: { input: 3, output: 15 } }\nroutes:\n  main: [anthropic/claude-bench]\n',
    'tools.yaml': 'version: 1\ntools: {}\n',
    'agents/worker.yaml': 'version: 1\nname: worker\nmodel: main\ninputs: { task: { type: string } }\nprompt:\n  system: "You are a worker."\n  user: "{{inputs.task}}"\n',
    'templates/chain.yaml': `version: 1\nname: chain\ninputs: { topic: { type: string } }\nsteps:\n${chain}\noutputs: { last: "{{steps.s4.output}} {{inputs.topic}}" }\n`,
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

/** The bare baseline: Fastify, the same body schema, 202 with an id. */
const bareScript = `
import Fastify from 'fastify';
import { randomBytes } from 'node:crypto';
const app = Fastify({ ajv: { customOptions: { removeAdditional: false } } });
const body = { type: 'object', additionalProperties: false, required: ['target'], properties: { target: { type: 'string', minLength: 1 }, inputs: { type: 'object' }, model: { type: 'string' }, max_cost: { type: 'number' } } };
app.post('/v1/runs', { schema: { body } }, async (_request, reply) => reply.code(202).send({ id: randomBytes(8).toString('hex'), status: 'queued' }));
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url: 'http://127.0.0.1:' + app.server.address().port }) + '\\n');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
`;

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** Submits ratePerSecond runs per second for `seconds`; resolves with latencies and ids. */
async function submit(url, onCreated) {
  const latencies = [];
  const pending = [];
  const errors = [];
  const started = performance.now();
  const total = ratePerSecond * seconds;
  for (let index = 0; index < total; index++) {
    const due = started + (index * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    pending.push(
      fetch(`${url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: process.env.BENCH_SERVE_TARGET ?? 'worker', inputs: (process.env.BENCH_SERVE_TARGET ?? 'worker') === 'worker' ? { task: `task ${index}` } : { topic: `topic ${index}` } }) })
        .then(async (response) => {
          const created = await response.json();
          latencies.push(performance.now() - sent);
          if (response.status !== 202) errors.push(response.status);
          else onCreated?.(created.id);
        })
        .catch((error) => errors.push(String(error))),
    );
  }
  await Promise.all(pending);
  return { latencies, errors };
}

/** One subscription from the first event to the end: the ids it saw, in order. */
async function follow(url, runId) {
  const response = await fetch(`${url}/v1/runs/${runId}/events`);
  if (response.status === 204) return { runId, ids: [], lastType: undefined };
  const decoder = new TextDecoder();
  let buffer = '';
  const ids = [];
  let lastType;
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (id) {
        ids.push(Number(id));
        lastType = JSON.parse(data).type;
      }
    }
  }
  return { runId, ids, lastType };
}

async function loadServe(root, simUrl) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ANTHROPIC_BASE_URL: simUrl, ANTHROPIC_API_KEY: 'bench-key-0123456789abcdef' };
  const serve = await startProcess([`${repoRoot}bin/agentpipe.js`, 'serve', '--port', '0', '--json', '--concurrency', '64', '--rate-limit', '100000000'], env, { cwd: root });
  // One run first, so lazy imports (the provider SDK) are loaded before anything is measured.
  const warm = await (await fetch(`${serve.url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: 'worker', inputs: { task: 'warm up' } }) })).json();
  await follow(serve.url, warm.id);
  const recent = [];
  const subscriptions = [];
  let submitting = true;
  const subscribers = Array.from({ length: subscriberCount }, async (_, index) => {
    await new Promise((resolve) => setTimeout(resolve, index * 2));
    while (submitting) {
      // A run in flight: one of the last few submitted, spread by subscriber.
      const runId = recent[recent.length - 1 - (index % Math.min(recent.length, 25))];
      if (!runId) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      subscriptions.push(await follow(serve.url, runId).catch((error) => ({ runId, ids: [], error: String(error) })));
    }
  });
  const submitted = [];
  const posted = await submit(serve.url, (id) => {
    recent.push(id);
    submitted.push(id);
  });
  submitting = false;
  await Promise.all(subscribers);
  // Let the last runs finish before reading their logs.
  for (let tries = 0; tries < 600; tries++) {
    const { runs } = await (await fetch(`${serve.url}/v1/runs?status=running&limit=1`)).json();
    const { runs: queued } = await (await fetch(`${serve.url}/v1/runs?status=queued&limit=1`)).json();
    if (runs.length === 0 && queued.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const status = await readFile(`/proc/${serve.pid}/status`, 'utf8').catch(() => '');
  const peakRssMiB = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
  const metrics = await (await fetch(`${serve.url}/metrics`)).text();
  await serve.stop();
  // Check every subscription against the run's log.
  const lines = new Map();
  let lost = 0;
  let reordered = 0;
  let events = 0;
  let failedSubscriptions = 0;
  for (const subscription of subscriptions) {
    if (subscription.error) {
      failedSubscriptions++;
      continue;
    }
    if (!lines.has(subscription.runId)) lines.set(subscription.runId, (await readFile(join(root, '.agentpipe', 'runs', subscription.runId, 'events.jsonl'), 'utf8')).split('\n').filter(Boolean).length);
    const expected = lines.get(subscription.runId);
    if (subscription.ids.length === 0) continue; // 204: the run was over before this subscriber came
    events += subscription.ids.length;
    lost += expected - subscription.ids.length;
    reordered += subscription.ids.filter((id, position) => id !== position + 1).length;
  }
  const serverShare = (() => {
    const bucket = (le) => Number(metrics.split('\n').find((line) => line.startsWith('agentpipe_http_request_duration_seconds_bucket{') && line.includes(`le="${le}"`) && line.includes('method="POST"') && line.includes('route="/v1/runs"'))?.split(' ').pop() ?? NaN);
    return bucket('0.05') / bucket('+Inf');
  })();
  return { posted, submitted: submitted.length, subscriptions: subscriptions.length, events, lost, reordered, failedSubscriptions, peakRssMiB, serverShare };
}

export async function run() {
  const script = JSON.stringify({ defaultTurn: { text: 'ok then', latencyMs, usage: { input: 50, output: 5 } } });
  const sim = await startProcess([`${repoRoot}dist/sim/cli.js`, '--port', '0'], { ...process.env, AGENTPIPE_SIM_SCRIPT: script });
  const root = await makeProject();
  try {
    const served = await loadServe(root, sim.url);
    const bare = await startProcess(['--input-type=module', '-e', bareScript], process.env);
    await fetch(`${bare.url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"target":"warm"}' });
    const baseline = await submit(bare.url);
    await bare.stop();
    const p99 = percentile(served.posted.latencies, 99);
    const bareP99 = percentile(baseline.latencies, 99);
    const note = `${seconds} s at ${ratePerSecond}/s, ${subscriberCount} SSE subscribers`;
    return [
      { name: 'POST /v1/runs p99 (client side)', value: p99, unit: 'ms', baseline: bareP99, ratio: p99 / bareP99, goal: '<= 50 ms', note: `${note}; baseline: bare Fastify route, same body schema, no subscribers` },
      { name: 'POST /v1/runs p50 (client side)', value: percentile(served.posted.latencies, 50), unit: 'ms', baseline: percentile(baseline.latencies, 50) },
      { name: 'POST /v1/runs served within 50 ms (server side)', value: served.serverShare * 100, unit: '%', note: 'from serve\'s own latency histogram' },
      { name: 'runs accepted (202)', value: served.submitted, unit: 'runs', note: `${served.posted.errors.length} refused or failed ${[...new Set(served.posted.errors)].slice(0, 3).join(', ')}` },
      { name: 'SSE subscriptions completed', value: served.subscriptions, unit: '', note: `${served.events} events received; ${served.failedSubscriptions} subscriptions failed` },
      { name: 'events lost', value: served.lost, unit: 'events', goal: '0' },
      { name: 'events reordered', value: served.reordered, unit: 'events', goal: '0' },
      { name: 'serve peak RSS', value: served.peakRssMiB, unit: 'MiB', goal: '<= 400 MiB' },
    ];
  } finally {
    await sim.stop();
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await run());
