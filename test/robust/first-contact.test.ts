// A new user's first mistakes, through the real CLI: every refusal names the file and a fix that
// works (a suggested fix must itself pass lint), with the documented exit code and no stack trace.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import { agentYaml, makeProject, runCli } from '../e2e/helpers.js';
import { formatSummary } from '../../src/cli/progress/summary.js';

const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], OLLAMA_HOST: 'http://127.0.0.1:9' };
const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

test('an agent file whose name cannot be an agent name gets a fix that lint then accepts (rename the file, not "set name: my agent")', async () => {
  const root = await makeProject({ 'agents/my agent.yaml': agentYaml('helper') });
  roots.push(root);
  const result = await runCli(['lint', 'agents/my agent.yaml'], { cwd: root, env });
  expect(result.code).toBe(2);
  expect(result.stdout).toContain('agents/my agent.yaml:3:');
  expect(result.stdout).not.toContain('set name: my agent');
  expect(result.stdout).toContain('helper.yaml');
  await rename(join(root, 'agents/my agent.yaml'), join(root, 'agents/helper.yaml'));
  expect((await runCli(['lint', 'agents/helper.yaml'], { cwd: root, env })).code).toBe(0);
});

test('a template file whose name cannot be a template name is told to rename the file', async () => {
  const template = 'version: 1\nname: flow\nsteps:\n  - { id: one, agent: helper, with: { task: x } }\n';
  const root = await makeProject({ 'agents/helper.yaml': agentYaml('helper'), 'templates/Flow.yaml': template });
  roots.push(root);
  const result = await runCli(['lint', 'templates/Flow.yaml'], { cwd: root, env });
  expect(result.code).toBe(2);
  expect(result.stdout).not.toContain('set name: Flow');
  expect(result.stdout).toContain('flow.yaml');
});

test('batch --out naming a folder (or a device) is refused before any row runs, in one line with exit 2', async () => {
  const root = await makeProject({ 'agents/helper.yaml': agentYaml('helper'), 'rows.jsonl': '{"task":"a"}\n{"task":"b"}\n' });
  roots.push(root);
  await mkdir(join(root, 'out'));
  for (const out of ['out', '/dev/null']) {
    const result = await runCli(['batch', 'agents/helper.yaml', '--inputs', 'rows.jsonl', '--sim', '--out', out], { cwd: root, env });
    expect(result.code, out).toBe(2);
    expect(result.stderr, out).not.toContain('internal error');
    expect(result.stderr, out).toMatch(/--out .* is (a folder|not a regular file)/);
    expect(result.stderr.trim().split('\n').at(-1), out).toContain('results.jsonl');
  }
  await expect(readdir(join(root, '.agentpipe', 'runs'))).rejects.toThrow();
});

test('run --record naming a folder or a FIFO is refused in one line (exit 2) and leaves it as it was', async () => {
  const root = await makeProject({ 'agents/helper.yaml': agentYaml('helper') });
  roots.push(root);
  await mkdir(join(root, 'cassettes'));
  execFileSync('mkfifo', [join(root, 'pipe')]);
  for (const target of ['cassettes', 'pipe']) {
    const result = await runCli(['run', 'agents/helper.yaml', '--input', 'task=x', '--record', target], { cwd: root, env: { ...env, ANTHROPIC_API_KEY: 'test-anthropic-key-0123456789abcdef' } });
    expect(result.code, target).toBe(2);
    expect(result.stderr.trim().split('\n'), target).toHaveLength(1);
    expect(result.stderr, target).toMatch(/--record .* is (a folder|not a regular file)/);
  }
  expect((await stat(join(root, 'pipe'))).isFIFO()).toBe(true);
  expect((await stat(join(root, 'cassettes'))).isDirectory()).toBe(true);
});

test('--input-file: a BOM (as Windows editors save) is accepted; a folder, a missing file and an empty file each say what is wrong', async () => {
  const root = await makeProject({
    'agents/helper.yaml': agentYaml('helper'),
    'bom.json': '\uFEFF{"task": "from a BOM file"}\r\n',
    'bom.yaml': '\uFEFFtask: from a BOM yaml\r\n',
    'empty.json': '',
  });
  roots.push(root);
  for (const file of ['bom.json', 'bom.yaml']) {
    const result = await runCli(['run', 'agents/helper.yaml', '--sim', '--input-file', file, '--json'], { cwd: root, env });
    expect(result.stderr, file).toBe('');
    expect(result.code, file).toBe(0);
  }
  const cases: Array<[string, RegExp]> = [
    ['.', /--input-file \. is a folder/],
    ['missing.json', /--input-file missing\.json does not exist/],
    ['empty.json', /--input-file empty\.json is empty/],
  ];
  for (const [file, message] of cases) {
    const result = await runCli(['run', 'agents/helper.yaml', '--sim', '--input-file', file], { cwd: root, env });
    expect(result.code, file).toBe(2);
    expect(result.stderr.trim().split('\n'), file).toHaveLength(1);
    expect(result.stderr, file).toMatch(message);
  }
});

test('providers.yaml or tools.yaml that is a folder is named as a folder, and "no providers.yaml" names the folder searched, not the file', async () => {
  const root = await makeProject({ 'agents/helper.yaml': agentYaml('helper') });
  roots.push(root);
  await rm(join(root, 'tools.yaml'));
  await mkdir(join(root, 'tools.yaml'));
  const tools = await runCli(['lint'], { cwd: root, env });
  expect(tools.code).toBe(2);
  expect(tools.stdout).toMatch(/tools\.yaml:1:1: error: tools\.yaml is a folder, not a file/);

  const bare = await makeProject({ 'agents/helper.yaml': agentYaml('helper') });
  roots.push(bare);
  await rm(join(bare, 'providers.yaml'));
  await mkdir(join(bare, 'providers.yaml'));
  const run = await runCli(['run', 'agents/helper.yaml', '--sim', '--input', 'task=x'], { cwd: bare, env });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(`providers.yaml in ${join(bare, 'agents')} or any folder above it`);
  expect(run.stderr).toContain(`${join(bare, 'providers.yaml')} is a folder, not a file`);
  // A target that does not exist: the folder it would be in is the one searched.
  const missing = await runCli(['explain', 'agents/nothing.yaml'], { cwd: bare, env });
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain(`no providers.yaml in ${join(bare, 'agents')} or any folder above it`);
});

test('YAML nested thousands of levels deep is refused as too deep, not with a JavaScript "Maximum call stack" message', async () => {
  const root = await makeProject({ 'agents/deep.yaml': `version: 1\nname: deep\nmodel: main\nprompt: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n` });
  roots.push(root);
  const result = await runCli(['lint', 'agents/deep.yaml'], { cwd: root, env });
  expect(result.code).toBe(2);
  expect(result.stdout).toMatch(/agents\/deep\.yaml:\d+:\d+: error: .*nest/);
  expect(result.stdout).not.toMatch(/call stack/i);
});

test('serve --port out of range is a flag error naming the range, like mcp serve --port', async () => {
  const root = await makeProject({ 'agents/helper.yaml': agentYaml('helper') });
  roots.push(root);
  for (const verb of [['serve'], ['mcp', 'serve']]) {
    const result = await runCli([...verb, '--port', '70000'], { cwd: root, env });
    expect(result.code, verb.join(' ')).toBe(2);
    expect(result.stderr.trim().split('\n'), verb.join(' ')).toHaveLength(1);
    expect(result.stderr, verb.join(' ')).toContain('--port must be a port number (0-65535)');
  }
});

test('a mistyped target (.yml, a typo) is refused with the closest agent or template file suggested', async () => {
  const root = await makeProject({ 'agents/researcher.yaml': agentYaml('researcher') });
  roots.push(root);
  for (const [typed, suggested] of [['agents/researcher.yml', 'agents/researcher.yaml'], ['agents/reseacher.yaml', 'agents/researcher.yaml'], ['reseacher', 'researcher']] as const) {
    const result = await runCli(['run', typed, '--sim', '--input', 'task=x'], { cwd: root, env });
    expect(result.code, typed).toBe(2);
    expect(result.stderr.trim().split('\n'), typed).toHaveLength(1);
    expect(result.stderr, typed).toContain(`did you mean \`${suggested}\``);
  }
});

test('a single-value flag given twice with different values is one usage error (exit 2) naming it, on every verb; --input names too', async () => {
  const root = await makeProject({ 'agents/helper.yaml': agentYaml('helper'), 'a.json': '{"task": "a"}', 'b.json': '{"task": "b"}', 'rows.jsonl': '{"task":"a"}\n' });
  roots.push(root);
  const cases: Array<[string[], string]> = [
    [['run', 'agents/helper.yaml', '--sim', '--input-file', 'a.json', '--input-file', 'b.json'], '--input-file'],
    [['batch', 'agents/helper.yaml', '--sim', '--inputs', 'rows.jsonl', '--inputs', 'other.jsonl'], '--inputs'],
    [['batch', 'agents/helper.yaml', '--sim', '--inputs', 'rows.jsonl', '--out', 'a.jsonl', '--out', 'b.jsonl'], '--out'],
    [['estimate', 'agents/helper.yaml', '--max-cost', '1', '--max-cost', '2'], '--max-cost'],
    [['estimate', 'agents/helper.yaml', '--input', 'task=x', '--input', 'task=y'], '--input task'],
    [['render', 'helper', '--input', 'task=x', '--input', 'task=y'], '--input task'],
  ];
  for (const [args, named] of cases) {
    const result = await runCli(args, { cwd: root, env });
    expect(result.code, args.join(' ')).toBe(2);
    expect(result.stderr, args.join(' ')).not.toContain('internal error');
    expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    expect(result.stderr, args.join(' ')).toContain(`${named} is given twice`);
  }
  // The same value twice is harmless and runs.
  const same = await runCli(['run', 'agents/helper.yaml', '--sim', '--input-file', 'a.json', '--input-file', 'a.json'], { cwd: root, env });
  expect(same.code).toBe(0);
  expect(existsSync(join(root, 'a.jsonl'))).toBe(false);
});

test('an interrupted simulated run says to resume it with --sim, and resuming it without --sim (or a real run with --sim) is refused', async () => {
  const root = await makeProject({ 'agents/helper.yaml': agentYaml('helper') });
  roots.push(root);
  const first = await runCli(['run', 'agents/helper.yaml', '--sim', '--input', 'task=x'], { cwd: root, env });
  expect(first.code).toBe(0);
  const [runId] = await readdir(join(root, '.agentpipe', 'runs'));
  // Mark it unfinished the way an interrupt leaves it, then check the hint and the refusals.
  const statePath = join(root, '.agentpipe', 'runs', runId!, 'run.json');
  const state = JSON.parse(await readFile(statePath, 'utf8')) as { status: string; simulated?: boolean; steps: Record<string, { status: string }> };
  expect(state.simulated).toBe(true);
  state.status = 'interrupted';
  for (const step of Object.values(state.steps)) step.status = 'pending';
  await writeFile(statePath, JSON.stringify(state));
  const real = await runCli(['run', '--resume', runId!], { cwd: root, env });
  expect(real.code).toBe(2);
  expect(real.stderr).toContain(`agentpipe run --resume ${runId} --sim`);
  const resumed = await runCli(['run', '--resume', runId!, '--sim'], { cwd: root, env });
  expect(resumed.code).toBe(0);
  delete state.simulated;
  state.status = 'interrupted';
  for (const step of Object.values(state.steps)) step.status = 'pending';
  await writeFile(statePath, JSON.stringify(state));
  const simulatedResume = await runCli(['run', '--resume', runId!, '--sim'], { cwd: root, env });
  expect(simulatedResume.code).toBe(2);
  expect(simulatedResume.stderr).toContain('without --sim');
});

test('the summary of a simulated run that did not finish ends with a resume command that has --sim', () => {
  const summary = formatSummary({ runId: 'r1', status: 'interrupted', costUsd: 0, durationMs: 5, state: { steps: {} } } as unknown as Parameters<typeof formatSummary>[0], true);
  expect(summary).toContain('resume with: agentpipe run --resume r1 --sim');
  expect(formatSummary({ runId: 'r2', status: 'failed', costUsd: 0, durationMs: 5, state: { steps: {} } } as unknown as Parameters<typeof formatSummary>[0])).toMatch(/resume with: agentpipe run --resume r2\n$/);
});

test('keys create --expires 0d (a key that is dead on arrival) is refused like a past date', async () => {
  const root = await makeProject({ 'agents/helper.yaml': agentYaml('helper') });
  roots.push(root);
  const result = await runCli(['keys', 'create', '--role', 'viewer', '--expires', '0d'], { cwd: root, env });
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain('--expires must be');
});

test('batch --json: no usable model (exit 1) and --strict with a bad row (exit 2) end in a JSON error on stdout', async () => {
  const root = await makeProject({ 'agents/helper.yaml': agentYaml('helper'), 'rows.jsonl': '{"task":"a"}\n{"nope":1}\n' });
  roots.push(root);
  const cases: Array<[string[], number, string]> = [
    [['batch', 'agents/helper.yaml', '--inputs', 'rows.jsonl', '--json'], 1, 'ANTHROPIC_API_KEY'],
    [['batch', 'agents/helper.yaml', '--inputs', 'rows.jsonl', '--sim', '--strict', '--json'], 2, '--strict'],
  ];
  for (const [args, code, text] of cases) {
    const result = await runCli(args, { cwd: root, env });
    expect(result.code, args.join(' ')).toBe(code);
    const error = JSON.parse(result.stdout.trim()) as { type: string; exitCode: number; message: string };
    expect(error).toMatchObject({ type: 'error', exitCode: code });
    expect(error.message).toContain(text);
    expect(result.stderr).toContain(text);
  }
});

test('a .agentpipe that is a file (or any folder agentpipe cannot write) is a one-line error naming the path, not an internal error', async () => {
  const root = await makeProject({ 'agents/helper.yaml': agentYaml('helper'), '.agentpipe': 'not a folder\n', 'rows.jsonl': '{"task":"a"}\n' });
  roots.push(root);
  for (const args of [['run', 'agents/helper.yaml', '--sim', '--input', 'task=x'], ['batch', 'agents/helper.yaml', '--sim', '--inputs', 'rows.jsonl'], ['keys', 'list'], ['memory', 'list', '--json']]) {
    const result = await runCli(args, { cwd: root, env });
    expect(result.code, args.join(' ')).toBe(1);
    expect(result.stderr, args.join(' ')).not.toContain('internal error');
    const last = result.stderr.trim().split('\n').at(-1)!;
    expect(last, args.join(' ')).toContain(join(root, '.agentpipe'));
    expect(last, args.join(' ')).toMatch(/is a file, not a folder/);
  }
});
