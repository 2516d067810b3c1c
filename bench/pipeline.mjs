// Pipeline overhead: a template of 32 independent steps, each one model call that the wire simulator
// (its own process) answers after 1 s. Everything runs in parallel, so the ideal wall time is 1 s;
// what agentpipe adds (scheduling, prompts, SDK calls, events, run state on disk) is the rest.
// Goal: <= 1.05 s warm (framework <= 5%). Also reports the cold first run (lazy SDK imports) and RSS.
// Needs a build (npm run build). Standalone: `node bench/pipeline.mjs`. Exports run() -> rows.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const dist = (file) => pathToFileURL(`${repoRoot}dist/${file}`).href;
const steps = 32;
const latencyMs = 1000;
const rounds = 3;

async function startSimulatorProcess() {
  const script = JSON.stringify({ defaultTurn: { text: 'ok', latencyMs, usage: { input: 50, output: 5 } } });
  const child = spawn(process.execPath, [`${repoRoot}dist/sim/cli.js`, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, AGENTPIPE_SIM_SCRIPT: script } });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return { url: JSON.parse(line).url, stop: async () => (child.kill('SIGTERM'), await once(child, 'exit')) };
}

async function makeProject() {
  const root = await mkdtemp(join(tmpdir(), 'agentpipe-bench-'));
  const files = {
    'providers.yaml': 'version: 1\nproviders:\n  anthropic: { type: anthropic }\nmodels:\n  anthropic/claude-bench: { pricing: { input: 3, output: 15 } }\nroutes:\n  main: [anthropic/claude-bench]\n',
    'tools.yaml': 'version: 1\ntools: {}\n',
    'agents/worker.yaml': 'version: 1\nname: worker\nmodel: main\ninputs: { task: { type: string } }\nprompt:\n  system: "You are a worker."\n  user: "{{inputs.task}}"\n',
    'templates/wide.yaml': `version: 1\nname: wide\nconcurrency: ${steps}\nsteps:\n${Array.from({ length: steps }, (_, index) => `  - { id: s${index}, agent: worker, with: { task: "task ${index}" } }`).join('\n')}\n`,
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function run() {
  const sim = await startSimulatorProcess();
  const root = await makeProject();
  const env = { PATH: process.env.PATH, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'bench-key-0123456789' };
  try {
    const [{ prepareRun }, { startRun }, { createDefaultPorts }] = await Promise.all([import(dist('run/prepare.js')), import(dist('run/run.js')), import(dist('run/default-ports.js'))]);
    const once = async () => {
      const started = performance.now();
      const prepared = await prepareRun({ file: 'templates/wide.yaml', cwd: root, env });
      const result = await startRun({ pipeline: prepared.pipeline, target: prepared.target, inputs: prepared.inputs, ports: createDefaultPorts(prepared.env), env: prepared.env, signal: new AbortController().signal });
      if (result.status !== 'succeeded') throw new Error(`bench run ${result.status}: ${result.error?.message}`);
      return (performance.now() - started) / 1000;
    };
    // The floor: the same 32 calls made with the bare Anthropic SDK, streaming, all at once.
    const bare = async () => {
      const { default: Anthropic } = await import('@anthropic-ai/sdk');
      const client = new Anthropic({ apiKey: env.ANTHROPIC_API_KEY, baseURL: sim.url, maxRetries: 0 });
      const started = performance.now();
      await Promise.all(
        Array.from({ length: steps }, async (_, index) => {
          const stream = client.messages.stream({ model: 'claude-bench', max_tokens: 1024, system: 'You are a worker.', messages: [{ role: 'user', content: `task ${index}` }] });
          await stream.finalMessage();
        }),
      );
      return (performance.now() - started) / 1000;
    };
    await bare();
    const bareWall = median([await bare(), await bare(), await bare()]);
    const cold = await once();
    const warm = [];
    for (let round = 0; round < rounds; round++) warm.push(await once());
    const wall = median(warm);
    const baseline = latencyMs / 1000;
    return [
      { name: `${steps} parallel steps, wall (warm median of ${rounds})`, value: wall, unit: 's', baseline, ratio: wall / baseline, goal: '<= 1.05 s' },
      { name: `${steps} parallel calls with the bare SDK, wall (warm median of ${rounds})`, value: bareWall, unit: 's', baseline, ratio: bareWall / baseline },
      { name: `${steps} parallel steps over the bare SDK calls`, value: wall / bareWall, unit: 'x', goal: '<= 1.05' },
      { name: `${steps} parallel steps, wall (cold: first run, SDK imports)`, value: cold, unit: 's', baseline, ratio: cold / baseline },
      { name: 'peak RSS of the running process', value: Math.round(process.resourceUsage().maxRSS / 1024), unit: 'MB' },
    ];
  } finally {
    await sim.stop();
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(`${row.name}: ${typeof row.value === 'number' ? row.value.toFixed(3) : row.value} ${row.unit}${row.ratio ? ` (${row.ratio.toFixed(3)}x of ${row.baseline} ${row.unit})` : ''}${row.goal ? `  goal ${row.goal}` : ''}`);
}
