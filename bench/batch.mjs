// Local batch throughput against the wire simulator (its own process), beside a baseline measured
// in the same run: `agentpipe batch --concurrency 64`, ROWS rows x a 2-step template at 200 ms per
// call: wall against the ideal rows x steps x latency / concurrency (goal <= 1.15x), and against two
// floors measured first in the same run on the same simulator (bench/lib/floor-clients.mjs): a bare
// node:http client and the bare Anthropic SDK making the same calls. The queue half
// of the same issue (1/2/4 workers, overhead per job against bare BullMQ, RSS) is bench/queue.mjs.
// Needs a build. Size: AGENTPIPE_BENCH_ROWS (default 1000). Standalone: `node bench/batch.mjs`.
// Exports run() -> rows.
import { rm } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { benchKey as key, cli, loadAverage, makeProject, startSimulatorProcess } from './lib/processes.mjs';
import { rawHttpFloor, sdkFloor } from './lib/floor-clients.mjs';

const rows = Number(process.env.AGENTPIPE_BENCH_ROWS ?? 1000);

async function localBatch() {
  const latencyMs = 200;
  const concurrency = 64;
  const sim = await startSimulatorProcess(latencyMs);
  const root = await makeProject(rows);
  try {
    const ideal = (rows * 2 * latencyMs) / 1000 / concurrency;
    const loadBefore = await loadAverage();
    // Each floor gets a fresh simulator process, as the batch does (the simulator keeps a log of every call).
    const floor = async (measure) => {
      const own = await startSimulatorProcess(latencyMs);
      try {
        return await measure(own.url, key, rows, concurrency);
      } finally {
        await own.stop();
      }
    };
    const raw = await floor(rawHttpFloor);
    const sdk = await floor(sdkFloor);
    const env = { PATH: process.env.PATH, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: key };
    const started = performance.now();
    const result = await cli(['batch', 'templates/two.yaml', '--inputs', 'rows.jsonl', '--concurrency', String(concurrency), '--yes', '--json'], root, env);
    const wall = (performance.now() - started) / 1000;
    if (result.code !== 0) throw new Error(`local batch exited ${result.code}: ${result.stderr.slice(-500)}`);
    const summary = JSON.parse(result.stdout);
    const note = `load ${loadBefore} -> ${await loadAverage()}`;
    return [
      { name: `floor: bare node:http client, same calls, same simulator, concurrency ${concurrency}`, value: raw.wallS, unit: 's', baseline: ideal, ratio: raw.wallS / ideal, note: `client CPU ${(raw.cpuMs / rows).toFixed(2)} ms/row` },
      { name: 'floor: bare Anthropic SDK (node:http fetch), same calls', value: sdk.wallS, unit: 's', baseline: ideal, ratio: sdk.wallS / ideal, note: `client CPU ${(sdk.cpuMs / rows).toFixed(2)} ms/row` },
      { name: `local batch, ${rows} rows x 2 steps, 200 ms calls, concurrency 64: wall (whole process)`, value: wall, unit: 's', baseline: ideal, ratio: wall / ideal, goal: '<= 1.15x ideal', note },
      { name: 'local batch: wall against the bare SDK floor of the same run', value: wall, unit: 's', baseline: sdk.wallS, ratio: wall / sdk.wallS },
      { name: 'local batch: wall inside the batch (after start-up, load and compile)', value: summary.wallMs / 1000, unit: 's', baseline: ideal, ratio: summary.wallMs / 1000 / ideal },
    ];
  } finally {
    await sim.stop();
    await rm(root, { recursive: true, force: true });
  }
}

export async function run() {
  return localBatch();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(`${row.name}: ${typeof row.value === 'number' ? row.value.toFixed(3) : row.value} ${row.unit}${row.ratio ? ` (${row.ratio.toFixed(3)}x of ${row.baseline.toFixed(3)})` : ''}${row.goal ? `  goal ${row.goal}` : ''}${row.note ? `  ${row.note}` : ''}`);
}
