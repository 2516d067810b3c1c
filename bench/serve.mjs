// serve under load: the simulator (its own process) answers every model call after 200 ms; serve
// (its own process, `agentpipe serve --concurrency 64 --workers BENCH_SERVE_WORKERS (default 1)`)
// runs a one-step agent; a submitter process (bench/serve-client.mjs) submits 50 runs/s for
// BENCH_SERVE_SECONDS (default 30) while a subscriber process runs 500 SSE subscribers following
// the runs in flight (each subscribes to a recent run from its first event, reads to the end, then
// takes the run at its place among the 25 newest again once a newer one has come: it never re-reads
// the run it just followed). The clients are processes of their own so that their event loops do not delay
// what they time; the submitter records the client-side time and serve's Server-Timing. Checked: every subscription got every event of its run, in order, with no gap (against
// events.jsonl afterwards); p99 of POST /v1/runs; serve's peak RSS. Baseline, same run, same
// submission pattern: a bare Fastify route validating the same body and answering 202.
// Goals: 0 lost/reordered, p99 POST <= 50 ms, RSS <= 400 MiB. Needs a build. Standalone:
// `BENCH_SERVE_SECONDS=10 node bench/serve.mjs`. Exports run() -> rows.
// Also reported, over the load window (two scrapes of /metrics and of /proc): serve's HTTP-thread
// event-loop delay, its GC, and how long each of its threads ran and waited for a CPU. Debugging:
// BENCH_DEBUG=1 (progress, each client's CPU and wait), BENCH_SERVE_NODE_OPTIONS (e.g. --cpu-prof),
// BENCH_SERVE_STDOUT=<file> (serve's stdout, e.g. --trace-gc), BENCH_SERVE_SUBSCRIBER_NICE=<n>.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
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
  // Lines before the JSON one (node's --trace-gc, say) are skipped, and kept in options.stdout if given.
  const lines = createInterface({ input: child.stdout });
  const kept = options.stdout ? createWriteStream(options.stdout) : undefined;
  const url = await new Promise((resolve, reject) => {
    let found = false;
    lines.on('line', (line) => {
      kept?.write(`${line}\n`);
      if (!found && line.startsWith('{')) (found = true), resolve(JSON.parse(line).url);
    });
    child.once('exit', (code) => reject(new Error(`${args.at(-1)} exited ${code} before it said where it listens`)));
  });
  return { url, pid: child.pid, stop: async () => (child.kill('SIGTERM'), await once(child, 'exit'), kept?.end()) };
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
// Server-Timing as serve sends it (Fastify starts the clock at routing when an onResponse hook exists).
app.addHook('onResponse', (_request, _reply, done) => done());
app.addHook('onSend', (_request, reply, payload, done) => { reply.header('server-timing', 'app;dur=' + reply.elapsedTime.toFixed(2)); done(null, payload); });
app.post('/v1/runs', { schema: { body } }, async (_request, reply) => reply.code(202).send({ id: randomBytes(8).toString('hex'), status: 'queued' }));
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url: 'http://127.0.0.1:' + app.server.address().port }) + '\\n');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
`;

const percentile = (values, p) => {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

const clientScript = `${repoRoot}bench/serve-client.mjs`;
const readJsonLines = async (path) => (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line));

/** Submits ratePerSecond runs per second for `seconds` from a process of its own; `onCreated` gets each new run id. */
async function submit(url, dir, name, onCreated) {
  const out = join(dir, `${name}-posts.jsonl`);
  const target = process.env.BENCH_SERVE_TARGET ?? 'worker';
  const child = spawn(process.execPath, [clientScript, 'submit', url, String(seconds), String(ratePerSecond), target, out], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (onCreated) createInterface({ input: child.stdout }).on('line', onCreated);
  else child.stdout.resume();
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`the submitter exited ${code}`);
  const posts = await readJsonLines(out);
  return { latencies: posts.map((post) => post.ms), server: posts.map((post) => post.server), errors: posts.filter((post) => post.status !== 202).map((post) => post.error ?? post.status) };
}

/** Peak and samples of a process's RSS (VmHWM covers every thread of it, workers included). */
function watchRss(pid) {
  const samples = [];
  const timer = setInterval(async () => {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
    if (Number.isFinite(rss)) samples.push(rss);
  }, 500);
  return {
    samples,
    stop: async () => {
      clearInterval(timer);
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
    },
  };
}

async function follow(url, runId) {
  const response = await fetch(`${url}/v1/runs/${runId}/events`);
  for await (const _chunk of response.body ?? []) {
    // read to the end
  }
}

const debug = (text) => process.env.BENCH_DEBUG && process.stderr.write(`[serve bench] ${text}\n`);

/** Value of one Prometheus series (exact name with labels) in a /metrics text. */
const series = (text, name) => Number(text.split('\n').find((line) => line.startsWith(`${name} `))?.split(' ').pop() ?? NaN);

/** serve's HTTP-thread event-loop delay and GC over the load window (the difference of two scrapes). */
function windowOf(before, after) {
  const delta = (name) => series(after, name) - series(before, name);
  const bounds = ['0.001', '0.005', '0.01', '0.02', '0.05', '0.1', '0.25', '0.5', '1', '+Inf'];
  const buckets = bounds.map((le) => [le, delta(`agentpipe_event_loop_delay_seconds_bucket{le="${le}"}`)]);
  const count = delta('agentpipe_event_loop_delay_seconds_count');
  const p99 = buckets.find(([, cumulative]) => cumulative >= 0.99 * count)?.[0];
  const over = (le) => count - (buckets.find(([bound]) => bound === le)?.[1] ?? NaN);
  const gc = (kind) => ({ ms: delta(`agentpipe_serve_nodejs_gc_duration_seconds_sum{kind="${kind}"}`) * 1000, count: delta(`agentpipe_serve_nodejs_gc_duration_seconds_count{kind="${kind}"}`) });
  return {
    samples: count,
    p99: p99 === undefined ? NaN : p99 === '+Inf' ? Infinity : Number(p99) * 1000,
    meanMs: (delta('agentpipe_event_loop_delay_seconds_sum') / count) * 1000,
    over20: over('0.02'),
    over50: over('0.05'),
    over100: over('0.1'),
    gcMinor: gc('minor'),
    gcMajor: gc('major'),
    gcIncremental: gc('incremental'),
    cpuSeconds: delta('agentpipe_serve_process_cpu_seconds_total'),
  };
}

/** Per thread name (MainThread, WorkerThread, V8Worker...): ms on a CPU and ms runnable but waiting for one (Linux schedstat). */
async function schedstat(pid) {
  const { readdir } = await import('node:fs/promises');
  const threads = {};
  for (const task of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    const [comm, stat] = await Promise.all([readFile(`/proc/${pid}/task/${task}/comm`, 'utf8'), readFile(`/proc/${pid}/task/${task}/schedstat`, 'utf8')].map((read) => read.catch(() => '')));
    const [run, wait] = stat.split(' ').map(Number);
    if (!comm || !Number.isFinite(run)) continue;
    const name = comm.trim();
    threads[name] ??= { runMs: 0, waitMs: 0 };
    threads[name].runMs += run / 1e6;
    threads[name].waitMs += wait / 1e6;
  }
  return threads;
}

const schedDelta = (before, after) => ({
  httpWaitS: ((after.MainThread?.waitMs ?? NaN) - (before.MainThread?.waitMs ?? NaN)) / 1000,
  text: Object.entries(after)
    .filter(([name]) => !['DelayedTaskSche', 'SignalInspector'].includes(name))
    .map(([name, { runMs, waitMs }]) => `${name === 'MainThread' ? 'HTTP thread' : name === 'WorkerThread' ? 'run worker' : name} ${((runMs - (before[name]?.runMs ?? 0)) / 1000).toFixed(1)} s on CPU / ${((waitMs - (before[name]?.waitMs ?? 0)) / 1000).toFixed(1)} s waiting`)
    .join(', '),
});

async function loadServe(root, simUrl, dir) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ANTHROPIC_BASE_URL: simUrl, ANTHROPIC_API_KEY: 'bench-key-0123456789abcdef' };
  const workers = process.env.BENCH_SERVE_WORKERS ?? '1';
  const extra = process.env.BENCH_SERVE_ARGS ? process.env.BENCH_SERVE_ARGS.split(' ') : [];
  const serve = await startProcess([...(process.env.BENCH_SERVE_NODE_OPTIONS ? process.env.BENCH_SERVE_NODE_OPTIONS.split(' ') : []), `${repoRoot}bin/agentpipe.js`, 'serve', '--port', '0', '--json', '--concurrency', '64', '--rate-limit', '100000000', '--workers', workers, ...extra], env, { cwd: root, ...(process.env.BENCH_SERVE_STDOUT ? { stdout: process.env.BENCH_SERVE_STDOUT } : {}) });
  debug(`serve at ${serve.url}`);
  // One run first, so lazy imports (the provider SDK) are loaded before anything is measured.
  const warm = await (await fetch(`${serve.url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ target: 'worker', inputs: { task: 'warm up' } }) })).json();
  await follow(serve.url, warm.id);
  debug('warmed up');
  const rss = watchRss(serve.pid);
  const metricsBefore = await (await fetch(`${serve.url}/metrics`)).text();
  const schedBefore = await schedstat(serve.pid);
  const loadBefore = (await readFile('/proc/loadavg', 'utf8').catch(() => '')).split(' ')[0];
  const subscriptionsPath = join(dir, 'subscriptions.jsonl');
  const subscribers = spawn(process.execPath, [clientScript, 'subscribe', serve.url, String(subscriberCount), subscriptionsPath], { stdio: ['pipe', 'ignore', 'inherit'] });
  // BENCH_SERVE_SUBSCRIBER_NICE=N: the subscribers' process (load, not measurement) yields the CPU to serve and the submitter. Off by default.
  if (process.env.BENCH_SERVE_SUBSCRIBER_NICE) (await import('node:os')).setPriority(subscribers.pid, Number(process.env.BENCH_SERVE_SUBSCRIBER_NICE));
  let submitted = 0;
  const posted = await submit(serve.url, dir, 'serve', (id) => {
    submitted++;
    subscribers.stdin.write(`${id}\n`);
  });
  debug(`submitted ${submitted}`);
  // The load window: what serve's HTTP thread went through while the submitter ran.
  const metricsAfter = await (await fetch(`${serve.url}/metrics`)).text();
  const loadAfter = (await readFile('/proc/loadavg', 'utf8').catch(() => '')).split(' ')[0];
  const loop = windowOf(metricsBefore, metricsAfter);
  loop.threads = schedDelta(schedBefore, await schedstat(serve.pid));
  subscribers.stdin.end();
  await once(subscribers, 'exit');
  debug('subscribers done');
  // Let the last runs finish before reading their logs.
  for (let tries = 0; tries < 600; tries++) {
    const { runs } = await (await fetch(`${serve.url}/v1/runs?status=running&limit=1`)).json();
    const { runs: queued } = await (await fetch(`${serve.url}/v1/runs?status=queued&limit=1`)).json();
    if (runs.length === 0 && queued.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const peakRssMiB = await rss.stop();
  if (process.env.BENCH_SERVE_SNAPSHOT) {
    // Debugging memory: serve started with --heapsnapshot-signal=SIGUSR2 writes a snapshot of its HTTP thread.
    process.kill(serve.pid, 'SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
  const metrics = await (await fetch(`${serve.url}/metrics`)).text();
  await serve.stop();
  // Check every subscription against the run's log.
  const lines = new Map();
  let lost = 0;
  let reordered = 0;
  let events = 0;
  let failedSubscriptions = 0;
  let empty = 0;
  const subscriptions = await readJsonLines(subscriptionsPath);
  for (const subscription of subscriptions) {
    if (subscription.error) {
      failedSubscriptions++;
      continue;
    }
    if (subscription.count === 0) {
      empty++; // 204: the run was over before this subscriber came
      continue;
    }
    if (!lines.has(subscription.runId)) lines.set(subscription.runId, (await readFile(join(root, '.agentpipe', 'runs', subscription.runId, 'events.jsonl'), 'utf8')).split('\n').filter(Boolean).length);
    const expected = lines.get(subscription.runId);
    events += subscription.count;
    lost += expected - subscription.count;
    if (!subscription.inOrder || subscription.first !== 1) reordered++;
  }
  const serverShare = (() => {
    const bucket = (le) => Number(metrics.split('\n').find((line) => line.startsWith('agentpipe_http_request_duration_seconds_bucket{') && line.includes(`le="${le}"`) && line.includes('method="POST"') && line.includes('route="/v1/runs"'))?.split(' ').pop() ?? NaN);
    return bucket('0.05') / bucket('+Inf');
  })();
  const metric = (name) => Number(metrics.split('\n').find((line) => line.startsWith(`${name} `))?.split(' ').pop() ?? NaN) / 1024 / 1024;
  const mainHeapMiB = metric('agentpipe_serve_nodejs_heap_size_total_bytes');
  const workerHeapMiB = metric('agentpipe_run_worker_heap_bytes{worker="0"}');
  return { loop, load: `${loadBefore}→${loadAfter}`, mainHeapMiB, workerHeapMiB, posted, submitted, subscriptions: subscriptions.length, empty, events, lost, reordered, failedSubscriptions, peakRssMiB, rssSamples: rss.samples, serverShare, workers };
}

export async function run() {
  const script = JSON.stringify({ defaultTurn: { text: 'ok then', latencyMs, usage: { input: 50, output: 5 } } });
  const sim = await startProcess([`${repoRoot}dist/sim/cli.js`, '--port', '0'], { ...process.env, AGENTPIPE_SIM_SCRIPT: script });
  const root = await makeProject();
  const dir = await mkdtemp(join(tmpdir(), 'agentpipe-bench-serve-out-'));
  try {
    const served = await loadServe(root, sim.url, dir);
    const bare = await startProcess(['--input-type=module', '-e', bareScript], process.env);
    await fetch(`${bare.url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"target":"warm"}' });
    const baseline = await submit(bare.url, dir, 'bare');
    await bare.stop();
    const p99 = percentile(served.posted.latencies, 99);
    const bareP99 = percentile(baseline.latencies, 99);
    const note = `${seconds} s at ${ratePerSecond}/s, ${subscriberCount} SSE subscribers, --workers ${served.workers}; clients in their own processes${process.env.BENCH_SERVE_SUBSCRIBER_NICE ? ` (subscribers at nice ${process.env.BENCH_SERVE_SUBSCRIBER_NICE})` : ''}`;
    const serverP99 = percentile(served.posted.server, 99);
    const bareServerP99 = percentile(baseline.server, 99);
    return [
      { name: 'POST /v1/runs p99 (client side)', value: p99, unit: 'ms', baseline: bareP99, ratio: p99 / bareP99, goal: '<= 50 ms', note: `${note}; baseline: bare Fastify route, same body schema, no subscribers` },
      { name: 'POST /v1/runs p50 (client side)', value: percentile(served.posted.latencies, 50), unit: 'ms', baseline: percentile(baseline.latencies, 50) },
      { name: 'POST /v1/runs p99 (server side, Server-Timing)', value: serverP99, unit: 'ms', baseline: bareServerP99, ratio: serverP99 / bareServerP99, note: 'arrival to response head, as serve measures it; the bare route measured the same way' },
      { name: 'POST /v1/runs p50 (server side, Server-Timing)', value: percentile(served.posted.server, 50), unit: 'ms', baseline: percentile(baseline.server, 50) },
      { name: 'POST /v1/runs served within 50 ms (server side)', value: served.serverShare * 100, unit: '%', note: 'from serve\'s own latency histogram' },
      { name: 'runs accepted (202)', value: served.submitted, unit: 'runs', note: `${served.posted.errors.length} refused or failed ${[...new Set(served.posted.errors)].slice(0, 3).join(', ')}` },
      { name: 'SSE subscriptions completed', value: served.subscriptions, unit: '', note: `${served.events} events received; ${served.empty} found the run already over (204); ${served.failedSubscriptions} subscriptions failed` },
      { name: 'events lost', value: served.lost, unit: 'events', goal: '0' },
      { name: 'events reordered', value: served.reordered, unit: 'events', goal: '0' },
      { name: 'HTTP thread event-loop delay p99 (load window)', value: served.loop.p99, unit: 'ms', note: `upper bucket bound; ${served.loop.samples} samples every 10 ms, mean ${served.loop.meanMs.toFixed(1)} ms, ${served.loop.over20} over 20 ms, ${served.loop.over50} over 50 ms, ${served.loop.over100} over 100 ms; GC (sampled) minor ${served.loop.gcMinor.count}x ${served.loop.gcMinor.ms.toFixed(0)} ms, major ${served.loop.gcMajor.count}x ${served.loop.gcMajor.ms.toFixed(0)} ms, incremental ${served.loop.gcIncremental.ms.toFixed(0)} ms; serve CPU ${served.loop.cpuSeconds.toFixed(1)} s (all threads); load average ${served.load}` },
      { name: 'HTTP thread runnable but waiting for a CPU (load window)', value: served.loop.threads.httpWaitS, unit: 's', note: `Linux schedstat, per thread name: ${served.loop.threads.text}` },
      { name: 'serve peak RSS', value: served.peakRssMiB, unit: 'MiB', goal: '<= 400 MiB', note: `VmHWM, every thread; RSS every 5 s: ${served.rssSamples.filter((_, index) => index % 10 === 9).map((value) => value.toFixed(0)).join(' ')} MiB; at the end, HTTP thread's heap ${served.mainHeapMiB.toFixed(0)} MiB, first run worker's heap in use ${served.workerHeapMiB.toFixed(0)} MiB` },
    ];
  } finally {
    await sim.stop();
    await rm(root, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await run());
