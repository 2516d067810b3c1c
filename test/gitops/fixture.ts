// A config repo built commit by commit with realistic changes, for `agentpipe diff`. Each commit is
// tagged c0..c8 so that tests can diff any pair. The repo is written from scratch (not the examples)
// so that each change reaches a known set of agents.

import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const bin = path.resolve(import.meta.dirname, '../../bin/agentpipe.js');

export function agentpipe(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

const providers = `version: 1
providers:
  anthropic: { type: anthropic }
  openai: { type: openai }
models:
  anthropic/claude-haiku-4-5:
    context_window: 200000
    pricing: { input: 1.00, output: 5.00, cache_read: 0.10, cache_write: 1.25, as_of: 2026-06-01 }
  openai/gpt-4.1-mini:
    context_window: 1047576
    pricing: { input: 0.40, output: 1.60, as_of: 2025-10-15 }
  openai/gpt-4.1:
    context_window: 1047576
    pricing: { input: 2.00, output: 8.00, as_of: 2025-10-15 }
routes:
  default: [anthropic/claude-haiku-4-5, openai/gpt-4.1-mini]
  cheap: [openai/gpt-4.1-mini]
`;

const tools = `version: 1
workspace: .
defaults:
  read: { allow: ["**"], deny: [".git/**"], max_bytes: 1MB }
  write: { allow: ["out/**"], max_bytes: 1MB }
  bash: { allow: ["ls *", "git diff *", "npm test*"], deny: ["*sudo*"], timeout: 30s, max_output: 64KB, env: [PATH] }
  http: { allow_hosts: ["api.github.com"], timeout: 20s, max_bytes: 2MB, max_redirects: 5 }
tools:
  read: { builtin: read }
  bash: { builtin: bash }
  run_tests:
    description: Run the unit tests matching a pattern
    command: ["npm", "test", "--", "{{pattern}}"]
    parameters:
      type: object
      properties: { pattern: { type: string } }
      required: [pattern]
`;

const layer = (text: string): string => `version: 1\ntext: |\n${text.split('\n').map((line) => `  ${line}`).join('\n')}\n`;

const agent = (name: string, body: string): string => `version: 1\nname: ${name}\n${body}`;

const pipeline = (extraStep: string): string => `version: 1
name: pipeline
inputs:
  topic: { type: string, example: "release notes" }
steps:
  - id: gather
    agent: alpha
    with: { question: "Facts about {{inputs.topic}}" }
  - id: check
    agent: delta
    needs: [gather]
    with: { change: "{{steps.gather.output}}" }
${extraStep}`;

/** The files of c0, by path. */
function initialFiles(): Record<string, string> {
  return {
    'providers.yaml': providers,
    'tools.yaml': tools,
    'agents/layers/persona/helper.yaml': layer('You are a careful assistant.\nAnswer briefly and cite what you read.'),
    'agents/layers/policy/tone.yaml': layer('Be direct. Never guess.'),
    'agents/alpha.yaml': agent('alpha', `model: default\nparams: { max_tokens: 500 }\ninputs:\n  question: { type: string, example: "What is new?" }\nprompt:\n  layers: [persona/helper]\n  user: "{{inputs.question}}"\ntools: [read]\nlimits: { max_iterations: 5 }\n`),
    'agents/beta.yaml': agent('beta', `model: default\nparams: { max_tokens: 400 }\ninputs:\n  task: { type: string, example: "List the files" }\nprompt:\n  layers: [persona/helper]\n  user: "Do this: {{inputs.task}}"\ntools: [bash]\nlimits: { max_iterations: 5 }\n`),
    'agents/gamma.yaml': agent('gamma', `model: cheap\nparams: { max_tokens: 300 }\ninputs:\n  text: { type: string, example: "Some text to summarise." }\nprompt:\n  layers: [persona/helper]\n  user: "Summarise: {{inputs.text}}"\n`),
    'agents/delta.yaml': agent('delta', `model: default\nparams: { max_tokens: 300 }\ninputs:\n  change: { type: string, example: "a diff" }\nprompt:\n  layers: [policy/tone]\n  user: "Check this change: {{inputs.change}}"\ntools: [run_tests]\nlimits: { max_iterations: 4 }\n`),
    'agents/epsilon.yaml': agent('epsilon', `model: openai/gpt-4.1\nparams: { max_tokens: 200 }\ninputs:\n  name: { type: string, example: "Ada" }\nprompt:\n  system: Greet people warmly.\n  user: "Greet {{inputs.name}}"\n`),
    'templates/pipeline.yaml': pipeline(''),
  };
}

export interface Step {
  tag: string;
  what: string;
  edit: (root: string) => Promise<void>;
}

const replace = async (root: string, file: string, from: string, to: string): Promise<void> => {
  const text = await readFile(path.join(root, file), 'utf8');
  if (!text.includes(from)) throw new Error(`fixture: ${file} has no "${from}"`);
  await writeFile(path.join(root, file), text.replace(from, to));
};

export const steps: Step[] = [
  { tag: 'c1', what: 'layer edit affecting 3 agents', edit: (root) => replace(root, 'agents/layers/persona/helper.yaml', 'Answer briefly', 'Answer briefly and in plain English,') },
  { tag: 'c2', what: 'route change', edit: (root) => replace(root, 'providers.yaml', 'cheap: [openai/gpt-4.1-mini]', 'cheap: [openai/gpt-4.1, openai/gpt-4.1-mini]') },
  { tag: 'c3', what: 'price change', edit: (root) => replace(root, 'providers.yaml', 'pricing: { input: 1.00, output: 5.00, cache_read: 0.10, cache_write: 1.25, as_of: 2026-06-01 }', 'pricing: { input: 1.50, output: 7.50, cache_read: 0.15, cache_write: 1.90, as_of: 2026-11-01 }') },
  { tag: 'c4', what: 'permission widening', edit: (root) => replace(root, 'tools.yaml', '"npm test*"]', '"npm test*", "make *"]') },
  { tag: 'c5', what: 'new step', edit: (root) => writeFile(path.join(root, 'templates/pipeline.yaml'), pipeline(`  - id: summary\n    agent: gamma\n    needs: [check]\n    with: { text: "{{steps.check.output}}" }\n`)) },
  { tag: 'c6', what: 'removed agent', edit: (root) => rm(path.join(root, 'agents/epsilon.yaml')) },
  {
    tag: 'c7',
    what: 'renamed tool',
    edit: async (root) => {
      await replace(root, 'tools.yaml', '  run_tests:\n', '  test_runner:\n');
      await replace(root, 'agents/delta.yaml', 'tools: [run_tests]', 'tools: [test_runner]');
    },
  },
  {
    tag: 'c8',
    what: 'pure comment change',
    edit: async (root) => {
      await replace(root, 'agents/layers/persona/helper.yaml', 'version: 1\n', '# The shared persona: keep it short.\nversion: 1\n');
      await replace(root, 'providers.yaml', 'routes:\n', '# Routes list models in fallback order.\nroutes:\n');
      await replace(root, 'agents/alpha.yaml', 'tools: [read]', 'tools: [read]          # reads only');
    },
  },
];

/** Builds the repo in a fresh temporary folder; returns its path. */
export async function buildFixtureRepo(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'agentpipe-gitops-'));
  for (const [file, text] of Object.entries(initialFiles())) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'c0: initial config');
  git(root, 'tag', 'c0');
  for (const step of steps) {
    await step.edit(root);
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', `${step.tag}: ${step.what}`);
    git(root, 'tag', step.tag);
  }
  return root;
}
