// Positions inside multi-line template values: lint and compile both point at the `{{` of the
// mustache in the file, whatever the YAML scalar style (literal, folded, quoted over lines, plain).

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CompileDiagnostics, sourceRef } from '../../src/compile/diagnostics.js';
import { loadProject, type SourceFile } from '../../src/load/index.js';
import { mustacheAt } from '../../src/prompt-language/positions.js';
import { scanTemplate } from '../../src/prompt-language/scan.js';
import { positionInFile } from '../../src/validate/check-variables.js';
import { materialize } from './corpus.js';

const agent = `version: 1
name: helper
model: default
inputs:
  question: { type: string }
prompt:
  system: >-
    Folded: {{inputs.question}}
      kept: {{agent.name}}
  user: 'Single {{inputs.question}}
    quoted: {{agent.name}} and ''{{inputs.question}}'''
`;

const layer = `version: 1
text: |2
    Indent indicator: {{agent.name}}

  {{#each inputs.list}}{{this}} {{../agent.name}}{{/each}} {{agent.name}}
`;

async function sources(): Promise<SourceFile[]> {
  const root = await materialize();
  await writeFile(path.join(root, 'agents/helper.yaml'), agent);
  await writeFile(path.join(root, 'agents/layers/persona/plain.yaml'), layer);
  const raw = await loadProject({ cwd: root, env: {} });
  return raw.files.filter((file) => file.kind === 'agent' || file.kind === 'layer');
}

/** Every path read in the value, where lint puts it and where compile puts it. */
function positions(source: SourceFile, valuePath: string[]): Array<{ written: string; lint: string; compile: string }> {
  let text: unknown = source.value;
  for (const segment of valuePath) text = (text as Record<string, unknown>)[segment];
  const diagnostics = new CompileDiagnostics();
  const reference = sourceRef(source, valuePath);
  const scan = scanTemplate(text as string);
  return scan.paths.map((use) => {
    diagnostics.errorInTemplate(reference, use, 'x', use.written);
    const compiled = diagnostics.list[diagnostics.list.length - 1]!;
    const linted = positionInFile(source, valuePath, text as string, use);
    return { written: use.written, lint: `${linted?.line}:${linted?.col}`, compile: `${compiled.line}:${compiled.col}` };
  });
}

describe('positions inside multi-line template values', () => {
  test('folded and single-quoted values over several lines', async () => {
    const [helper] = await sources();
    expect(positions(helper!, ['prompt', 'system'])).toEqual([
      { written: 'inputs.question', lint: '8:13', compile: '8:13' },
      { written: 'agent.name', lint: '9:13', compile: '9:13' },
    ]);
    expect(positions(helper!, ['prompt', 'user'])).toEqual([
      { written: 'inputs.question', lint: '10:17', compile: '10:17' },
      { written: 'agent.name', lint: '11:13', compile: '11:13' },
      { written: 'inputs.question', lint: '11:34', compile: '11:34' },
    ]);
  });

  test('a literal block with an indentation indicator, blank lines and repeated mustaches', async () => {
    const [, plain] = await sources();
    expect(positions(plain!, ['text'])).toEqual([
      { written: 'agent.name', lint: '3:23', compile: '3:23' },
      { written: 'inputs.list', lint: '5:3', compile: '5:3' },
      { written: '../agent.name', lint: '5:33', compile: '5:33' },
      { written: 'agent.name', lint: '5:60', compile: '5:60' },
    ]);
  });

  test('mustacheAt names the mustache around a position and counts identical ones before it', () => {
    expect(mustacheAt('{{a}} {{a}}\n  {{{a}}}', { line: 1, col: 9 })).toEqual({ text: '{{a}}', occurrence: 1 });
    expect(mustacheAt('{{a}} {{a}}\n  {{{a}}}', { line: 2, col: 6 })).toEqual({ text: '{{{a}}}', occurrence: 0 });
    expect(mustacheAt('no mustache', { line: 1, col: 3 })).toBeUndefined();
    expect(mustacheAt('{{a}}', { line: 3, col: 1 })).toBeUndefined();
  });
});
