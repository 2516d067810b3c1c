// Whole-process timing of `agentpipe diff` between two commits of a generated 1,000-agent repo in
// which one layer, used by 100 agents, changed; against `agentpipe lint` of the same repo (goal:
// diff <= 3x lint). The diff loads and validates both revisions, compiles and renders the 100
// affected agents on each side, diffs their prompts and estimates their cost before and after.
// Standalone: `node bench/diff.mjs`. Exports run() -> rows for bench/run.mjs. Needs a build.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { medianProcessMs } from './timing.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repoRoot, 'bin/agentpipe.js');
const agentCount = 1000;
const layerCount = 10;
const runs = 5;

const providers = `# yaml-language-server: $schema=./schemas/providers.schema.json
version: 1
providers: { anthropic: { type: anthropic }, openai: { type: openai } }
models:
  anthropic/claude-sonnet-4-5: { pricing: { input: 3, output: 15, as_of: 2026-06-01 } }
  openai/gpt-4.1-mini: { pricing: { input: 0.4, output: 1.6, as_of: 2025-10-15 } }
routes: { default: [anthropic/claude-sonnet-4-5, openai/gpt-4.1-mini] }
`;
const tools = `# yaml-language-server: $schema=./schemas/tools.schema.json
version: 1
defaults: { read: { allow: ["**"], deny: [".env*"] }, bash: { allow: ["ls *"] } }
tools: { read: { builtin: read }, grep: { builtin: grep }, bash: { builtin: bash } }
`;
const layer = (index, extra = '') => `# yaml-language-server: $schema=../../../schemas/layer.schema.json
version: 1
description: Persona ${index}
text: |
  You are {{agent.name}}, a careful analyst of area ${index}. Today is {{today}}.
  Cite every source you use.${extra}
`;
const agent = (index) => `# yaml-language-server: $schema=../schemas/agent.schema.json
version: 1
name: agent-${index}
description: Agent number ${index}, which answers questions about its topic
model: ${index % 3 ? 'default' : 'openai/gpt-4.1-mini'}
params: { temperature: 0.2, max_tokens: 1500 }
inputs:
  question: { type: string, description: The question to answer, example: "What changed this year?" }
prompt:
  layers: [persona/p${index % layerCount}]
  system: |
    Answer with sources. Keep it short.
  user: "{{inputs.question}}"
tools: [read, grep]
permissions: { read: { allow: ["docs/**"] } }
limits: { max_iterations: 10, max_cost: 0.50, timeout: 5m }
`;

const git = (cwd, ...args) => {
  const result = spawnSync('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
};

async function makeRepo() {
  const root = await mkdtemp(path.join(tmpdir(), 'agentpipe-bench-diff-'));
  await mkdir(path.join(root, 'agents/layers/persona'), { recursive: true });
  await writeFile(path.join(root, 'providers.yaml'), providers);
  await writeFile(path.join(root, 'tools.yaml'), tools);
  for (let index = 0; index < layerCount; index++) await writeFile(path.join(root, `agents/layers/persona/p${index}.yaml`), layer(index));
  for (let index = 0; index < agentCount; index++) await writeFile(path.join(root, `agents/agent-${index}.yaml`), agent(index));
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'base');
  // One layer, included by agents 0, 10, 20, ... (100 of them), gains a sentence.
  await writeFile(path.join(root, 'agents/layers/persona/p0.yaml'), layer(0, '\n  Say when you are unsure.'));
  git(root, 'commit', '-q', '-am', 'persona p0: say when unsure');
  // Packed, as a clone is.
  git(root, 'gc', '-q');
  return root;
}

export async function run() {
  const root = await makeRepo();
  try {
    // The report must be the one measured: 100 agents, each with one prompt hunk and a cost row.
    const check = spawnSync(process.execPath, [bin, 'diff', 'HEAD~1', 'HEAD', '--json'], { cwd: root, encoding: 'utf8' });
    const report = JSON.parse(check.stdout);
    if (report.summary.agents !== 100 || report.prompts.length !== 100 || report.cost.length !== 100) throw new Error(`unexpected report: ${JSON.stringify(report.summary)}`);
    const lint = medianProcessMs([bin, 'lint'], root, runs);
    const diff = medianProcessMs([bin, 'diff', 'HEAD~1', 'HEAD', '--format', 'json'], root, runs);
    const ms = (value) => Math.round(value * 10) / 10;
    return [{ name: `diff of a ${agentCount}-agent repo, one layer used by 100 agents changed (whole process)`, value: ms(diff), unit: 'ms', baseline: ms(lint), ratio: Math.round((diff / lint) * 100) / 100, goal: 3, note: 'baseline: agentpipe lint of the same repo' }];
  } finally {
    if (!process.env.KEEP_BENCH) await rm(root, { recursive: true, force: true });
    else process.stderr.write(`kept ${root}\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const row of await run()) {
    const verdict = row.ratio <= row.goal ? 'ok' : 'OVER GOAL';
    process.stdout.write(`${row.name}: ${row.value} ${row.unit} vs lint ${row.baseline} ${row.unit} = ${row.ratio}x (goal <= ${row.goal}x) ${verdict}\n`);
  }
}
void readFile;
