import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadDotenv, parseDotenv } from '../../src/load/dotenv.js';
import { loadProject } from '../../src/load/index.js';
import { interpolate, type UnsetVariable } from '../../src/load/interpolate.js';
import { parseYaml } from '../../src/load/parse.js';
import { requireExistingPaths, selectPaths } from '../../src/load/paths.js';
import { materialize } from '../lint/corpus.js';

describe('.env', () => {
  test('parses quotes, export, comments and escapes', () => {
    const text = 'export A=1\nB="two words"\nC=\'single $x\'\nD=plain # comment\n# skipped\nE="line\\nbreak"\nbad line\n';
    expect(parseDotenv(text)).toEqual({ A: '1', B: 'two words', C: 'single $x', D: 'plain', E: 'line\nbreak' });
  });

  test('never overrides a variable that is already set', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'agentpipe-env-'));
    await writeFile(path.join(root, '.env'), 'KEY=from-file\nOTHER=added\n');
    expect(await loadDotenv(root, { KEY: 'from-env' })).toEqual({ KEY: 'from-env', OTHER: 'added' });
  });
});

describe('interpolation', () => {
  test('${NAME}, ${NAME:-default}, $${escape}; unset names are recorded with their path', () => {
    const unset: UnsetVariable[] = [];
    const value = interpolate({ a: 'x-${SET}', b: ['${MISSING}', '${EMPTY:-fallback}'], c: '$${SET}', d: 3 }, { SET: 'yes', EMPTY: '' }, unset);
    expect(value).toEqual({ a: 'x-yes', b: ['', 'fallback'], c: '${SET}', d: 3 });
    expect(unset).toEqual([{ name: 'MISSING', path: ['b', 0] }]);
  });

  test('values without ${ are returned as the same objects (no copy)', () => {
    const original = { a: { b: ['c'] } };
    expect(interpolate(original, {}, [])).toBe(original);
  });
});

describe('parseYaml', () => {
  test('dates stay strings and files with anchors still parse', () => {
    expect(parseYaml('as_of: 2025-10-15\n', 'f.yaml').value).toEqual({ as_of: '2025-10-15' });
    expect(parseYaml('base: &b { x: 1 }\ncopy: *b\n', 'f.yaml').value).toEqual({ base: { x: 1 }, copy: { x: 1 } });
  });
});

describe('loadProject', () => {
  test('finds the root from a nested folder and classifies files', async () => {
    const root = await materialize();
    const raw = await loadProject({ cwd: path.join(root, 'agents/layers/persona'), env: {} });
    expect(raw.root).toBe(root);
    expect(raw.files.map((file) => `${file.kind}:${file.file}`).sort()).toEqual([
      'agent:agents/helper.yaml', 'layer:agents/layers/persona/plain.yaml', 'providers:providers.yaml', 'template:templates/flow.yaml', 'tools:tools.yaml',
    ]);
    expect(raw.diagnostics).toEqual([]);
  });

  test('locate() gives 1-based positions of values and keys, falling back to the nearest ancestor', async () => {
    const root = await materialize();
    const raw = await loadProject({ cwd: root, env: {} });
    const template = raw.files.find((file) => file.kind === 'template');
    expect(template?.locate(['steps', 1, 'needs', 0])).toEqual({ line: 12, col: 13 });
    expect(template?.locate(['steps', 1, 'agent'], { key: true })).toEqual({ line: 11, col: 5 });
    expect(template?.locate(['steps', 1, 'nothing', 'here'])).toEqual({ line: 10, col: 5 });
    expect(template?.locate([])).toEqual({ line: 2, col: 1 });
  });

  test('.env at the root feeds ${NAME}; unset names are collected, not thrown', async () => {
    const root = await materialize();
    await writeFile(path.join(root, '.env'), 'OLLAMA_HOST=http://10.0.0.2:11434\n');
    await mkdir(path.join(root, 'agents/extra'), { recursive: true });
    const raw = await loadProject({ cwd: root, env: {} });
    const providers = raw.files.find((file) => file.kind === 'providers')?.value as { providers: { ollama: { base_url: string } } };
    expect(providers.providers.ollama.base_url).toBe('http://10.0.0.2:11434');
    expect(raw.diagnostics.map((diagnostic) => diagnostic.code)).toEqual(['load/stray-file']);
  });

  test('a file over 1 MB is refused by size, before it is read', async () => {
    const root = await materialize();
    await writeFile(path.join(root, 'templates/big.yaml'), `version: 1\n# ${'x'.repeat(1024 * 1024)}\n`);
    const raw = await loadProject({ cwd: root, env: {} });
    expect(raw.diagnostics).toEqual([expect.objectContaining({ code: 'load/too-large', file: 'templates/big.yaml', line: 1, col: 1 })]);
    expect(raw.files.some((file) => file.file === 'templates/big.yaml')).toBe(false);
  });
});

describe('YAML errors that quoting fixes', () => {
  const fixOf = (text: string): string | undefined => parseYaml(text, 'f.yaml').diagnostics[0]?.fix;

  test('a `: ` in a value, a leading @, text after a quote: the line rewritten quoted', () => {
    expect(fixOf('prompt:\n  system: Note: be brief\n')).toBe('quote the string: `system: "Note: be brief"`');
    expect(fixOf('x:\n  - a: b: c\n')).toBe('quote the string: `- a: "b: c"`');
    expect(fixOf('user: @here and "there"\n')).toBe('quote the string: `user: "@here and \\"there\\""`');
    expect(fixOf('a: b: c # c: d\n')).toMatch(/^quote the string \(an unquoted value cannot hold/);
  });

  test('an unquoted {{template}} where a value starts, in block or flow style, but not inside a block scalar', () => {
    const found = (text: string): string[] => parseYaml(text, 'f.yaml').diagnostics.map((diagnostic) => `${diagnostic.line}:${diagnostic.col} ${diagnostic.code} ${diagnostic.fix ?? ''}`);
    expect(found('text: |\n  Topic: {{x}}\nuser: {{inputs.q}} and more\n')).toEqual(['3:7 yaml/unquoted-template quote the string: `user: "{{inputs.q}} and more"`']);
    expect(found('steps:\n  - with: { q: {{inputs.q}} }\n')).toEqual(['2:16 yaml/unquoted-template quote the string: `"{{inputs.q}}"`']);
    expect(found('x:\n  - {{a}}\n')).toEqual(['2:5 yaml/unquoted-template quote the string: `- "{{a}}"`']);
    expect(found('? [a]\n: b\n')).toEqual(['1:1 yaml/complex-key quote the key, or check the braces and brackets']);
  });
});

describe('lint paths', () => {
  test('a missing path is a usage error (exit 2)', async () => {
    const root = await materialize();
    await expect(requireExistingPaths(['agents/helper.yaml', 'nope.yaml'], root)).rejects.toMatchObject({ name: 'UsageError', exitCode: 2, message: 'no such file or folder: nope.yaml' });
    await expect(requireExistingPaths(['agents', 'templates/flow.yaml'], root)).resolves.toBeUndefined();
  });

  test('paths select files (and count them); outside the project or without a config file is a usage error', async () => {
    const root = await materialize();
    await writeFile(path.join(root, 'notes.md'), '# notes\n');
    await writeFile(path.join(root, 'agents/old.yml'), 'version: 1\n');
    await mkdir(path.join(root, 'docs'));
    const raw = await loadProject({ cwd: root, env: {} });
    expect(selectPaths(raw, [], root).fileCount).toBe(5);
    expect(selectPaths(raw, ['.'], root).fileCount).toBe(5);
    const agents = selectPaths(raw, ['agents'], root);
    expect([agents.fileCount, agents.includes('agents/layers/persona/plain.yaml'), agents.includes('templates/flow.yaml')]).toEqual([2, true, false]);
    const two = selectPaths(raw, ['templates/flow.yaml', 'providers.yaml'], root);
    expect([two.fileCount, two.includes('providers.yaml'), two.includes('tools.yaml')]).toEqual([2, true, false]);
    // A stray file is not a config file, but what lint says about it is reported.
    expect(selectPaths(raw, ['agents/old.yml'], root)).toMatchObject({ fileCount: 0 });
    expect(() => selectPaths(raw, ['notes.md'], root)).toThrow('notes.md is not a config file (lint reads');
    expect(() => selectPaths(raw, ['docs'], root)).toThrow('docs holds no config file');
    expect(() => selectPaths(raw, ['..'], root)).toThrow(`.. is outside the project at ${root}`);
  });
});
