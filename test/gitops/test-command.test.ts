// `agentpipe test` and `render --check` on a scaffolded repo (agentpipe init): cassette drift after a
// layer change, --update re-recording against the wire simulator, simulator-scripted tests, invalid
// test files, and golden prompts. Real CLI processes, real cassettes, nothing beyond 127.0.0.1.

import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import { bin } from './fixture.js';

const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', OLLAMA_HOST: 'http://127.0.0.1:9' };
let parent: string;
let pristine: string;

const run = (args: string[], cwd: string) => spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });

/** A fresh copy of the scaffolded repo per test, so that edits do not leak. */
async function repo(name: string): Promise<string> {
  const folder = path.join(parent, name);
  await cp(pristine, folder, { recursive: true });
  return folder;
}

async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  expect(text).toContain(from);
  await writeFile(file, text.replace(from, to));
}

beforeAll(async () => {
  parent = await mkdtemp(path.join(tmpdir(), 'agentpipe-test-cmd-'));
  pristine = path.join(parent, 'pristine');
  expect(spawnSync(process.execPath, [bin, 'init', pristine], { cwd: parent, env, encoding: 'utf8' }).status).toBe(0);
});

afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

describe('agentpipe test', () => {
  test('a layer change makes the cassette stale: exit 1, a diff of what changed, and the exact re-record command', async () => {
    const root = await repo('drift');
    await edit(path.join(root, 'agents/layers/persona/writer.yaml'), 'text: |\n', 'text: |\n  Write for busy engineers.\n');
    const result = run(['test', 'tests/summariser.yaml'], root);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('FAIL summariser (tests/summariser.yaml');
    expect(result.stdout).toContain('the cassette no longer matches the prompts');
    expect(result.stdout).toMatch(/^ {4}\+Write for busy engineers\.$/m);
    expect(result.stdout).toContain(`re-record with: agentpipe test tests/summariser.yaml --update (or: agentpipe run agents/summariser.yaml --input 'text=Node.js 24 entered long-term support in October 2025. It ships npm 11 and V8 13.6.' --input bullets=2 --record tests/cassettes/summariser.json)`);
    expect(result.stdout).toMatch(/^0 passed, 1 failed \(1 test\)$/m);
    // The failed run is kept for `agentpipe runs`.
    expect(result.stdout).toMatch(/the run is kept: agentpipe runs \d{8}-/);
    const github = run(['test', 'tests/summariser.yaml', '--format', 'github'], root);
    expect(github.status).toBe(1);
    expect(github.stdout).toMatch(/^::error file=tests\/summariser.yaml,title=agentpipe test summariser failed::the cassette no longer matches the prompts/m);
    // An agent the layer does not reach still passes.
    expect(run(['test', 'tests/planner.yaml'], root).status).toBe(0);
  });

  test('--update re-records a stale cassette when keys are set (here: against the wire simulator), then passes offline', async () => {
    const root = await repo('update');
    await edit(path.join(root, 'agents/layers/persona/writer.yaml'), 'text: |\n', 'text: |\n  Write for busy engineers.\n');
    const before = await readFile(path.join(root, 'tests/cassettes/summariser.json'), 'utf8');
    const simulator = await startSimulator({ port: 0, script: { defaultTurn: { text: '- Node.js 24 is LTS.\n- It ships npm 11.' } } });
    try {
      const url = simulator.url;
      const simEnv = { ...env, ANTHROPIC_API_KEY: 'test-key-for-the-simulator-0123456789', ANTHROPIC_BASE_URL: url, OPENAI_BASE_URL: `${url}/v1`, OLLAMA_HOST: url };
      // Asynchronously: the simulator answers from this process.
      const child = spawn(process.execPath, [bin, 'test', 'tests/summariser.yaml', '--update'], { cwd: root, env: simEnv });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stdout).toContain('re-recorded');
      expect(code).toBe(0);
      expect(simulator.requests.length).toBe(1);
    } finally {
      await simulator.close();
    }
    const after = await readFile(path.join(root, 'tests/cassettes/summariser.json'), 'utf8');
    expect(after).not.toBe(before);
    expect(after).toContain('Write for busy engineers.');
    expect(after).not.toContain('test-key-for-the-simulator');
    expect(run(['test', 'tests/summariser.yaml'], root).status).toBe(0);
  });

  test('a missing cassette fails and names the command that records it', async () => {
    const root = await repo('missing');
    await rm(path.join(root, 'tests/cassettes/writer.json'));
    const result = run(['test', 'tests/writer.yaml'], root);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('cassette tests/cassettes/writer.json does not exist; record it with: agentpipe test tests/writer.yaml --update');
  });

  test('a simulator-scripted test: tool calls with arguments, output paths, calls; a failing expectation exits 1 and says why', async () => {
    const root = await repo('sim');
    const header = '# yaml-language-server: $schema=../schemas/test.schema.json\nversion: 1\ntarget: agents/code-reviewer.yaml\ninputs: { change: "diff --git a/x b/x" }\n';
    const sim = 'sim:\n  turns:\n    - tool_calls: [{ name: glob, input: { pattern: "agents/*.yaml" } }]\n    - text: \'{"summary": "fine", "findings": []}\'\n';
    await writeFile(path.join(root, 'tests/sim-pass.yaml'), `${header}${sim}expect:\n  - tool_called: { name: glob, args: { pattern: "agents/*.yaml" } }\n  - tool_not_called: bash\n  - output: { path: summary, equals: fine }\n  - output: { path: findings, equals: [] }\n  - calls: { equals: 2 }\n  - steps: { succeeded: [code-reviewer] }\n`);
    await writeFile(path.join(root, 'tests/sim-fail.yaml'), `${header}${sim}expect:\n  - tool_called: read\n  - output: { path: summary, regex: "^broken" }\n  - cost: { max: 0 }\n`);
    const pass = run(['test', 'tests/sim-pass.yaml'], root);
    expect(pass.stdout).toMatch(/^ok {3}sim-pass \(tests\/sim-pass.yaml, \d+ ms, 2 model calls\)$/m);
    expect(pass.status).toBe(0);
    const fail = run(['test', 'tests/sim-fail.yaml', '--json'], root);
    expect(fail.status).toBe(1);
    const report = JSON.parse(fail.stdout) as { tests: Array<{ failures: string[] }> };
    const failures = report.tests[0]!.failures;
    expect(failures[0]).toBe('tool `read` should be called; calls: glob {"pattern":"agents/*.yaml"}');
    expect(failures[1]).toBe('output at summary should match /^broken/, got "fine"');
    expect(failures[2]).toMatch(/^cost should be at most \$0, was \$0\.\d+/);
  });

  test('invalid test files are config errors (exit 2, file:line), for lint too; tests run only the paths given', async () => {
    const root = await repo('invalid');
    await writeFile(path.join(root, 'tests/bad.yaml'), '# yaml-language-server: $schema=../schemas/test.schema.json\nversion: 1\ntarget: agents/nobody.yaml\ncassette: tests/cassettes/x.json\nexpects: []\n');
    const result = run(['test'], root);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^tests\/bad\.yaml:5:1: error: .*expects/m);
    expect(result.stderr).not.toMatch(/^ {4}at /m);
    const lint = run(['lint', 'tests/bad.yaml'], root);
    expect(lint.status).toBe(2);
    await writeFile(path.join(root, 'tests/bad.yaml'), '# yaml-language-server: $schema=../schemas/test.schema.json\nversion: 1\ntarget: agents/nobody.yaml\ncassette: tests/cassettes/x.json\nexpect: [{ calls: { max: 1 } }]\n');
    const target = run(['lint'], root);
    expect(target.stdout).toMatch(/^tests\/bad\.yaml:3:9: error: test target `agents\/nobody\.yaml` is not an agent or template of this project/m);
    expect(run(['test', '--format', 'xml'], root).status).toBe(2);
  });
});

describe('agentpipe render --check', () => {
  test('--update writes one snapshot per agent; --check passes, then fails with a diff after a layer edit', async () => {
    const root = await repo('golden');
    const update = run(['render', '--update'], root);
    expect(update.status).toBe(0);
    expect((await readdir(path.join(root, 'tests/prompts'))).sort()).toEqual(['api-designer.txt', 'code-reviewer.txt', 'docs-qa.txt', 'planner.txt', 'researcher.txt', 'reviewer.txt', 'summariser.txt', 'writer.txt']);
    expect(run(['render', '--check'], root).stdout).toBe('8 of 8 prompt snapshots match\n');
    // A comment moves every line below it: no change to the prompt, no failure.
    await edit(path.join(root, 'agents/summariser.yaml'), 'version: 1\n', '# a comment\nversion: 1\n');
    expect(run(['render', '--check'], root).status).toBe(0);
    await edit(path.join(root, 'agents/layers/policy/safety.yaml'), 'Rules you always follow:', 'Rules you must always follow:');
    const check = run(['render', '--check'], root);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('tests/prompts/researcher.txt: the rendered prompt of researcher changed:');
    expect(check.stdout).toContain('+Rules you must always follow:');
    expect(check.stdout).toMatch(/^0 of 8 prompt snapshots match; if intended, run `agentpipe render --update` and commit tests\/prompts\/$/m);
    expect(run(['render', '--check', 'agents/summariser.yaml'], root).stdout).toMatch(/^0 of 1 prompt snapshots match/m);
  });
});
