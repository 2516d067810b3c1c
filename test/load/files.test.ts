// What the loader does with files that are not plain UTF-8 YAML: a BOM, other encodings, binary
// data, symlinks out of the project, special files; and that a file it refuses still counts as existing.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatDiagnostic } from '../../src/errors.js';
import { decodeConfigFile } from '../../src/load/encoding.js';
import { loadProject } from '../../src/load/index.js';
import { lintLines, materialize } from '../lint/corpus.js';

const layerText = '# yaml-language-server: $schema=../../../schemas/layer.schema.json\nversion: 1\ndescription: A plain persona\ntext: You are {{agent.name}}.\n';

describe('decoding', () => {
  test('a UTF-8 byte order mark is dropped, so the $schema line is still the first line', async () => {
    const root = await materialize();
    await writeFile(path.join(root, 'agents/layers/persona/plain.yaml'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(layerText)]));
    expect(await lintLines(root)).toEqual([]);
    const raw = await loadProject({ cwd: root, env: {} });
    expect(raw.files.find((file) => file.kind === 'layer')?.text.startsWith('# yaml-language-server')).toBe(true);
  });

  test('invalid UTF-8 is found at its line and column (in characters), after multi-byte text', () => {
    const buffer = Buffer.concat([Buffer.from('a: 1\nb: "é → '), Buffer.from([0xe9]), Buffer.from('"\n')]);
    const decoded = decodeConfigFile(buffer, 'x.yaml');
    expect('text' in decoded && decoded.diagnostics.map(formatDiagnostic)).toEqual([expect.stringMatching(/^x\.yaml:2:9: error: invalid UTF-8 \(byte 0xE9\)/)]);
  });

  test('truncated, overlong and surrogate sequences are invalid; a real U+FFFD in UTF-8 is not', () => {
    const problems = (bytes: number[]): string[] => {
      const decoded = decodeConfigFile(Buffer.from([0x78, 0x3a, 0x20, ...bytes, 0x0a]), 'x.yaml');
      return 'text' in decoded ? decoded.diagnostics.map((diagnostic) => `${diagnostic.line}:${diagnostic.col}`) : ['binary'];
    };
    expect(problems([0xe2, 0x82])).toEqual(['1:4']);
    expect(problems([0xc0, 0xaf])).toEqual(['1:4']);
    expect(problems([0xed, 0xa0, 0x80])).toEqual(['1:4']);
    expect(problems([0xef, 0xbf, 0xbd])).toEqual([]);
  });

  test('UTF-16 is named as such, not parsed', () => {
    const decoded = decodeConfigFile(Buffer.from('\ufeffversion: 1\n', 'utf16le'), 'x.yaml');
    expect('binary' in decoded && decoded.binary.message).toBe('not a UTF-8 text file: it is UTF-16');
  });
});

describe('files the loader refuses still exist for references', () => {
  test('an oversized layer: one error, no "there is no agents/layers/..." after it', async () => {
    const root = await materialize();
    await mkdir(path.join(root, 'agents/layers/persona'), { recursive: true });
    await writeFile(path.join(root, 'agents/layers/persona/big.yaml'), `version: 1\ntext: "${'x'.repeat(1024 * 1024)}"\n`);
    const agent = path.join(root, 'agents/helper.yaml');
    await writeFile(agent, (await readFile(agent, 'utf8')).replace('layers: [persona/plain]', 'layers: [persona/plain, persona/big]'));
    const lines = await lintLines(root);
    expect(lines).toEqual([expect.stringMatching(/^agents\/layers\/persona\/big\.yaml:1:1: error: file is 1\.0 MB/)]);
    const raw = await loadProject({ cwd: root, env: {} });
    expect(raw.unloaded).toEqual([{ kind: 'layer', file: 'agents/layers/persona/big.yaml' }]);
  });
});

describe('symlinks are followed only inside the project', () => {
  const outsideFile = async (): Promise<string> => {
    const folder = await mkdtemp(path.join(tmpdir(), 'agentpipe-outside-'));
    await writeFile(path.join(folder, 'plain.yaml'), layerText);
    return folder;
  };

  test('a layer linked from outside is refused with a fix, and its agent gets no cascade error', async () => {
    const root = await materialize();
    const outside = await outsideFile();
    const link = path.join(root, 'agents/layers/persona/plain.yaml');
    await rm(link);
    await symlink(path.join(outside, 'plain.yaml'), link);
    const lines = await lintLines(root);
    expect(lines).toEqual([`agents/layers/persona/plain.yaml:1:1: error: agents/layers/persona/plain.yaml is a symlink to ${path.join(outside, 'plain.yaml')}, outside the project; it is not read (fix: copy the file into the project (config is reviewed in this repo), or remove the link)`]);
  });

  test('a linked folder (agents/layers/shared -> outside) and a linked agents/ are refused', async () => {
    const root = await materialize();
    const outside = await outsideFile();
    await symlink(outside, path.join(root, 'agents/layers/shared'));
    expect((await lintLines(root)).map((line) => line.split(' is a ')[0])).toEqual(['agents/layers/shared:1:1: error: agents/layers/shared']);
    const other = await materialize();
    await rm(path.join(other, 'agents'), { recursive: true });
    await symlink(path.join(root, 'agents'), path.join(other, 'agents'));
    const raw = await loadProject({ cwd: other, env: {} });
    expect(raw.diagnostics.map((diagnostic) => `${diagnostic.code} ${diagnostic.file}`)).toEqual(['load/symlink agents']);
    expect(raw.files.some((file) => file.kind === 'agent')).toBe(false);
  });

  test('links inside the project are followed; a loop and a broken link are reported', async () => {
    const root = await materialize();
    await mkdir(path.join(root, 'shared'));
    await writeFile(path.join(root, 'shared/extra.yaml'), layerText);
    await symlink(path.join(root, 'shared/extra.yaml'), path.join(root, 'agents/layers/persona/extra.yaml'));
    await symlink('..', path.join(root, 'agents/layers/persona/loop'));
    await symlink(path.join(root, 'nowhere.yaml'), path.join(root, 'agents/layers/gone.yaml'));
    const raw = await loadProject({ cwd: root, env: {} });
    expect(raw.files.map((file) => file.file)).toContain('agents/layers/persona/extra.yaml');
    expect(raw.diagnostics.map((diagnostic) => `${diagnostic.severity} ${diagnostic.file}: ${diagnostic.message}`)).toEqual([
      'error agents/layers/gone.yaml: agents/layers/gone.yaml is a broken symlink',
      'warning agents/layers/persona/loop: agents/layers/persona/loop links back to a folder it is in; it is not followed',
    ]);
    expect(raw.unloaded).toEqual([{ kind: 'layer', file: 'agents/layers/gone.yaml' }]);
  });

  test('providers.yaml linked from outside is refused', async () => {
    const root = await materialize();
    const outside = await mkdtemp(path.join(tmpdir(), 'agentpipe-outside-'));
    await writeFile(path.join(outside, 'providers.yaml'), 'version: 1\n');
    await rm(path.join(root, 'providers.yaml'));
    await symlink(path.join(outside, 'providers.yaml'), path.join(root, 'providers.yaml'));
    const raw = await loadProject({ cwd: root, env: {} });
    expect(raw.diagnostics.map((diagnostic) => diagnostic.code)).toEqual(['load/symlink']);
    expect(raw.files.some((file) => file.kind === 'providers')).toBe(false);
  });

  test('a FIFO named like a config file is not opened (reading it would block)', async () => {
    const root = await materialize();
    const made = spawnSync('mkfifo', [path.join(root, 'agents/pipe.yaml')]);
    expect(made.status).toBe(0);
    const raw = await loadProject({ cwd: root, env: {} });
    expect(raw.diagnostics.map((diagnostic) => `${diagnostic.code} ${diagnostic.file}`)).toEqual(['load/not-text agents/pipe.yaml']);
  });
});
