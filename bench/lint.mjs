// Whole-process timing of `agentpipe lint` on 1,000 agent files against a floor that does only the
// unavoidable work (js-yaml parse + ajv standalone validation, no positions, no cross-references),
// and of `agentpipe --help` against `node -e 0`. Needs a build (npm run build).
// Standalone: `node bench/lint.mjs`. Exports run() -> rows for bench/run.mjs.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { medianProcessMs } from './timing.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(repoRoot, 'bin/agentpipe.js');
const agentCount = 1000;
const runs = 7;

const providers = `# yaml-language-server: $schema=./schemas/providers.schema.json
version: 1
providers: { anthropic: { type: anthropic }, ollama: { type: ollama } }
models:
  anthropic/claude-sonnet-4-5: { pricing: { input: 3, output: 15 } }
  ollama/llama3.2: { pricing: { input: 0, output: 0 } }
routes: { default: [anthropic/claude-sonnet-4-5, ollama/llama3.2] }
`;
const tools = `# yaml-language-server: $schema=./schemas/tools.schema.json
version: 1
defaults: { read: { allow: ["**"], deny: [".env*"] }, bash: { allow: ["ls *"] } }
tools: { read: { builtin: read }, grep: { builtin: grep }, bash: { builtin: bash } }
`;
const layer = `# yaml-language-server: $schema=../../../schemas/layer.schema.json
version: 1
description: A persona
text: You are {{agent.name}}, a careful analyst. Today is {{today}}.
`;
const agent = (index) => `# yaml-language-server: $schema=../schemas/agent.schema.json
version: 1
name: agent-${index}
description: Agent number ${index}, which answers questions about its topic
model: ${index % 2 ? 'default' : 'ollama/llama3.2'}
params: { temperature: 0.2, max_tokens: 1500 }
inputs:
  question: { type: string, description: The question to answer }
  context: { type: string, description: Background, default: "" }
prompt:
  layers: [persona/analyst]
  system: |
    Answer with sources. Keep it short.
  user: "{{inputs.question}} {{inputs.context}}"
tools: [read, grep]
permissions: { read: { allow: ["docs/**"] } }
search: { mode: auto, max_results: 5 }
limits: { max_iterations: 10, max_cost: 0.50, timeout: 5m }
output: { schema: { type: object, required: [answer], properties: { answer: { type: string } } } }
`;

// The floor: what any linter of these files must at least do, in one process.
const floor = (validators) => `import { readdirSync, readFileSync } from 'node:fs';
import { CORE_SCHEMA, load } from 'js-yaml';
import * as validators from ${JSON.stringify(validators)};
const check = (kind, file) => { const value = load(readFileSync(file, 'utf8'), { schema: CORE_SCHEMA }); if (!validators[kind](value)) process.exitCode = 1; };
check('providers', 'providers.yaml');
check('tools', 'tools.yaml');
check('layer', 'agents/layers/persona/analyst.yaml');
for (const name of readdirSync('agents')) if (name.endsWith('.yaml')) check('agent', 'agents/' + name);
`;

async function makeProject() {
  const root = await mkdtemp(path.join(tmpdir(), 'agentpipe-bench-'));
  await mkdir(path.join(root, 'agents/layers/persona'), { recursive: true });
  await writeFile(path.join(root, 'providers.yaml'), providers);
  await writeFile(path.join(root, 'tools.yaml'), tools);
  await writeFile(path.join(root, 'agents/layers/persona/analyst.yaml'), layer);
  for (let index = 0; index < agentCount; index++) await writeFile(path.join(root, `agents/agent-${index}.yaml`), agent(index));
  // js-yaml must resolve from the floor script: place it inside the repo's node_modules reach.
  const floorFile = path.join(repoRoot, 'bench', `.floor-${process.pid}.mjs`);
  await writeFile(floorFile, floor(pathToFileURL(path.join(repoRoot, 'dist/validate/generated/validators.js')).href));
  return { root, floorFile };
}

const median = (args, cwd) => medianProcessMs(args, cwd, runs);

export async function run() {
  const { root, floorFile } = await makeProject();
  try {
    const lint = median([bin, 'lint'], root);
    const floorTime = median([floorFile], root);
    const help = median([bin, '--help'], root);
    const bare = median(['-e', '0'], root);
    const ms = (value) => Math.round(value * 10) / 10;
    return [
      { name: `lint ${agentCount} agents (whole process)`, value: ms(lint), unit: 'ms', baseline: ms(floorTime), ratio: Math.round((lint / floorTime) * 100) / 100, goal: 1.5 },
      { name: 'agentpipe --help (whole process)', value: ms(help), unit: 'ms', baseline: ms(bare), ratio: Math.round((help / bare) * 100) / 100, goal: 1.3 },
    ];
  } finally {
    if (!process.env.KEEP_BENCH) await rm(root, { recursive: true, force: true });
    else process.stderr.write(`kept ${root}\n`);
    await rm(floorFile, { force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const row of await run()) {
    const verdict = row.ratio <= row.goal ? 'ok' : 'OVER GOAL';
    process.stdout.write(`${row.name}: ${row.value} ${row.unit} vs baseline ${row.baseline} ${row.unit} = ${row.ratio}x (goal <= ${row.goal}x) ${verdict}\n`);
  }
}
