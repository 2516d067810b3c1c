// Whole-process timing of `agentpipe estimate` on a template whose prompts total ~100 KB (four
// 25 KB layers over three steps, one of them a for_each), next to `node -e 0` from the same run.
// Goal: <= 0.35 s. Needs a build (npm run build).
// Standalone: `node bench/estimate.mjs`. Exports run() -> rows for bench/run.mjs.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { medianProcessMs } from './timing.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repoRoot, 'bin/agentpipe.js');
const runs = 7;
const layerBytes = 25 * 1024;
const goalSeconds = 0.35;

const words = 'the model reads each source carefully and separates facts from inference when a claim lacks support it says so plainly citing numbered sources version release latest schema pipeline budget token cache prefix fallback route provider retry'.split(' ');

/** Deterministic prose: a linear congruential generator picks words, so every run tokenises the same text. */
function prose(bytes, seed) {
  let state = seed;
  const parts = [];
  let length = 0;
  while (length < bytes) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const word = words[state % words.length];
    const separator = state % 17 === 0 ? '.\n' : ' ';
    parts.push(word, separator);
    length += word.length + separator.length;
  }
  return parts.join('');
}

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
const agent = (name, layers, extra = '') => `version: 1
name: ${name}
model: default
params: { max_tokens: 1500 }
inputs:
  text: { type: string, example: "What changed in the latest release?" }
prompt:
  layers: [${layers.join(', ')}]
  system: "Today is {{today}}."
  user: "{{inputs.text}}"
${extra}`;
const template = `version: 1
name: big
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
    agent: writer
    needs: [sections]
    with: { text: "Review {{steps.sections.output}}" }
`;

async function makeProject() {
  const root = await mkdtemp(path.join(tmpdir(), 'agentpipe-bench-estimate-'));
  await mkdir(path.join(root, 'agents/layers/big'), { recursive: true });
  await mkdir(path.join(root, 'templates'));
  await writeFile(path.join(root, 'providers.yaml'), providers);
  await writeFile(path.join(root, 'tools.yaml'), tools);
  for (let index = 0; index < 4; index++) {
    const text = prose(layerBytes, index + 1).replace(/^/gm, '  ');
    await writeFile(path.join(root, `agents/layers/big/part-${index}.yaml`), `version: 1\ntext: |\n${text}\n`);
  }
  await writeFile(path.join(root, 'agents/researcher.yaml'), agent('researcher', ['big/part-0', 'big/part-1'], 'tools: [read, grep]\nsearch: { mode: auto }\nlimits: { max_iterations: 10 }\n'));
  await writeFile(path.join(root, 'agents/writer.yaml'), agent('writer', ['big/part-2', 'big/part-3']));
  await writeFile(path.join(root, 'templates/big.yaml'), template);
  return root;
}

const median = (args, cwd) => medianProcessMs(args, cwd, runs);

export async function run() {
  const root = await makeProject();
  try {
    const estimate = median([bin, 'estimate', 'templates/big.yaml', '--format', 'json'], root);
    const bare = median(['-e', '0'], root);
    const seconds = (ms) => Math.round(ms) / 1000;
    return [{ name: 'estimate, 100 KB of prompts (whole process)', value: seconds(estimate), unit: 's', baseline: seconds(bare), ratio: Math.round((estimate / bare) * 10) / 10, goal: `<= ${goalSeconds} s` }];
  } finally {
    if (!process.env.KEEP_BENCH) await rm(root, { recursive: true, force: true });
    else process.stderr.write(`kept ${root}\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const row of await run()) {
    const verdict = row.value <= goalSeconds ? 'ok' : 'OVER GOAL';
    process.stdout.write(`${row.name}: ${row.value} ${row.unit} (node -e 0: ${row.baseline} ${row.unit}, ${row.ratio}x); goal ${row.goal}: ${verdict}\n`);
  }
}
