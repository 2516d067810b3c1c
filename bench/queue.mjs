// Queue throughput against the wire simulator (its own process), each figure beside a baseline
// measured in the same run:
// - one 2-step template over the queue with 1, 2 and 4 workers x concurrency 8 at 1 s per call (so
//   the 2 cores are not the bottleneck): steady-state throughput of 4 workers over 1 (goal >= 3.5x),
//   read from the batch's ledger in Redis (see steadyState), and the client's wall time including
//   start-up; each worker count gets PER_WORKER rows per worker, so each phase
//   lasts about as long;
// - overhead per job: CPU time per job of an agentpipe worker against a bare BullMQ worker making
//   the same streamed SDK call (0 ms calls), and the wall time per job of each;
// - RSS per worker (after its batch, and its peak), beside the bare BullMQ worker's.
// Needs a build and redis-server. AGENTPIPE_BENCH_QUEUE_ROWS_PER_WORKER (default 128) sizes it.
// Standalone: `node bench/queue.mjs`. Exports run() -> rows.
import { rm } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { benchKey, cli, cpuMs, loadAverage, makeProject, memoryMb, repoRoot, startLogged, startRedis, startSimulatorProcess, startWorker, writeRows } from './lib/processes.mjs';

const perWorker = Number(process.env.AGENTPIPE_BENCH_QUEUE_ROWS_PER_WORKER ?? 128);
const concurrency = 8;
const latencyMs = 1000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the batch's ledger (one hash per batch) and records (time, results so far, workers' CPU ms) until stopped. */
function watchLedger(redis, queueName, pids) {
  const samples = [];
  let stop = false;
  const done = (async () => {
    let key;
    while (!stop) {
      // KEYS walks the whole keyspace (BullMQ's job hashes too): fine for a bench's throw-away Redis.
      if (!key) [key] = await redis.keys(`agentpipe:${queueName}:batch:*`);
      if (key) {
        const [results, ...cpu] = await Promise.all([redis.hlen(key), ...pids.map(cpuMs)]);
        samples.push({ at: performance.now(), results, cpu: cpu.reduce((a, b) => a + b, 0) });
      }
      await sleep(50);
    }
  })();
  return { samples, stop: async () => ((stop = true), await done) };
}

/**
 * Steady state, from the batch's first result to the first result of its last wave (the last
 * `slots` rows, which start together once the queue runs dry): results per second and workers'
 * CPU per result over that span. Start-up (worker compile, SDK load) and the last wave's tail are
 * left out; rows finish in waves of `slots` every 2 calls, and this span holds whole waves.
 */
function steadyState(samples, total, slots) {
  const first = samples.find((sample) => sample.results >= 1);
  const last = samples.find((sample) => sample.results >= total - slots + 1);
  if (!first || !last || last.at <= first.at) return { throughput: NaN, cpuPerRow: NaN };
  const rows = last.results - first.results;
  return { throughput: rows / ((last.at - first.at) / 1000), cpuPerRow: (last.cpu - first.cpu) / rows };
}

async function scaling(redis, redisClient, env, root) {
  const out = [];
  const steady = {};
  const wallThroughput = {};
  const memory = [];
  const cpuPerJob = [];
  for (const count of [1, 2, 4]) {
    const rows = perWorker * count;
    const rowsFile = `rows-${count}.jsonl`;
    await writeRows(root, rowsFile, rows, `scale ${count} row`);
    const queueName = `scale${count}`;
    const queue = `${redis.url}?name=${queueName}`;
    const workers = Array.from({ length: count }, () => startWorker(root, env, queue, concurrency));
    await Promise.all(workers.map((worker) => worker.ready));
    const watch = watchLedger(redisClient, queueName, workers.map((worker) => worker.child.pid));
    const started = performance.now();
    const result = await cli(['batch', 'templates/two.yaml', '--inputs', rowsFile, '--queue', queue, '--yes', '--json'], root, env);
    const wall = (performance.now() - started) / 1000;
    await watch.stop();
    if (result.code !== 0) throw new Error(`queue batch exited ${result.code}: ${result.stderr.slice(-500)}`);
    for (const worker of workers) memory.push(await memoryMb(worker.child.pid));
    await Promise.all(workers.map((worker) => worker.stop()));
    const measured = steadyState(watch.samples, rows, concurrency * count);
    steady[count] = measured.throughput;
    cpuPerJob.push(measured.cpuPerRow);
    wallThroughput[count] = rows / wall;
    const ideal = (concurrency * count) / ((2 * latencyMs) / 1000);
    out.push({ name: `queue: ${rows} rows x 2 steps, 1 s calls, ${count} worker(s) x ${concurrency}: steady throughput`, value: steady[count], unit: 'rows/s', baseline: ideal, ratio: steady[count] / ideal, note: `ideal ${ideal} rows/s; client wall incl. start-up ${wall.toFixed(1)} s (${wallThroughput[count].toFixed(2)} rows/s)` });
  }
  out.push({ name: 'queue: steady throughput of 4 workers over 1', value: steady[4] / steady[1], unit: 'x', goal: '>= 3.5x' });
  out.push({ name: 'queue: wall throughput of 4 workers over 1 (client command, start-up included)', value: wallThroughput[4] / wallThroughput[1], unit: 'x' });
  out.push({ name: 'queue: worker CPU per 2-step row in steady state (user+system, 1 / 2 / 4 workers)', value: cpuPerJob.reduce((a, b) => a + b, 0) / cpuPerJob.length, unit: 'ms', note: cpuPerJob.map((value) => value.toFixed(2)).join(' / ') });
  out.push({ name: 'queue: RSS per worker after its batch (smallest-largest)', value: Math.round(Math.max(...memory.map((m) => m.rss))), unit: 'MB', note: `${Math.round(Math.min(...memory.map((m) => m.rss)))}-${Math.round(Math.max(...memory.map((m) => m.rss)))} MB; peak ${Math.round(Math.max(...memory.map((m) => m.peak)))} MB` });
  return out;
}

/** The same one SDK call per job, through an agentpipe worker and through a bare BullMQ worker. */
async function overheadPerJob(redis, redisClient, env, root, simUrl) {
  const jobs = 400;
  const { Queue } = await import('bullmq');
  const bareScript = `
    import { Worker } from 'bullmq';
    import Anthropic from '@anthropic-ai/sdk';
    const client = new Anthropic({ apiKey: '${benchKey}', baseURL: '${simUrl}', maxRetries: 0 });
    const worker = new Worker('bare', async (job) => {
      const stream = client.messages.stream({ model: 'claude-bench', max_tokens: 1024, system: 'You are a.', messages: [{ role: 'user', content: job.data.task }] });
      return (await stream.finalMessage()).usage;
    }, { connection: { url: '${redis.url}', maxRetriesPerRequest: null }, concurrency: ${concurrency} });
    await worker.waitUntilReady();
    process.stderr.write('ready at a time;\\n');`;
  const timeJobs = async (worker, queue, data, done) => {
    // One warm-up job: module loading and the first connection are start-up, not per-job cost.
    await queue.add('job', data(jobs));
    while (!(await done(1))) await sleep(20);
    const cpuBefore = await cpuMs(worker.child.pid);
    const started = performance.now();
    await queue.addBulk(Array.from({ length: jobs }, (_, index) => ({ name: 'job', data: data(index) })));
    while (!(await done(jobs + 1))) await sleep(20);
    const wallMs = (performance.now() - started) / jobs;
    const cpu = ((await cpuMs(worker.child.pid)) - cpuBefore) / jobs;
    const memory = await memoryMb(worker.child.pid);
    await worker.stop();
    await queue.close();
    return { wallMs, cpu, memory };
  };

  const bareWorker = startLogged(process.execPath, ['--input-type=module', '-e', bareScript], { cwd: repoRoot }, 'at a time;');
  await bareWorker.ready;
  const bareQueue = new Queue('bare', { connection: redisClient });
  const bare = await timeJobs(bareWorker, bareQueue, (index) => ({ task: `row ${index}` }), async (n) => (await bareQueue.getJobCounts('completed')).completed >= n);

  const ourWorker = startWorker(root, env, `${redis.url}?name=overhead`, concurrency);
  await ourWorker.ready;
  const ourQueue = new Queue('overhead', { connection: redisClient });
  const ours = await timeJobs(
    ourWorker,
    ourQueue,
    (index) => ({ target: 'agents/a.yaml', inputs: { task: `row ${index}` }, runId: `20260101-000000-000-${index.toString(16).padStart(6, '0')}`, batch: { id: 'bench', line: index + 1, hash: 'h' } }),
    async (n) => (await redisClient.hlen('agentpipe:overhead:batch:bench')) >= n,
  );
  return [
    { name: `queue overhead: worker CPU per one-call job (${jobs} jobs, concurrency ${concurrency}, 0 ms calls)`, value: ours.cpu, unit: 'ms', baseline: bare.cpu, ratio: ours.cpu / bare.cpu, note: `+${(ours.cpu - bare.cpu).toFixed(2)} ms CPU per job over a bare BullMQ worker making the same streamed SDK call` },
    { name: 'queue overhead: wall per one-call job (same jobs)', value: ours.wallMs, unit: 'ms', baseline: bare.wallMs, ratio: ours.wallMs / bare.wallMs },
    { name: 'queue overhead: RSS of the worker after those jobs', value: Math.round(ours.memory.rss), unit: 'MB', baseline: Math.round(bare.memory.rss), ratio: ours.memory.rss / bare.memory.rss, note: 'baseline: the bare BullMQ worker' },
  ];
}

export async function run() {
  const loadBefore = await loadAverage();
  const redis = await startRedis();
  const sim = await startSimulatorProcess(latencyMs);
  const fast = await startSimulatorProcess(0);
  const root = await makeProject(1);
  const { Redis } = await import('ioredis');
  const redisClient = new Redis(redis.url, { maxRetriesPerRequest: null });
  try {
    const env = { PATH: process.env.PATH, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: benchKey };
    const rows = await scaling(redis, redisClient, env, root);
    rows.push(...(await overheadPerJob(redis, redisClient, { ...env, ANTHROPIC_BASE_URL: fast.url }, root, fast.url)));
    rows.push({ name: 'load average (1/5/15 min) before / after', value: loadBefore, unit: '', note: await loadAverage() });
    return rows;
  } finally {
    redisClient.disconnect();
    await sim.stop();
    await fast.stop();
    await redis.stop();
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(`${row.name}: ${typeof row.value === 'number' ? row.value.toFixed(3) : row.value} ${row.unit}${row.ratio ? ` (${row.ratio.toFixed(3)}x of ${Number(row.baseline).toFixed(3)})` : ''}${row.goal ? `  goal ${row.goal}` : ''}${row.note ? `  ${row.note}` : ''}`);
}
