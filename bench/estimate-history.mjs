// Whole-process timing of `agentpipe estimate` on a three-step template (one for_each) with 10,000
// past runs in the ledger index (.agentpipe/ledger-index.jsonl, ~30,000 lines written by the same
// code a run uses), next to the same estimate with --no-history, in the same run.
// Goal: <= 1.5x. Needs a build (npm run build).
// Standalone: `node bench/estimate-history.mjs`. Exports run() -> rows for bench/run.mjs.
import { mkdir, mkdtemp, rm, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { medianProcessMs } from './timing.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repoRoot, 'bin/agentpipe.js');
const pastRuns = 10_000;
const goalRatio = 1.5;

const providers = `version: 1
providers: { anthropic: { type: anthropic }, openai: { type: openai } }
models:
  anthropic/claude-sonnet-4-5: { context_window: 200000, pricing: { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 } }
  openai/gpt-4o: { context_window: 128000, pricing: { input: 2.5, output: 10, cache_read: 1.25 } }
routes: { default: [anthropic/claude-sonnet-4-5, openai/gpt-4o] }
`;
const tools = `version: 1
defaults: { read: { allow: ["**"] } }
tools: { read: { builtin: read }, grep: { builtin: grep } }
`;
const agent = (name, extra = '') => `version: 1
name: ${name}
model: default
params: { max_tokens: 1500 }
inputs:
  text: { type: string, example: "What changed in the latest release?" }
prompt:
  system: "You are ${name}. Be precise and cite what you read."
  user: "{{inputs.text}}"
${extra}`;
const template = `version: 1
name: flow
inputs:
  topic: { type: string, example: tokenizers }
  parts: { type: array, example: [intro, body, end] }
steps:
  - id: research
    agent: researcher
    with: { text: "Facts about {{inputs.topic}}" }
  - id: sections
    agent: writer
    needs: [research]
    for_each: inputs.parts
    with: { text: "Write {{item}} from {{steps.research.output}}" }
  - id: review
    agent: reviewer
    needs: [sections]
    with: { text: "Review {{steps.sections.output}}" }
`;

async function makeProject() {
  const root = await mkdtemp(path.join(tmpdir(), 'agentpipe-bench-history-'));
  await mkdir(path.join(root, 'agents'), { recursive: true });
  await mkdir(path.join(root, 'templates'));
  await writeFile(path.join(root, 'providers.yaml'), providers);
  await writeFile(path.join(root, 'tools.yaml'), tools);
  await writeFile(path.join(root, 'agents/researcher.yaml'), agent('researcher', 'tools: [read, grep]\nlimits: { max_iterations: 10 }\n'));
  await writeFile(path.join(root, 'agents/writer.yaml'), agent('writer'));
  await writeFile(path.join(root, 'agents/reviewer.yaml'), agent('reviewer'));
  await writeFile(path.join(root, 'templates/flow.yaml'), template);
  // 10,000 runs of the template, written by the run's own index code.
  const { summariseRun, appendIndex } = await import(path.join(repoRoot, 'dist/cost/ledger-index.js'));
  const lines = [];
  let seed = 7;
  const next = (range) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), 1 + (seed % range));
  for (let run = 0; run < pastRuns; run++) {
    const runId = `20261101-${String(run).padStart(6, '0')}-abcd`;
    const entry = (stepId, agentName) => ({ runId, stepId, agent: agentName, provider: 'anthropic', model: 'anthropic/claude-sonnet-4-5', usage: { inputTokens: 800 + next(400), outputTokens: 100 + next(600), cacheReadTokens: 0, cacheWriteTokens: 0 }, costUsd: 0.01, time: '2026-11-01T00:00:00.000Z' });
    const entries = [entry('research', 'researcher'), entry('research', 'researcher'), entry('sections[0]', 'writer'), entry('sections[1]', 'writer'), entry('sections[2]', 'writer'), entry('review', 'reviewer')];
    lines.push(...summariseRun({
      runId,
      status: 'succeeded',
      steps: [
        { id: 'research', agent: 'researcher', fanout: false, search: false, durationMs: 4000 },
        { id: 'sections', agent: 'writer', fanout: true, search: false, durationMs: 6000 },
        { id: 'review', agent: 'reviewer', fanout: false, search: false, durationMs: 3000 },
      ],
      entries,
      providerTypes: new Map([['anthropic/claude-sonnet-4-5', 'anthropic']]),
      prompts: new Map([['research', { chars: 300, hash: 'aaaaaaaaaaaa' }], ['sections[0]', { chars: 320, hash: 'bbbbbbbbbbbb' }], ['review', { chars: 400, hash: 'cccccccccccc' }]]),
    }, '2026-11-01T00:00:00.000Z'));
  }
  await appendIndex(root, lines);
  const size = (await stat(path.join(root, '.agentpipe/ledger-index.jsonl'))).size;
  return { root, lines: lines.length, size };
}

export async function run() {
  const { root, lines, size } = await makeProject();
  try {
    const args = [bin, 'estimate', 'templates/flow.yaml', '--format', 'json'];
    const withHistory = medianProcessMs(args, root, 7);
    const prior = medianProcessMs([...args, '--no-history'], root, 7);
    const ms = (value) => Math.round(value * 10) / 10;
    return [{
      name: `estimate, template, ${pastRuns.toLocaleString('en')} past runs (${lines.toLocaleString('en')} index lines, ${(size / 1e6).toFixed(1)} MB), whole process`,
      value: ms(withHistory), unit: 'ms', baseline: ms(prior), ratio: Math.round((withHistory / prior) * 100) / 100, goal: `<= ${goalRatio}x --no-history`,
    }];
  } finally {
    if (!process.env.KEEP_BENCH) await rm(root, { recursive: true, force: true });
    else process.stderr.write(`kept ${root}\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const row of await run()) {
    process.stdout.write(`${row.name}: ${row.value} ${row.unit} (--no-history: ${row.baseline} ${row.unit}, ${row.ratio}x); goal ${row.goal}: ${row.ratio <= goalRatio ? 'ok' : 'OVER GOAL'}\n`);
  }
}
