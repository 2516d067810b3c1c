// The bad-input corpus: configs, inputs, corrupted run states and CLI arguments. None may end in an
// "internal error" (a throw that is not an AgentpipeError) or a stack trace; each bad one is refused
// with a typed error (one line, a documented exit code). Config, input and state cases run in-process
// through the same functions the CLI calls (load, validate, compile, inputs, run-state loading); a
// representative set runs through the real CLI, where a corrupt run must also make no paid call.

import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentpipeError } from '../../src/errors.js';
import { loadProject } from '../../src/load/index.js';
import { validateProject } from '../../src/validate/index.js';
import { prepareRun } from '../../src/run/prepare.js';
import { listRuns, loadRunState, CorruptRunError } from '../../src/run/state.js';
import { parseInputFlags, resolveInputs } from '../../src/compile/inputs.js';
import type { InputSpec } from '../../src/compile/ir.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { agentYaml, makeProject, onlyRunId, runCli, simEnv } from '../e2e/helpers.js';

type Files = { providers: Record<string, unknown>; tools: Record<string, unknown>; agent: Record<string, unknown>; template: Record<string, unknown> };

const baseFiles = (): Files => ({
  providers: {
    version: 1,
    providers: { openai: { type: 'openai', base_url: 'http://127.0.0.1:9/v1', timeout: '30s', api_key_env: 'OPENAI_API_KEY' } },
    models: { 'openai/gpt-test': { pricing: { input: 1, output: 2 } } },
    routes: { main: ['openai/gpt-test'] },
    retry: { attempts: 1, initial_delay: '10ms', max_delay: '50ms' },
  },
  tools: { version: 1, workspace: '.', defaults: { read: { allow: ['src/**'], deny: ['.env*'], max_bytes: '1MB' } }, tools: { read: { builtin: 'read' }, grep: { builtin: 'grep' } } },
  agent: {
    version: 1,
    name: 'a',
    model: 'main',
    inputs: { task: { type: 'string' }, count: { type: 'integer', default: 2 }, list: { type: 'array', required: false } },
    prompt: { system: 'You help.', user: 'Do {{inputs.task}} {{inputs.count}} times.' },
    tools: ['read', 'grep'],
    limits: { timeout: '5m', max_cost: 1, max_iterations: 5 },
  },
  template: {
    version: 1,
    name: 't',
    steps: [
      { id: 'first', agent: 'a', with: { task: 'x' } },
      { id: 'second', agent: 'a', needs: ['first'], with: { task: '{{steps.first.output}}' } },
    ],
    outputs: { result: '{{steps.second.output}}' },
  },
});

const badValues: Array<[string, unknown]> = [
  ['null', null],
  ['a list', [1, 'two']],
  ['a mapping', { nested: { deeper: true } }],
  ['a negative number', -1],
  ['a huge number', 1e308],
  ['an empty string', ''],
  ['an unset variable', '${UNSET_VARIABLE_XYZ}'],
  ['a secret variable', '${CORPUS_SECRET_TOKEN}'],
  ['__proto__', '__proto__'],
  ['a __proto__ mapping', JSON.parse('{"__proto__": {"polluted": true}}')],
  ['600h', '600h'],
  ['a NUL and escapes', 'a\u0000b\u001b[31m'],
  ['a 20k string', 'x'.repeat(20_000)],
];

type Mutation = [file: keyof Files, path: Array<string | number>];
const mutated: Mutation[] = [
  ['providers', ['providers']],
  ['providers', ['providers', 'openai']],
  ['providers', ['providers', 'openai', 'type']],
  ['providers', ['providers', 'openai', 'timeout']],
  ['providers', ['providers', 'openai', 'api_key_env']],
  ['providers', ['providers', 'openai', 'headers']],
  ['providers', ['models', 'openai/gpt-test', 'pricing']],
  ['providers', ['routes', 'main']],
  ['providers', ['retry']],
  ['tools', ['defaults', 'read']],
  ['tools', ['defaults', 'read', 'max_bytes']],
  ['tools', ['tools', 'grep']],
  ['agent', ['model']],
  ['agent', ['inputs']],
  ['agent', ['inputs', 'task', 'type']],
  ['agent', ['prompt', 'user']],
  ['agent', ['limits', 'timeout']],
  ['agent', ['limits', 'max_cost']],
  ['agent', ['tools']],
  ['template', ['steps', 1, 'needs']],
];

function setAt(root: Record<string, unknown>, path: Array<string | number>, value: unknown): void {
  let node: Record<string | number, unknown> = root;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  Object.defineProperty(node, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
}

/** Fails the test for anything but success or a typed agentpipe error whose message is one short, stackless text. */
function expectTyped(error: unknown, label: string): void {
  if (error === undefined) return;
  if (!(error instanceof AgentpipeError)) throw new Error(`${label}: internal error: ${error instanceof Error ? error.stack : String(error)}`);
  expect(error.message, label).not.toMatch(/\n\s+at /);
}

let root: string;
const env = { OPENAI_API_KEY: 'corpus-openai-key-0123456789', CORPUS_SECRET_TOKEN: 'corpus-secret-token-0123456789', PATH: process.env['PATH'] };

async function writeProject(files: Files): Promise<void> {
  await writeFile(join(root, 'providers.yaml'), dump(files.providers));
  await writeFile(join(root, 'tools.yaml'), dump(files.tools));
  await writeFile(join(root, 'agents/a.yaml'), dump(files.agent));
  await writeFile(join(root, 'templates/t.yaml'), dump(files.template));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'agentpipe-corpus-'));
  await mkdir(join(root, 'agents'));
  await mkdir(join(root, 'templates'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const configCases = mutated.flatMap(([file, path]) => badValues.map(([name, value]) => ({ file, path, name, value })));

describe(`bad configs (${configCases.length} cases, in-process: load, validate, compile, inputs)`, () => {
  it.each(configCases)('$file $path = $name', async ({ file, path, value, name }) => {
    const files = baseFiles();
    setAt(files[file] as Record<string, unknown>, path, value);
    await writeProject(files);
    const raw = await loadProject({ cwd: root, env });
    const linted = await validateProject(raw, { mode: 'lint', env: raw.env ?? {} }).catch((error: unknown) => error);
    expectTyped(linted instanceof Error ? linted : undefined, `lint ${file} ${path.join('.')} = ${name}`);
    for (const target of ['agents/a.yaml', 'templates/t.yaml']) {
      const prepared = await prepareRun({ cwd: root, file: target, inputFlags: ['task=go'], mode: 'estimate', callsNothing: true, env }).then(() => undefined, (error: unknown) => error);
      expectTyped(prepared, `prepare ${target} with ${file} ${path.join('.')} = ${name}`);
      if (prepared instanceof AgentpipeError) expect(prepared.message).not.toContain(env.CORPUS_SECRET_TOKEN);
    }
    // No case may pollute Object.prototype.
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

const inputSpec: Record<string, InputSpec> = {
  text: { type: 'string', required: true },
  count: { type: 'integer', required: false },
  ratio: { type: 'number', required: false },
  flag: { type: 'boolean', required: false },
  list: { type: 'array', required: false },
  options: { type: 'object', required: false },
} as unknown as Record<string, InputSpec>;

const inputCases: string[][] = [
  ['__proto__=x'], ['constructor=x'], ['toString=x'], ['hasOwnProperty=x'], ['valueOf=1'], ['__defineGetter__=x'], ['prototype=x'],
  ['=x'], ['x'], ['text'], ['text='], ['=' ], ['text==='], ['te xt=1'], ['🙂=1'], ['text=\u0000'],
  ['text=a', 'count=1.5'], ['text=a', 'count=abc'], ['text=a', 'count='], ['text=a', 'count=1e400'], ['text=a', 'count=NaN'], ['text=a', 'count=Infinity'],
  ['text=a', 'ratio=-0'], ['text=a', 'ratio=0x10'], ['text=a', 'flag=yes'], ['text=a', 'flag=TRUE'], ['text=a', 'flag='],
  ['text=a', 'list={}'], ['text=a', 'list=[1,'], ['text=a', 'list=null'], ['text=a', 'options=[]'], ['text=a', 'options="x"'],
  ['text=a', 'options={"__proto__":{"polluted":1}}'], ['text=a', 'list=' + '['.repeat(5000) + ']'.repeat(5000)],
  ['count=1'], [], ['text=' + 'y'.repeat(100_000)], ['text=a', 'unknown=1'], ['text=a', 'TEXT=b'], ['text=a', 'text.sub=b'],
];

describe(`bad --input flags (${inputCases.length} cases, in-process)`, () => {
  it.each(inputCases.map((flags) => ({ flags })))('$flags', ({ flags }) => {
    let failure: unknown;
    try {
      resolveInputs(inputSpec, parseInputFlags(flags), { mode: 'run' });
    } catch (error) {
      failure = error;
    }
    expectTyped(failure, `--input ${flags.join(' ')}`);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('values from a file (input file, batch row, API body) are checked against the declared type', () => {
    const typed: Array<[Record<string, unknown>, string]> = [
      [{ text: { a: 1 } }, 'input "text" must be a string, got an object'],
      [{ text: ['a'] }, 'input "text" must be a string, got an array'],
      [{ text: 'a', count: 1.5 }, 'input "count" must be an integer, got a number'],
      [{ text: 'a', count: true }, 'input "count" must be an integer, got a boolean'],
      [{ text: 'a', flag: 1 }, 'input "flag" must be true or false, got a number'],
      [{ text: 'a', list: { a: 1 } }, 'input "list" must be an array, got an object'],
      [{ text: 'a', options: [1] }, 'input "options" must be an object, got an array'],
    ];
    for (const [given, message] of typed) expect(() => resolveInputs(inputSpec, given, { mode: 'run' })).toThrow(message);
    // A number or true/false where a string is declared is its text, as on the command line.
    expect(resolveInputs(inputSpec, { text: 42 }, { mode: 'run' })['text']).toBe('42');
    expect(resolveInputs(inputSpec, { text: 'a', count: 3, flag: false, list: [1], options: { a: 1 } }, { mode: 'run' })).toMatchObject({ count: 3, flag: false, list: [1], options: { a: 1 } });
  });

  it('every prototype name is refused like any undeclared input', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(() => resolveInputs(inputSpec, parseInputFlags(['text=a', `${name}=x`]), { mode: 'run' })).toThrow(`unknown input "${name}"`);
    }
  });
});

// A well-formed state of a finished single-agent run of agents/a.yaml.
const runIdFor = (index: number) => `20260101-000000-000-${index.toString(16).padStart(6, '0')}`;
function validState(runId: string): Record<string, unknown> {
  const usage = { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0 };
  return {
    version: 1, runId, target: 'agents/a.yaml', kind: 'agent', name: 'a', status: 'interrupted',
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:01.000Z', inputs: { task: 'go', count: 2, list: null },
    steps: { a: { status: 'pending', agent: 'a', costUsd: 0.001, usage, durationMs: 5 } },
    costUsd: 0.001,
    ledger: { version: 1, entries: [{ runId, stepId: 'a', agent: 'a', provider: 'openai', model: 'openai/gpt-test', usage, costUsd: 0.001, time: '2026-01-01T00:00:01.000Z' }] },
  };
}

type Corruption = [name: string, corrupt: (state: Record<string, any>) => unknown];
const stateCorruptions: Corruption[] = [
  ...['version', 'runId', 'target', 'kind', 'name', 'status', 'createdAt', 'updatedAt', 'inputs', 'steps', 'costUsd'].map((key): Corruption => [`no ${key}`, (state) => (delete state[key], state)]),
  ...['version', 'runId', 'target', 'kind', 'name', 'status', 'inputs', 'steps', 'costUsd', 'ledger'].map((key): Corruption => [`${key} is a list`, (state) => ((state[key] = [1]), state)]),
  ['costUsd "NaN"', (state) => ((state.costUsd = 'NaN'), state)],
  ['ledger costUsd "NaN"', (state) => ((state.ledger.entries[0].costUsd = 'NaN'), state)],
  ['ledger costUsd negative', (state) => ((state.ledger.entries[0].costUsd = -5), state)],
  ['costUsd negative', (state) => ((state.costUsd = -1), state)],
  ['costUsd 1e999 (Infinity)', (state) => JSON.stringify(state).replace('"costUsd":0.001', '"costUsd":1e999')],
  ['ledger version 2', (state) => ((state.ledger.version = 2), state)],
  ['ledger entries an object', (state) => ((state.ledger.entries = {}), state)],
  ['ledger entry null', (state) => ((state.ledger.entries = [null]), state)],
  ['ledger entry without usage', (state) => (delete state.ledger.entries[0].usage, state)],
  ['step null', (state) => ((state.steps.a = null), state)],
  ['step status unknown', (state) => ((state.steps.a.status = 'exploded'), state)],
  ['step usage a string', (state) => ((state.steps.a.usage = 'lots'), state)],
  ['step tokens "NaN"', (state) => ((state.steps.a.usage.inputTokens = 'NaN'), state)],
  ['step items a list', (state) => ((state.steps.a.items = [1]), state)],
  ['step item index "x"', (state) => ((state.steps.a.items = { x: { status: 'succeeded', costUsd: 0, usage: state.steps.a.usage, durationMs: 0 } }), state)],
  ['step id __proto__', (state) => JSON.stringify(state).replace('"steps":{"a"', '"steps":{"__proto__"')],
  ['step itemCount -1', (state) => ((state.steps.a.itemCount = -1), state)],
  ['runId of another run', (state) => ((state.runId = runIdFor(999_999)), state)],
  ['runId path traversal', (state) => ((state.runId = '../../etc'), state)],
  ['kind unknown', (state) => ((state.kind = 'robot'), state)],
  ['version 2', (state) => ((state.version = 2), state)],
  ['null', () => 'null'],
  ['an array', () => '[]'],
  ['a number', () => '42'],
  ['a string', () => '"run"'],
  ['empty file', () => ''],
  ['whitespace', () => '  \n'],
  ['binary garbage', () => '\u0000\u0001\u0002\uFFFD'],
  ['truncated at 10', (state) => JSON.stringify(state).slice(0, 10)],
  ['truncated at half', (state) => { const text = JSON.stringify(state); return text.slice(0, text.length / 2); }],
  ['truncated by one', (state) => JSON.stringify(state).slice(0, -1)],
  ['trailing garbage', (state) => `${JSON.stringify(state)}xyz`],
  ['a BOM', (state) => `\uFEFF${JSON.stringify(state)}`],
];

// Odd but well-formed: loaded without a crash (what resume then does with them is the CLI part's to show).
const oddButValid: Corruption[] = [
  ['status running', (state) => ((state.status = 'running'), state)],
  ['deeply nested inputs', (state) => JSON.stringify(state).replace('"inputs":{', `"inputs":{"deep":${'['.repeat(3000)}${']'.repeat(3000)},`)],
  ['inputs with __proto__', (state) => JSON.stringify(state).replace('"inputs":{', '"inputs":{"__proto__":{"polluted":1},')],
  ['an unknown extra field', (state) => ((state.extra = { anything: [1, 2] }), state)],
];

const stateCases = [...stateCorruptions.map(([name, corrupt]) => ({ name, corrupt, valid: false })), ...oddButValid.map(([name, corrupt]) => ({ name, corrupt, valid: true }))].map((entry, index) => ({ ...entry, index }));

describe(`corrupted run states (${stateCases.length} cases, in-process: loadRunState and the runs listing)`, () => {
  it.each(stateCases)('$name', async ({ corrupt, index, name, valid }) => {
    const runsRoot = await mkdtemp(join(tmpdir(), 'agentpipe-states-'));
    try {
      const runId = runIdFor(index + 1);
      const good = runIdFor(0);
      for (const [id, text] of [[good, JSON.stringify(validState(good))], [runId, (() => { const result = corrupt(validState(runId)); return typeof result === 'string' ? result : JSON.stringify(result); })()]] as const) {
        await mkdir(join(runsRoot, '.agentpipe', 'runs', id), { recursive: true });
        await writeFile(join(runsRoot, '.agentpipe', 'runs', id, 'run.json'), text);
      }
      const loaded = await loadRunState(runsRoot, runId).then(() => undefined, (error: unknown) => error);
      expectTyped(loaded, `load ${name}`);
      const listing = await listRuns(runsRoot);
      // The listing goes on: the good run is listed, the corrupt one as corrupt.
      expect(listing.find((entry) => entry.runId === good)).toHaveProperty('state');
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      if (valid) {
        expect(loaded).toBeUndefined();
        expect(listing.find((entry) => entry.runId === runId)).toHaveProperty('state');
        return;
      }
      expect(loaded, name).toBeInstanceOf(CorruptRunError);
      expect((loaded as Error).message.split('\n')).toHaveLength(1);
      expect(listing.find((entry) => entry.runId === runId)).toHaveProperty('corrupt');
    } finally {
      await rm(runsRoot, { recursive: true, force: true });
    }
  });
});

describe('through the real CLI', () => {
  let sim: Simulator;
  let project: string;
  let cliEnv: NodeJS.ProcessEnv;
  let goodRunId: string;
  beforeAll(async () => {
    sim = await startSimulator({ script: () => ({ text: 'ok' }) });
    project = await makeProject({ 'agents/worker.yaml': agentYaml('worker'), 'templates/pair.yaml': `version: 1\nname: pair\nsteps:\n  - id: one\n    agent: worker\n    with: { task: "a" }\n  - id: two\n    agent: worker\n    needs: [one]\n    with: { task: "b" }\n` });
    cliEnv = simEnv(sim.url);
    sim.setFault({ kind: 'server-error', times: 100 });
    const first = await runCli(['run', 'templates/pair.yaml'], { cwd: project, env: cliEnv });
    expect(first.code).toBe(1);
    sim.setFault(undefined);
    goodRunId = await onlyRunId(project);
  });
  afterAll(async () => {
    await sim.close();
    await rm(project, { recursive: true, force: true });
  });

  const cliCorruptions: Corruption[] = [
    ['costUsd "NaN"', (state) => ((state.costUsd = 'NaN'), state)],
    ['ledger entry costUsd "NaN"', (state) => ((state.ledger = { version: 1, entries: [{ runId: state.runId, stepId: 'one', agent: 'worker', provider: 'anthropic', model: 'anthropic/claude-test', usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 }, costUsd: 'NaN', time: 'now' }] }), state)],
    ['steps a list', (state) => ((state.steps = []), state)],
    ['step null', (state) => ((state.steps.one = null), state)],
    ['no steps', (state) => (delete state.steps, state)],
    ['truncated', (state) => JSON.stringify(state).slice(0, 40)],
    ['empty file', () => ''],
    ['target elsewhere', (state) => ((state.target = '../../outside.yaml'), state)],
    ['unknown step ids (well-formed: resumes, re-running every step of the template)', (state) => ((state.steps = { ghost: { status: 'succeeded', agent: 'nobody', costUsd: 0, usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, durationMs: 0 } }), state)],
    ['inputs with __proto__', (state) => JSON.stringify(state).replace('"inputs":{', '"inputs":{"__proto__":{"polluted":1},')],
  ];

  it(`run --resume and runs on ${cliCorruptions.length} corrupted states: one line, no internal error, no paid call; runs lists them as corrupt`, async () => {
    const original = JSON.parse(await readFile(join(project, '.agentpipe', 'runs', goodRunId, 'run.json'), 'utf8'));
    const ids: string[] = [];
    for (const [index, [name, corrupt]] of cliCorruptions.entries()) {
      const runId = runIdFor(0xc00 + index);
      ids.push(runId);
      const result = corrupt({ ...structuredClone(original), runId });
      await mkdir(join(project, '.agentpipe', 'runs', runId), { recursive: true });
      await writeFile(join(project, '.agentpipe', 'runs', runId, 'run.json'), typeof result === 'string' ? result : JSON.stringify(result));
      const calls = sim.requests.length;
      const resumed = await runCli(['run', '--resume', runId], { cwd: project, env: cliEnv });
      expect(resumed.stderr, name).not.toMatch(/internal error|\n\s+at /);
      if (name.includes('well-formed')) {
        expect(resumed.code, name).toBe(0);
      } else {
        expect([1, 2], `${name}: exit ${resumed.code}\n${resumed.stderr}`).toContain(resumed.code);
        // A corrupt state makes no call at all, paid or not.
        expect(sim.requests.length, name).toBe(calls);
      }
      const shown = await runCli(['runs', runId], { cwd: project, env: cliEnv });
      expect(shown.stderr, name).not.toMatch(/internal error|\n\s+at /);
    }
    const listed = await runCli(['runs', '--json'], { cwd: project, env: cliEnv });
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as Array<{ runId: string; status: string }>;
    expect(rows.find((row) => row.runId === goodRunId)?.status).toBe('failed');
    // Every corrupt state but the schema-valid ones (a foreign target, unknown step ids) is listed as corrupt.
    expect(rows.filter((row) => row.status === 'corrupt').length).toBeGreaterThanOrEqual(7);
    const text = await runCli(['runs'], { cwd: project, env: cliEnv });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('corrupt');
    expect(text.stdout).toContain(goodRunId);
    for (const id of ids) await rm(join(project, '.agentpipe', 'runs', id), { recursive: true, force: true });
  }, 240_000);

  const cliArgs: string[][] = [
    ['run', 'agents/worker.yaml', '--input', '__proto__=x', '--input', 'task=a'],
    ['run', 'agents/worker.yaml', '--input', 'constructor=x', '--input', 'task=a'],
    ['run', 'agents/worker.yaml', '--input', 'task'],
    ['run', 'agents/worker.yaml', '--input', '=x'],
    ['run', '--resume', '../../etc/passwd'],
    ['run', '--resume', '__proto__'],
    ['run', '--resume', '20990101-000000-000-abcdef'],
    ['run', 'agents/worker.yaml', '--record'],
    ['run', 'agents/nope.yaml'],
    ['run', 'agents/worker.yaml', '--model', ''],
    ['run', 'agents/worker.yaml', '--input-file', '/dev/null'],
    ['runs', '../x'],
    ['runs', '__proto__'],
    ['estimate', 'agents/worker.yaml', '--input', 'task=' + 'z'.repeat(50_000)],
    ['lint', '--format', 'nope'],
    ['lint', 'does/not/exist.yaml'],
    ['explain', '__proto__'],
    ['render', 'agents/worker.yaml', '--input', 'toString=x'],
    ['models', '--bogus'],
    ['nonsense-command'],
  ];

  it.each(cliArgs.map((args) => ({ args })))('agentpipe $args', async ({ args }) => {
    const result = await runCli(args, { cwd: project, env: cliEnv });
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(result.stdout).not.toMatch(/internal error/);
    expect(result.code).not.toBeNull();
  });

  it('lint on a config with a ${…} api_key_env, a 600h timeout and 10,000 nested {{#if}}: exit 2, one line each, fast', async () => {
    const bad = await makeProject({
      'providers.yaml': `version: 1\nproviders:\n  openai: { type: openai, api_key_env: "\${OPENAI_API_KEY}", timeout: 720h }\nmodels:\n  openai/gpt-test: { pricing: { input: 1, output: 1 } }\n`,
      'agents/slow.yaml': `version: 1\nname: slow\nmodel: openai/gpt-test\nlimits: { timeout: 600h }\nprompt:\n  user: "hi"\n`,
    });
    const deep = await makeProject({ 'agents/deep.yaml': `version: 1\nname: deep\nmodel: main\nprompt:\n  user: "${'{{#if x}}'.repeat(10_000)}y${'{{/if}}'.repeat(10_000)}"\n` });
    try {
      const result = await runCli(['lint'], { cwd: bad, env: cliEnv });
      expect(result.code).toBe(2);
      const output = result.stdout + result.stderr;
      expect(output).toContain('${OPENAI_API_KEY}');
      expect(output).not.toContain(cliEnv['OPENAI_API_KEY']);
      expect(output).toMatch(/at most 24 days/);
      expect(output).not.toMatch(/internal error|\n\s+at /);
      expect((await readdir(bad)).includes('.agentpipe')).toBe(false);
      const nested = await runCli(['lint', 'agents/deep.yaml'], { cwd: deep, env: cliEnv });
      expect(nested.code).toBe(2);
      expect(nested.stdout + nested.stderr).toMatch(/nested 10000 deep/);
    } finally {
      await rm(bad, { recursive: true, force: true });
      await rm(deep, { recursive: true, force: true });
    }
  });
});
