// End-to-end helpers: a temp project, the wire simulator on 127.0.0.1, and the CLI spawned as a
// process (`node bin/agentpipe.js`, built by the vitest global setup) with fake keys.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator, type SimRequest, type Simulator } from '../../src/sim/index.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repoRoot, 'bin', 'agentpipe.js');

/** Fake keys: long enough to be redacted, shaped like nothing real. */
export const fakeKeys = {
  ANTHROPIC_API_KEY: 'test-anthropic-key-0123456789abcdef',
  OPENAI_API_KEY: 'test-openai-key-0123456789abcdef',
  GEMINI_API_KEY: 'test-gemini-key-0123456789abcdef',
};

export function simEnv(simUrl: string, keys: Partial<typeof fakeKeys> = fakeKeys): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    ANTHROPIC_BASE_URL: simUrl,
    OPENAI_BASE_URL: `${simUrl}/v1`,
    GOOGLE_GEMINI_BASE_URL: simUrl,
    OLLAMA_HOST: simUrl,
    ...keys,
  };
}

export const providersYaml = (extra = '') => `# yaml-language-server: $schema=./schemas/providers.schema.json
version: 1
providers:
  anthropic: { type: anthropic }
  openai: { type: openai }
  gemini: { type: gemini }
  ollama: { type: ollama }
models:
  anthropic/claude-test: { pricing: { input: 3.00, output: 15.00 } }
  openai/gpt-test: { pricing: { input: 2.00, output: 8.00 } }
  gemini/gemini-test: { pricing: { input: 1.00, output: 2.00 } }
  ollama/llama-test: { pricing: { input: 0, output: 0 } }
routes:
  main: [anthropic/claude-test, openai/gpt-test]
retry: { attempts: 1, initial_delay: 10ms, max_delay: 50ms, honor_retry_after: false }
fallback: { on: [rate_limited, overloaded, server_error, timeout, network, unavailable] }
${extra}`;

export const toolsYaml = `# yaml-language-server: $schema=./schemas/tools.schema.json
version: 1
workspace: .
defaults:
  read: { allow: ["**"], deny: [".env*", ".agentpipe/**"] }
  write: { allow: ["src/**"] }
tools:
  read: { builtin: read }
  grep: { builtin: grep }
  edit: { builtin: edit }
`;

/** An agent whose system prompt carries `MARK-<name>` so simulator routes can tell agents apart. */
export function agentYaml(name: string, options: { model?: string; tools?: string[]; inputs?: string[]; limits?: string; output?: string } = {}): string {
  const inputs = options.inputs ?? ['task'];
  return `# yaml-language-server: $schema=../schemas/agent.schema.json
version: 1
name: ${name}
model: ${options.model ?? 'main'}
inputs: { ${inputs.map((input) => `${input}: { type: string }`).join(', ')} }
prompt:
  system: "You are ${name}. MARK-${name}"
  user: "${inputs.map((input) => `${input}={{inputs.${input}}}`).join(' ')}"
${options.tools ? `tools: [${options.tools.join(', ')}]\n` : ''}${options.limits ? `limits: ${options.limits}\n` : ''}${options.output ?? ''}`;
}

export async function makeProject(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'agentpipe-e2e-'));
  for (const [path, text] of Object.entries({ 'providers.yaml': providersYaml(), 'tools.yaml': toolsYaml, ...files })) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function spawnCli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export const runCli = (args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult> => spawnCli(args, options).done;

export async function onlyRunId(root: string): Promise<string> {
  const ids = await readdir(join(root, '.agentpipe', 'runs'));
  if (ids.length !== 1) throw new Error(`expected one run, found ${ids.length}`);
  return ids[0]!;
}

export async function readJsonLines(path: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const runFile = (root: string, runId: string, name: string) => join(root, '.agentpipe', 'runs', runId, name);

export const readRunState = async (root: string, runId: string) => JSON.parse(await readFile(runFile(root, runId, 'run.json'), 'utf8'));

/** The step a request belongs to, in a chain project: its user message carries `do-<step>`. */
export const stepOf = (request: SimRequest) => /do-(\w+)/.exec(JSON.stringify(request.body))?.[1];

/**
 * A template whose steps run one after another (each needs the previous one), each giving agent
 * `worker` the task `do-<id>`; `models` gives a step its own model. Its one output is the last step's.
 */
export function chainTemplate(name: string, stepIds: string[], options: { output?: string; models?: Record<string, string> } = {}): string {
  const steps = stepIds.map((id, index) => {
    const model = options.models?.[id];
    return `  - id: ${id}\n    agent: worker\n${model ? `    model: ${model}\n` : ''}    with: { task: "do-${id}" }${index > 0 ? `\n    needs: [${stepIds[index - 1]}]` : ''}`;
  });
  return `version: 1\nname: ${name}\nsteps:\n${steps.join('\n')}\noutputs: { ${options.output ?? 'last'}: "{{steps.${stepIds.at(-1)}.output}}" }\n`;
}

export interface ChainProject {
  sim: Simulator;
  root: string;
  /** `templates/<name>.yaml`, the argument to `run`. */
  template: string;
  env: NodeJS.ProcessEnv;
  /** Deletes .agentpipe/, so the next run is the only one. */
  clearRuns(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A project with agent `worker` and a chainTemplate, and a simulator answering every step with
 * `answer(step)` after `latencyMs` (400 by default: slow enough that a signal sent just after a
 * step is saved lands mid-call), 100 input and 10 output tokens.
 */
export async function startChainProject(options: { name: string; stepIds: string[]; latencyMs?: number; answer?: (step: string | undefined) => string; output?: string; models?: Record<string, string> }): Promise<ChainProject> {
  const answer = options.answer ?? ((step) => `done ${step}`);
  const sim = await startSimulator({ script: (request) => ({ text: answer(stepOf(request)), latencyMs: options.latencyMs ?? 400, usage: { input: 100, output: 10 } }) });
  const template = `templates/${options.name}.yaml`;
  const root = await makeProject({ 'agents/worker.yaml': agentYaml('worker'), [template]: chainTemplate(options.name, options.stepIds, options) });
  return {
    sim,
    root,
    template,
    env: simEnv(sim.url),
    clearRuns: () => rm(join(root, '.agentpipe'), { recursive: true, force: true }),
    async close() {
      await sim.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Polls until the project's only run has saved `step` as succeeded; returns the run id. */
export async function waitForStep(root: string, step: string): Promise<string> {
  for (;;) {
    const runId = await onlyRunId(root).catch(() => '');
    // run.json is replaced atomically, so a parse error only means "not there yet".
    const state = runId ? await readRunState(root, runId).catch(() => undefined) : undefined;
    if (state?.steps?.[step]?.status === 'succeeded') return runId;
    await pause(10);
  }
}

/** Polls until the simulator has received a call for `step` after its `from`th request (the step is surely running). */
export async function waitForCall(sim: Simulator, step: string, from: number): Promise<void> {
  while (!sim.requests.slice(from).some((request) => stepOf(request) === step)) await pause(10);
}
