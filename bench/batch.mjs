// Batch and queue throughput against the wire simulator (its own process), each figure beside a
// baseline measured in the same run:
// - local `agentpipe batch --concurrency 64`, ROWS rows x a 2-step template at 200 ms per call:
//   wall against the ideal rows x steps x latency / concurrency (goal <= 1.15x);
// - the same template over the queue with 1, 2 and 4 workers x concurrency 8 at 1 s per call:
//   throughput of 4 workers over 1 (goal >= 3.5x), and RSS per worker;
// - overhead per job: agentpipe workers against a bare BullMQ worker making the same SDK call.
// Needs a build and redis-server. Sizes: AGENTPIPE_BENCH_ROWS (default 1000), AGENTPIPE_BENCH_QUEUE_ROWS
// (default 64); AGENTPIPE_BENCH_BATCH=local|queue runs one half. Standalone: `node bench/batch.mjs`. Exports run() -> rows.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const bin = join(repoRoot, 'bin', 'agentpipe.js');
const rows = Number(process.env.AGENTPIPE_BENCH_ROWS ?? 1000);
const queueRows = Number(process.env.AGENTPIPE_BENCH_QUEUE_ROWS ?? 64);
const key = 'bench-key-0123456789';

async function startSimulatorProcess(latencyMs) {
  const script = JSON.stringify({ defaultTurn: { text: 'ok', latencyMs, usage: { input: 50, output: 5 } } });
  const child = spawn(process.execPath, [`${repoRoot}dist/sim/cli.js`, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, AGENTPIPE_SIM_SCRIPT: script } });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return { url: JSON.parse(line).url, stop: async () => (child.kill('SIGTERM'), await once(child, 'exit')) };
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.stdout.on('data', (chunk) => String(chunk).includes('Ready to accept') && resolve()));
  child.stdout.resume();
  return { url: `redis://127.0.0.1:${port}`, stop: async () => (child.kill('SIGTERM'), await once(child, 'exit')) };
}

async function makeProject(rowCount) {
  const root = await mkdtemp(join(tmpdir(), 'agentpipe-bench-batch-'));
  const agent = (name) => `version: 1\nname: ${name}\nmodel: main\ninputs: { task: { type: string } }\nprompt:\n  system: "You are ${name}."\n  user: "{{inputs.task}}"\n`;
  const files = {
    'providers.yaml': 'version: 1\nproviders:\n  anthropic: { type: anthropic }\nmodels:\n  anthropic/claude-bench: { pricing: { input: 3, output: 15 } }\nroutes:\n  main: [anthropic/claude-bench]\n',
    'tools.yaml': 'version: 1\ntools: {}\n',
    'agents/a.yaml': agent('a'),
    'agents/b.yaml': agent('b'),
    'templates/two.yaml': 'version: 1\nname: two\ninputs: { task: { type: string } }\nsteps:\n  - { id: first, agent: a, with: { task: "{{inputs.task}}" } }\n  - { id: second, agent: b, needs: [first], with: { task: "{{steps.first.output}}" } }\n',
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  await writeFile(join(root, 'rows.jsonl'), Array.from({ length: rowCount }, (_, index) => JSON.stringify({ task: `row ${index}` })).join('\n'));
  return root;
}

function cli(args, root, env) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function startWorker(root, env, queue, concurrency) {
  const child = spawn(process.execPath, [bin, 'worker', '--queue', queue, '--concurrency', String(concurrency)], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  const ready = new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (log.includes(' at a time;')) (clearInterval(timer), resolve());
      if (child.exitCode !== null) (clearInterval(timer), reject(new Error(log)));
    }, 50);
  });
  return { child, ready, stop: async () => (child.kill('SIGKILL'), await once(child, 'exit')) };
}

const rssMb = async (pid) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function localBatch() {
  const latencyMs = 200;
  const concurrency = 64;
  const sim = await startSimulatorProcess(latencyMs);
  const root = await makeProject(rows);
  try {
    const env = { PATH: process.env.PATH, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: key };
    const started = performance.now();
    const result = await cli(['batch', 'templates/two.yaml', '--inputs', 'rows.jsonl', '--concurrency', String(concurrency), '--yes', '--json'], root, env);
    const wall = (performance.now() - started) / 1000;
    if (result.code !== 0) throw new Error(`local batch exited ${result.code}: ${result.stderr.slice(-500)}`);
    const summary = JSON.parse(result.stdout);
    const ideal = (rows * 2 * latencyMs) / 1000 / concurrency;
    return [
      { name: `local batch, ${rows} rows x 2 steps, 200 ms calls, concurrency 64: wall (whole process)`, value: wall, unit: 's', baseline: ideal, ratio: wall / ideal, goal: '<= 1.15x ideal' },
      { name: 'local batch: wall inside the batch (after start-up, load and compile)', value: summary.wallMs / 1000, unit: 's', baseline: ideal, ratio: summary.wallMs / 1000 / ideal },
    ];
  } finally {
    await sim.stop();
    await rm(root, { recursive: true, force: true });
  }
}

async function queueScaling(redis) {
  const latencyMs = 1000;
  const sim = await startSimulatorProcess(latencyMs);
  const root = await makeProject(queueRows);
  const env = { PATH: process.env.PATH, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: key };
  const out = [];
  const throughput = {};
  let rss = 0;
  try {
    for (const count of [1, 2, 4]) {
      const queue = `${redis.url}?name=scale${count}`;
      const workers = Array.from({ length: count }, () => startWorker(root, env, queue, 8));
      await Promise.all(workers.map((worker) => worker.ready));
      const started = performance.now();
      const result = await cli(['batch', 'templates/two.yaml', '--inputs', 'rows.jsonl', '--queue', queue, '--json'], root, env);
      const wall = (performance.now() - started) / 1000;
      if (result.code !== 0) throw new Error(`queue batch exited ${result.code}: ${result.stderr.slice(-500)}`);
      for (const worker of workers) rss = Math.max(rss, await rssMb(worker.child.pid));
      await Promise.all(workers.map((worker) => worker.stop()));
      throughput[count] = queueRows / wall;
      const ideal = (queueRows * 2 * latencyMs) / 1000 / (8 * count);
      out.push({ name: `queue: ${queueRows} rows x 2 steps, 1 s calls, ${count} worker(s) x 8: wall (client command)`, value: wall, unit: 's', baseline: ideal, ratio: wall / ideal });
    }
    out.push({ name: 'queue: throughput of 4 workers over 1', value: throughput[4] / throughput[1], unit: 'x', goal: '>= 3.5x' });
    out.push({ name: 'RSS per worker (largest seen, after its batch)', value: Math.round(rss), unit: 'MB' });
    return out;
  } finally {
    await sim.stop();
    await rm(root, { recursive: true, force: true });
  }
}

/** Per-job cost: the same one SDK call per job, through agentpipe workers and through a bare BullMQ worker. */
async function overheadPerJob(redis) {
  const jobs = 300;
  const sim = await startSimulatorProcess(0);
  const root = await makeProject(1);
  const env = { PATH: process.env.PATH, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: key };
  const { Queue } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  try {
    // Bare: a BullMQ worker whose processor is one streamed Anthropic SDK call.
    const bareScript = `
      import { Worker } from 'bullmq';
      import Anthropic from '@anthropic-ai/sdk';
      const client = new Anthropic({ apiKey: '${key}', baseURL: '${sim.url}', maxRetries: 0 });
      const worker = new Worker('bare', async (job) => {
        const stream = client.messages.stream({ model: 'claude-bench', max_tokens: 1024, system: 'You are a.', messages: [{ role: 'user', content: job.data.task }] });
        return (await stream.finalMessage()).usage;
      }, { connection: { url: '${redis.url}', maxRetriesPerRequest: null }, concurrency: 8 });
      await worker.waitUntilReady();
      process.stderr.write('ready at a time;\\n');`;
    const bare = spawn(process.execPath, ['--input-type=module', '-e', bareScript], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let bareLog = '';
    bare.stderr.on('data', (chunk) => (bareLog += chunk));
    while (!bareLog.includes('at a time;')) await new Promise((resolve) => setTimeout(resolve, 50));
    const bareQueue = new Queue('bare', { connection });
    const timeJobs = async (queue, data, done) => {
      const started = performance.now();
      await queue.addBulk(Array.from({ length: jobs }, (_, index) => ({ name: 'job', data: data(index) })));
      while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 20));
      return (performance.now() - started) / jobs;
    };
    const bareMs = await timeJobs(bareQueue, (index) => ({ task: `row ${index}` }), async () => (await bareQueue.getJobCounts('completed')).completed >= jobs);
    bare.kill('SIGKILL');
    await bareQueue.close();

    const worker = startWorker(root, env, `${redis.url}?name=overhead`, 8);
    await worker.ready;
    const ours = new Queue('overhead', { connection });
    const oursMs = await timeJobs(
      ours,
      (index) => ({ target: 'agents/a.yaml', inputs: { task: `row ${index}` }, runId: `20260101-000000-000-${index.toString(16).padStart(6, '0')}`, batch: { id: 'bench', line: index + 1, hash: 'h' } }),
      async () => (await connection.hlen('agentpipe:overhead:batch:bench')) >= jobs,
    );
    await worker.stop();
    await ours.close();
    return [
      { name: `queue overhead per job (${jobs} one-call jobs, concurrency 8, 0 ms calls)`, value: oursMs, unit: 'ms', baseline: bareMs, ratio: oursMs / bareMs, note: `+${(oursMs - bareMs).toFixed(2)} ms per job over a bare BullMQ worker making the same SDK call` },
    ];
  } finally {
    connection.disconnect();
    await sim.stop();
    await rm(root, { recursive: true, force: true });
  }
}

export async function run() {
  // AGENTPIPE_BENCH_BATCH=local|queue runs one half only (the local half needs no Redis).
  const only = process.env.AGENTPIPE_BENCH_BATCH;
  if (only !== undefined && only !== 'local' && only !== 'queue') throw new Error(`AGENTPIPE_BENCH_BATCH must be local or queue, got '${only}'`);
  const local = only === 'queue' ? [] : await localBatch();
  if (only === 'local') return local;
  const redis = await startRedis();
  try {
    return [...local, ...(await queueScaling(redis)), ...(await overheadPerJob(redis))];
  } finally {
    await redis.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(`${row.name}: ${typeof row.value === 'number' ? row.value.toFixed(3) : row.value} ${row.unit}${row.ratio ? ` (${row.ratio.toFixed(3)}x of ${row.baseline.toFixed(3)})` : ''}${row.goal ? `  goal ${row.goal}` : ''}${row.note ? `  ${row.note}` : ''}`);
}
