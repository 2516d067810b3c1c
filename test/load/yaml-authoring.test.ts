// YAML as config authors write it: merge keys (`<<`, single and list) read the same by both parsers,
// `x-*` top-level keys to park anchors on in every kind of file, and one positioned error (never a
// Node warning on stderr) for complex keys, undefined aliases and unsupported tags.

import { spawnSync } from 'node:child_process';
import { appendFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { load } from 'js-yaml';
import { parseDocument } from 'yaml';
import { describe, expect, test } from 'vitest';
import { jsYamlSchema, parseYaml, yamlParseOptions } from '../../src/load/parse.js';
import { materialize, repoRoot } from '../lint/corpus.js';

const bin = path.join(repoRoot, 'bin/agentpipe.js');
const lint = (cwd: string) => spawnSync(process.execPath, [bin, 'lint'], { cwd, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });

const single = 'x-d: &d { a: 1, b: 1 }\nm:\n  <<: *d\n  b: 2\n';
const list = 'x-d: &d { a: 1 }\nx-e: &e { a: 9, c: 3 }\nm:\n  <<: [*d, *e]\n  b: 2\n';

describe('merge keys', () => {
  test.each([
    ['single', single, { a: 1, b: 2 }],
    ['list (earlier wins)', list, { a: 1, c: 3, b: 2 }],
  ])('%s: js-yaml, yaml and the loader agree', (_name, text, merged) => {
    const fast = load(text, { schema: jsYamlSchema }) as { m: unknown };
    const slow = parseDocument(text, yamlParseOptions).toJS() as { m: unknown };
    expect(fast.m).toEqual(merged);
    expect(slow.m).toEqual(merged);
    expect((parseYaml(text, 'f.yaml').value as { m: unknown }).m).toEqual(merged);
  });
});

describe('x-* keys and merges through lint', () => {
  test('every kind of file takes x-* top-level keys; an agent merges its limits from two anchors', async () => {
    const root = await materialize();
    for (const file of ['providers.yaml', 'tools.yaml', 'agents/layers/persona/plain.yaml', ...(await readdir(path.join(root, 'templates'))).map((name) => `templates/${name}`)])
      await appendFile(path.join(root, file), 'x-note: &note shared text\n');
    await writeFile(
      path.join(root, 'agents/helper.yaml'),
      `# yaml-language-server: $schema=../schemas/agent.schema.json
version: 1
x-limits: &limits { max_iterations: 5 }
x-cost: &cost { max_cost: 0.10 }
name: helper
model: default
inputs:
  question: { type: string, description: The question }
prompt:
  layers: [persona/plain]
  user: "{{inputs.question}}"
tools: [read]
permissions: { read: { allow: ["docs/**"] } }
limits:
  <<: [*limits, *cost]
`,
    );
    const result = lint(root);
    // Other warnings (prices) may appear; none about the x- keys, the merge or an unknown key.
    expect(result.stdout).not.toMatch(/: error: |x-note|x-limits|x-cost|<<|unknown key/);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });
});

describe('one positioned error, the same with or without an anchor in the file', () => {
  test.each([
    ['explicit complex key', 'version: 1\n? [a, b]\n: c\n', 'yaml/complex-key', 2, 1],
    ['flow mapping as key', 'version: 1\n{a: 1}: b\n', 'yaml/complex-key', 2, 1],
    ['undefined alias', 'version: 1\nname: *nope\n', 'yaml/undefined-alias', 2, 7],
    ['unsupported local tag', 'version: 1\nname: !custom foo\n', 'yaml/unsupported-tag', 2, 7],
    ['unsupported core tag', 'version: 1\nname: !!binary aGVsbG8=\n', 'yaml/unsupported-tag', 2, 7],
  ])('%s', (_name, text, code, line, col) => {
    const withAnchor = text.replace('version: 1\n', 'version: 1\nx-a: &a 1\n');
    const plain = parseYaml(text, 'f.yaml').diagnostics;
    const anchored = parseYaml(withAnchor, 'f.yaml').diagnostics;
    expect(plain).toEqual([expect.objectContaining({ code, line, col })]);
    expect(anchored).toEqual([expect.objectContaining({ code, line: line + 1, col })]);
    expect(plain[0]?.message).toBe(anchored[0]?.message);
    expect(plain[0]?.message).not.toMatch(/alias bomb/);
  });

  test('the CLI prints the error and nothing on stderr, not even a Node warning', async () => {
    const root = await materialize();
    await appendFile(path.join(root, 'tools.yaml'), 'x-a: &a 1\n? [a, b]\n: c\n');
    const result = lint(root);
    expect(result.stdout).toMatch(/tools\.yaml:\d+:1: error: a mapping or list is used as a key/);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(2);
  });
});
