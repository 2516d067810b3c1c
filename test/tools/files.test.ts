import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { auditRecords, makeSandbox, run, toolSet, type Sandbox } from './helpers.js';

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await makeSandbox({
    'README.md': '# title\nline two\nline three\n',
    'docs/guide.md': 'needle in the guide\nnothing here\n',
    'docs/notes.txt': 'another needle\n',
    '.env': 'needle=SECRET_IN_ENV_FILE\n',
    'keys/server.pem': 'needle in a pem\n',
    'out/draft.txt': 'alpha beta alpha\n',
  });
});

afterEach(() => sandbox.cleanup());

describe('read', () => {
  test('returns the file content and audits the call as allowed', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'read', { path: 'README.md' });
    expect(result).toMatchObject({ toolName: 'read', output: '# title\nline two\nline three\n' });
    expect(result.isError).toBeUndefined();
    const [record] = await auditRecords(sandbox.auditPath);
    expect(record).toMatchObject({ tool: 'read', decision: 'allowed', isError: false, agent: 'tester', step: 'main', outputBytes: 28 });
  });

  test('offset and limit select lines', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'read', { path: 'README.md', offset: 2, limit: 1 });
    expect(result.output).toBe('line two');
  });

  test('a missing file is an error result, not a denial', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'read', { path: 'nope.md' });
    expect(result).toMatchObject({ isError: true });
    expect(result.output).toContain('no such file');
    expect((await auditRecords(sandbox.auditPath))[0]?.decision).toBe('allowed');
  });

  test('arguments that fail the schema are rejected before anything runs', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'read', { file: 'README.md' });
    expect(result.isError).toBe(true);
    expect(result.output).toContain('invalid arguments for read');
  });
});

describe('write', () => {
  test('creates the file and its parent folders inside out/', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'write', { path: 'out/new/report.md', content: 'hello' });
    expect(result.output).toBe('wrote 5 bytes to out/new/report.md');
    expect(await readFile(join(sandbox.workspace, 'out/new/report.md'), 'utf8')).toBe('hello');
  });
});

describe('edit', () => {
  test('replaces a unique string', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'edit', { path: 'out/draft.txt', old_string: 'beta', new_string: '$& gamma' });
    expect(result.isError).toBeUndefined();
    expect(await readFile(join(sandbox.workspace, 'out/draft.txt'), 'utf8')).toBe('alpha $& gamma alpha\n');
  });

  test('fails on zero matches and leaves the file alone', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'edit', { path: 'out/draft.txt', old_string: 'delta', new_string: 'x' });
    expect(result).toMatchObject({ isError: true });
    expect(result.output).toContain('not found');
    expect(await readFile(join(sandbox.workspace, 'out/draft.txt'), 'utf8')).toBe('alpha beta alpha\n');
  });

  test('fails on an ambiguous match unless replace_all', async () => {
    const ambiguous = await run(toolSet(sandbox), sandbox, 'edit', { path: 'out/draft.txt', old_string: 'alpha', new_string: 'omega' });
    expect(ambiguous.isError).toBe(true);
    expect(ambiguous.output).toContain('occurs 2 times');
    expect(await readFile(join(sandbox.workspace, 'out/draft.txt'), 'utf8')).toBe('alpha beta alpha\n');
    const all = await run(toolSet(sandbox), sandbox, 'edit', { path: 'out/draft.txt', old_string: 'alpha', new_string: 'omega', replace_all: true });
    expect(all.output).toBe('replaced 2 occurrence(s) in out/draft.txt');
    expect(await readFile(join(sandbox.workspace, 'out/draft.txt'), 'utf8')).toBe('omega beta omega\n');
  });
});

describe('glob', () => {
  test('lists matching files and hides what the read rules deny', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'glob', { pattern: '**/*' });
    const lines = result.output.split('\n');
    expect(lines).toEqual(expect.arrayContaining(['README.md', 'docs/guide.md', 'docs/notes.txt', 'out/draft.txt']));
    expect(result.output).not.toContain('.env');
    expect(result.output).not.toContain('server.pem');
    expect(result.output).toContain('(2 matching file(s) hidden by the read rules)');
  });

  test('never lists or counts agentpipe run state, so the same call answers the same across runs', async () => {
    const before = await run(toolSet(sandbox), sandbox, 'glob', { pattern: '**/*' });
    await mkdir(join(sandbox.workspace, '.agentpipe/runs/r1'), { recursive: true });
    await writeFile(join(sandbox.workspace, '.agentpipe/runs/r1/run.json'), '{}\n');
    const after = await run(toolSet(sandbox), sandbox, 'glob', { pattern: '**/*' });
    await rm(join(sandbox.workspace, '.agentpipe'), { recursive: true, force: true });
    expect(after.output).toBe(before.output);
  });

  test('caps the number of paths', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'glob', { pattern: '**/*', limit: 1 });
    expect(result.output.split('\n')[0]).toBe('README.md');
    expect(result.output).toContain('(3 more not shown)');
  });
});

describe('grep', () => {
  test('finds matches only in readable files', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'grep', { pattern: 'needle' });
    expect(result.output).toContain('docs/guide.md:1: needle in the guide');
    expect(result.output).toContain('docs/notes.txt:1: another needle');
    expect(result.output).not.toContain('SECRET_IN_ENV_FILE');
    expect(result.output).not.toContain('pem');
  });

  test('honours glob, ignore_case and max_matches', async () => {
    const scoped = await run(toolSet(sandbox), sandbox, 'grep', { pattern: 'NEEDLE', glob: 'docs/*.md', ignore_case: true });
    expect(scoped.output).toBe('docs/guide.md:1: needle in the guide');
    const capped = await run(toolSet(sandbox), sandbox, 'grep', { pattern: 'needle', max_matches: 1 });
    expect(capped.output).toContain('(stopped at 1 matches)');
  });

  test('an invalid regular expression is an error result', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'grep', { pattern: '(' });
    expect(result.isError).toBe(true);
    expect(result.output).toContain('invalid regular expression');
  });
});
