// A prompt that loops over an array input lints clean, compiles, and renders what lint accepted.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import { renderPrompt } from '../../src/compile/prompt.js';
import { loadProject } from '../../src/load/index.js';
import { validateProject } from '../../src/validate/index.js';
import { lintLines, materialize } from '../lint/corpus.js';

const lister = `# yaml-language-server: $schema=../schemas/agent.schema.json
version: 1
name: lister
model: default
inputs:
  question: { type: string }
  sources: { type: array, description: Source titles }
prompt:
  user: |
    {{inputs.question}}
    {{#each inputs.sources}}[{{@index}}] {{this}}{{#if @first}} (first){{/if}} for {{../inputs.question}}
    {{/each}}
`;

describe('{{#each}} over an array input', () => {
  test('lints clean: this, @index, @first and ../ are known inside the block', async () => {
    const root = await materialize();
    await writeFile(path.join(root, 'agents', 'lister.yaml'), lister);
    expect(await lintLines(root)).toEqual([]);
  });

  test('compiles and renders the same prompt lint accepted', async () => {
    const root = await materialize();
    await writeFile(path.join(root, 'agents', 'lister.yaml'), lister);
    const result = await validateProject(await loadProject({ cwd: root, env: {} }));
    expect(result.config).toBeDefined();
    const agent = compile(result.config!, { kind: 'agent', name: 'lister' }).steps[0]!.agent;
    const prompt = renderPrompt(agent, { inputs: { question: 'Why?', sources: ['a', 'b'] } });
    expect(prompt.user).toBe('Why?\n[0] a (first) for Why?\n[1] b for Why?\n');
  });

  test('an unknown input inside the block is still caught', async () => {
    const root = await materialize();
    await writeFile(path.join(root, 'agents', 'lister.yaml'), lister.replace('../inputs.question', '../inputs.questoin'));
    expect(await lintLines(root)).toEqual([
      'agents/lister.yaml:11:84: error: `{{../inputs.questoin}}` (root path `inputs.questoin`): `questoin` is not an input of agent `lister`, did you mean `question`? (fix: declare `questoin` under inputs:, or fix the name)',
    ]);
  });
});
