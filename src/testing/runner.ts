// Runs the tests of `agentpipe test`: each one a real run of its target (the normal runtime, tools
// included) whose model calls are answered by a cassette or by the built-in wire simulator on
// 127.0.0.1, then its expectations. Nothing leaves the machine. Tests run in parallel.

import { access } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { CompiledPipeline } from '../compile/ir.js';
import type { ScriptFile, SimTurn } from '../sim/script.js';
import type { Checked, ProjectConfig } from '../validate/types.js';
import type { TestFile } from '../validate/types.gen.js';
import { checkExpectation, type RunFacts } from './expect.js';
import { cassetteDrift, rerecordCommand } from './drift.js';

export interface TestCase {
  /** Path under tests/ without .yaml, or the file's `name`. */
  name: string;
  /** Relative to the project root. */
  file: string;
  test: TestFile;
}

export interface TestOutcome {
  name: string;
  file: string;
  status: 'passed' | 'failed';
  failures: string[];
  /** Set when --update recorded the cassette again. */
  rerecorded?: boolean;
  durationMs: number;
  costUsd: number;
  calls: number;
}

export interface RunTestsOptions {
  update: boolean;
  concurrency?: number;
}

export function testCases(config: ProjectConfig): TestCase[] {
  return [...(config.tests ?? new Map<string, Checked<TestFile>>()).entries()].map(([name, checked]) => ({ name: checked.value.name ?? name, file: checked.source.file, test: checked.value }));
}

const turnOf = (turn: NonNullable<NonNullable<TestFile['sim']>['turns']>[number]): SimTurn => ({
  ...(turn.text !== undefined ? { text: turn.text } : {}),
  ...(turn.tool_calls ? { toolCalls: turn.tool_calls.map((call, index) => ({ id: `call_${index + 1}`, name: call.name, input: call.input ?? {} })) } : {}),
  ...(turn.usage ? { usage: { ...(turn.usage.input !== undefined ? { input: turn.usage.input } : {}), ...(turn.usage.output !== undefined ? { output: turn.usage.output } : {}) } } : {}),
});

function scriptOf(sim: NonNullable<TestFile['sim']>): ScriptFile {
  return {
    turns: (sim.turns ?? []).map(turnOf),
    routes: (sim.routes ?? []).map((route) => ({ match: route.match, turns: route.turns.map(turnOf), ...(route.repeat !== undefined ? { repeat: route.repeat } : {}) })),
    ...(sim.default ? { defaultTurn: turnOf(sim.default) } : {}),
  };
}

/** Keys for the simulator: shaped like nothing real, long enough to be redacted. */
const simKeys = { ANTHROPIC_API_KEY: 'agentpipe-test-sim-key-anthropic', OPENAI_API_KEY: 'agentpipe-test-sim-key-openai', GEMINI_API_KEY: 'agentpipe-test-sim-key-gemini' };

/** The env vars holding keys that a recording of `pipeline` needs; empty when each chain has one set. */
async function missingKeys(pipeline: CompiledPipeline, env: NodeJS.ProcessEnv): Promise<string[]> {
  const { keyEnvVarsFor } = await import('../providers/key-env.js');
  const missing = new Set<string>();
  for (const step of pipeline.steps) {
    const chainHasKey = step.agent.chain.models.some((model) => {
      const names = keyEnvVarsFor(model.provider);
      return names.length === 0 || names.some((name) => (env[name] ?? '') !== '');
    });
    if (!chainHasKey) for (const model of step.agent.chain.models.slice(0, 1)) for (const name of keyEnvVarsFor(model.provider)) missing.add(name);
  }
  return [...missing];
}

interface RunOnce {
  facts: RunFacts;
  runId?: string;
  missError?: string;
}

/** A passing test's run folder is removed; a failing one's is kept (and named) for `agentpipe runs`. */
async function settle(root: string, runs: Array<string | undefined>, passed: boolean): Promise<string | undefined> {
  const { runFiles } = await import('../run/state.js');
  const { rm } = await import('node:fs/promises');
  const ids = runs.filter((id): id is string => id !== undefined);
  if (!passed) return ids[ids.length - 1];
  for (const id of ids) await rm(runFiles(root, id).dir, { recursive: true, force: true });
  return undefined;
}

async function runOnce(pipeline: CompiledPipeline, testCase: TestCase, inputs: Record<string, unknown>, env: NodeJS.ProcessEnv, mode: 'replay' | 'record' | 'sim', cassettePath: string): Promise<RunOnce> {
  const [{ startRun }, { createDefaultPorts }, { CassettePlayer, CassetteRecorder }] = await Promise.all([import('../run/run.js'), import('../run/default-ports.js'), import('../run/cassette.js')]);
  let runEnv = env;
  let simulator: { url: string; close(): Promise<void> } | undefined;
  if (mode === 'sim') {
    const { startSimulator } = await import('../sim/server.js');
    simulator = await startSimulator({ port: 0, script: scriptOf(testCase.test.sim!) });
    const url = simulator.url;
    // Every provider and the search engine point at the simulator: nothing leaves 127.0.0.1.
    runEnv = { ...env, ...simKeys, ANTHROPIC_BASE_URL: url, OPENAI_BASE_URL: `${url}/v1`, GOOGLE_GEMINI_BASE_URL: url, OLLAMA_HOST: url, AGENTPIPE_DDG_URL: `${url}/ddg` };
  }
  const cassette =
    mode === 'replay' ? await CassettePlayer.open(cassettePath, { root: pipeline.root, env })
    : mode === 'record' ? new CassetteRecorder(cassettePath, { root: pipeline.root, target: testCase.test.target, inputs, env })
    : undefined;
  if (cassette?.mode === 'record') await cassette.flush();
  const { parseOptionalDuration } = await import('../compile/units.js');
  const timeoutMs = parseOptionalDuration(testCase.test.timeout) ?? 60_000;
  const facts: RunFacts = { status: 'failed', outputs: {}, toolCalls: [], modelCalls: 0, costUsd: 0, steps: {} };
  try {
    const result = await startRun({
      pipeline,
      target: testCase.test.target,
      inputs,
      ports: createDefaultPorts(runEnv, cassette ? { cassette } : {}),
      env: runEnv,
      signal: AbortSignal.timeout(timeoutMs),
      onEvent: (event) => {
        if (event.type === 'run-start') cassette?.startRun(event.runId);
        if (event.type === 'tool-call') facts.toolCalls.push({ tool: event.tool, input: event.input });
        if (event.type === 'usage') facts.modelCalls += 1;
      },
    });
    if (cassette?.mode === 'record') await cassette.flush();
    facts.status = result.status;
    facts.outputs = result.outputs;
    facts.costUsd = result.costUsd;
    for (const [id, step] of Object.entries(result.state.steps)) facts.steps[id] = step.status;
    const errors = [result.error?.message, ...Object.values(result.state.steps).flatMap((step) => [step.error, ...Object.values(step.items ?? {}).map((item) => item.error)])].filter((message): message is string => typeof message === 'string');
    if (result.error) facts.error = result.error.message;
    const miss = errors.find((message) => message.startsWith('replay: no recorded answer'));
    return { facts, runId: result.runId, ...(miss ? { missError: miss } : {}) };
  } finally {
    await simulator?.close();
  }
}

async function validator(): Promise<(schema: Record<string, unknown>, value: unknown) => string | undefined> {
  const [{ default: Ajv }, { default: addFormats }] = await Promise.all([import('ajv/dist/2020.js'), import('ajv-formats')]);
  const ajv = new (Ajv as unknown as typeof import('ajv').default)({ allErrors: true, strict: false });
  (addFormats as unknown as (ajv: unknown) => void)(ajv);
  return (schema, value) => {
    const validate = ajv.compile(schema);
    return validate(value) ? undefined : ajv.errorsText(validate.errors);
  };
}

async function runOne(config: ProjectConfig, env: NodeJS.ProcessEnv, testCase: TestCase, options: RunTestsOptions, validate: Awaited<ReturnType<typeof validator>>): Promise<TestOutcome> {
  const started = performance.now();
  const runs: Array<string | undefined> = [];
  const finish = async (status: TestOutcome['status'], failures: string[], facts?: RunFacts, rerecorded = false): Promise<TestOutcome> => {
    const kept = await settle(config.root, runs, status === 'passed').catch(() => undefined);
    return outcome(status, kept ? [...failures, `the run is kept: agentpipe runs ${kept}`] : failures, facts, rerecorded);
  };
  const outcome = (status: TestOutcome['status'], failures: string[], facts?: RunFacts, rerecorded = false): TestOutcome => ({
    name: testCase.name,
    file: testCase.file,
    status,
    failures,
    ...(rerecorded ? { rerecorded } : {}),
    durationMs: Math.round(performance.now() - started),
    costUsd: facts?.costUsd ?? 0,
    calls: facts?.modelCalls ?? 0,
  });
  try {
    const [{ compile }, { resolveInputs }] = await Promise.all([import('../compile/compile.js'), import('../compile/inputs.js')]);
    const pipeline = compile(config, testCase.test.target, { env, cwd: config.root });
    const inputs = resolveInputs(pipeline.inputs, testCase.test.inputs ?? {}, { mode: 'run' });
    const evaluate = (facts: RunFacts): string[] => {
      const failures = testCase.test.expect.flatMap((expectation) => checkExpectation(expectation, facts, validate));
      // A run that did not succeed fails the test unless the test expects exactly that.
      if (facts.status !== 'succeeded' && !testCase.test.expect.some((expectation) => expectation.status !== undefined)) failures.unshift(`the run ${facts.status}${facts.error ? `: ${facts.error}` : ''}`);
      return failures;
    };
    if (testCase.test.sim) {
      const { facts, runId } = await runOnce(pipeline, testCase, inputs, env, 'sim', '');
      runs.push(runId);
      const failures = evaluate(facts);
      return finish(failures.length ? 'failed' : 'passed', failures, facts);
    }
    const cassettePath = path.resolve(config.root, testCase.test.cassette!);
    const record = async (why: string[]): Promise<TestOutcome> => {
      const missing = await missingKeys(pipeline, env);
      if (missing.length > 0) return finish('failed', [...why, `cannot re-record without a key: set ${missing.join(' or ')}`]);
      runs.push((await runOnce(pipeline, testCase, inputs, env, 'record', cassettePath)).runId);
      const replayed = await runOnce(pipeline, testCase, inputs, env, 'replay', cassettePath);
      runs.push(replayed.runId);
      const failures = evaluate(replayed.facts);
      return finish(failures.length ? 'failed' : 'passed', failures, replayed.facts, true);
    };
    const command = rerecordCommand(testCase, inputs);
    if (!(await access(cassettePath).then(() => true, () => false))) {
      const why = [`cassette ${testCase.test.cassette} does not exist; record it with: ${command}`];
      return options.update ? record(why) : outcome('failed', why);
    }
    const replayed = await runOnce(pipeline, testCase, inputs, env, 'replay', cassettePath);
    runs.push(replayed.runId);
    if (replayed.missError) {
      const drift = await cassetteDrift(pipeline, inputs, cassettePath);
      const reason = replayed.missError.split(cassettePath).join(testCase.test.cassette!).replace(/\.? ?The prompt, inputs.*$/s, '').trim();
      const why = [`the cassette no longer matches the prompts (${reason})`, ...(drift ? [drift] : []), `re-record with: ${command}`];
      return options.update ? record(why) : finish('failed', why, replayed.facts);
    }
    const failures = evaluate(replayed.facts);
    if (failures.length && options.update) return record(failures);
    return finish(failures.length ? 'failed' : 'passed', failures, replayed.facts);
  } catch (error) {
    return outcome('failed', [error instanceof Error ? error.message.split('\n')[0]! : String(error)]);
  }
}

export async function runTests(config: ProjectConfig, env: NodeJS.ProcessEnv, cases: TestCase[], options: RunTestsOptions): Promise<TestOutcome[]> {
  const validate = await validator();
  const outcomes: TestOutcome[] = new Array(cases.length);
  const width = Math.max(1, Math.min(options.concurrency ?? availableParallelism() * 2, cases.length));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const index = next++;
      outcomes[index] = await runOne(config, env, cases[index]!, options, validate);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return outcomes;
}
