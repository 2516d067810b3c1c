// "--json on every command": each verb's --json output parses as JSON (run: NDJSON, one object a line).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
// No keys and an Ollama URL nobody answers, so nothing can reach a model or the network.
const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], OLLAMA_HOST: 'http://127.0.0.1:9' };
const agentpipe = (args: string[]) => spawnSync(process.execPath, [join(root, 'bin/agentpipe.js'), ...args], { cwd: root, env, encoding: 'utf8' });

test.each([
  ['list', ['list', '--json']],
  ['models', ['models', '--json']],
  ['lint', ['lint', '--json']],
  ['estimate', ['estimate', 'templates/code-review.yaml', '--json']],
  ['explain', ['explain', 'templates/rest-api-plan.yaml', '--json']],
  ['render', ['render', 'researcher', '--json']],
  ['runs', ['runs', '--json']],
  ['schema', ['schema', 'agent']],
])('%s --json prints one JSON document', (_verb, args) => {
  const result = agentpipe(args);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.status).toBe(0);
  expect(() => JSON.parse(result.stdout)).not.toThrow();
});

test('init --json lists the files it created', async () => {
  const target = join(await mkdtemp(join(tmpdir(), 'agentpipe-json-')), 'repo');
  try {
    const result = agentpipe(['init', target, '--json']);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { created: string[] };
    expect(report.created).toContain('providers.yaml');
    expect(report.created).toContain('.github/workflows/agentpipe.yml');
  } finally {
    await rm(target, { recursive: true, force: true });
  }
});

test('run --dry-run --json prints NDJSON events and calls nothing', () => {
  const result = agentpipe(['run', 'agents/researcher.yaml', '--input', 'question=hi', '--dry-run', '--json']);
  expect(result.status).toBe(0);
  const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; estimate?: { steps: unknown[] } });
  expect(lines[0]?.type).toBe('plan');
  expect(lines[0]?.estimate?.steps).toHaveLength(1);
});

// An error under --json is still JSON on stdout (one object, `type: "error"`), with the documented
// exit code, and the one-line message stays on stderr for people.
test.each([
  ['lint', ['lint', 'nope.yaml', '--json'], 2],
  ['lint --format json', ['lint', 'nope.yaml', '--format', 'json'], 2],
  ['schema', ['schema', 'nope', '--json'], 2],
  ['list (unknown flag)', ['list', '--json', '--bogus'], 2],
  ['run (no file)', ['run', '--json'], 2],
  ['run (unknown input)', ['run', 'agents/researcher.yaml', '--input', 'nope=1', '--json'], 2],
  ['runs', ['runs', 'nope', '--json'], 2],
  ['render', ['render', 'nope', '--json'], 2],
  ['estimate', ['estimate', 'nope.yaml', '--json'], 2],
  ['estimate --format json', ['estimate', 'nope.yaml', '--format=json'], 2],
  ['keys', ['keys', 'bogus', '--json'], 2],
  ['queue', ['queue', 'status', '--json'], 2],
  ['mcp', ['mcp', 'bogus', '--json'], 2],
])('%s --json prints its error as JSON on stdout', (_name, args, code) => {
  const result = agentpipe(args);
  expect(result.status).toBe(code);
  expect(result.stderr).toMatch(/^agentpipe: /);
  const lines = result.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const error = JSON.parse(lines[0]!) as { type: string; exitCode: number; message: string };
  expect(error.type).toBe('error');
  expect(error.exitCode).toBe(code);
  expect(result.stderr).toContain(error.message);
});

test('run --json with no key and no local server ends its NDJSON with an error line naming what it looked for', () => {
  const result = agentpipe(['run', 'agents/researcher.yaml', '--input', 'question=hi', '--json']);
  expect(result.status).toBe(1);
  const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; exitCode?: number; message?: string });
  expect(lines[0]?.type).toBe('plan');
  const last = lines.at(-1)!;
  expect(last.type).toBe('error');
  expect(last.exitCode).toBe(1);
  expect(last.message).toContain('ANTHROPIC_API_KEY');
  expect(last.message).toContain('--sim');
});
