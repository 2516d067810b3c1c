// Compile reads templates with the scanner lint uses: it rejects what lint rejects inside
// {{#each}}/{{#with}} blocks, and decides cacheability from the same reads.

import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import { ConfigError, type Diagnostic } from '../../src/errors.js';
import { lintLines, materialize } from '../lint/corpus.js';
import { basicFixture, loadFixtureProject } from './project.js';

async function compileErrors(root: string, name: string, kind: 'agent' | 'template' = 'agent'): Promise<Diagnostic[]> {
  try {
    compile(await loadFixtureProject(root), { kind, name });
  } catch (error) {
    if (error instanceof ConfigError) return error.diagnostics;
    throw error;
  }
  return [];
}

describe('compile and lint agree on blocks', () => {
  // Broken-corpus cases whose only errors are template reads inside or around blocks.
  const cases: Array<[string, Array<[number, string]>]> = [
    ['each-unknown-root', [[11, 'agent "helper" reads "sources", but nothing provides "sources" (available: agent, inputs, today, run)']]],
    ['each-parent-unknown', [[10, 'agent "helper" reads "question", but nothing provides "question" (available: agent, inputs, today, run)']]],
    ['with-unknown-input', [[10, 'agent "helper" reads "inputs.questoin", which is not declared (declared: question, sources)']]],
    ['loop-data-outside-each', [[10, 'agent "helper": `{{@index}}` is only set inside {{#each}}'], [11, 'agent "helper": `{{../../today}}` climbs above the top-level context']]],
  ];

  // The user text is a block scalar whose first line is line 10 of the file.
  it.each(cases)('%s: one compile error for each lint error, on the line of the read', async (name, expected) => {
    const root = await materialize(name);
    const diagnostics = await compileErrors(root, 'helper');
    expect(diagnostics.map((diagnostic) => [diagnostic.line, diagnostic.message])).toEqual(expected);
    expect(diagnostics.every((diagnostic) => diagnostic.code === 'template/unknown-variable' && diagnostic.file === 'agents/helper.yaml')).toBe(true);
    const lintErrors = (await lintLines(root)).filter((line) => line.includes(': error: '));
    expect(lintErrors).toHaveLength(expected.length);
  });
});

describe('compile and lint agree on built-in fields', () => {
  it('agent has name and description only, today has no fields, and a step cannot read agent', async () => {
    const root = await materialize('builtin-unknown-field');
    // Compiling the template compiles its step's agent too.
    const messages = (await compileErrors(root, 'flow', 'template')).map((diagnostic) => diagnostic.message);
    expect(messages).toEqual([
      'step "first" reads "agent.name", but nothing provides "agent" (available: inputs, steps, run, today)',
      'agent "helper" reads "agent.modle", which is not declared (declared: name, description)',
      'agent "helper" reads "today.year", which is not declared (declared: none)',
    ]);
    expect((await lintLines(root)).filter((line) => line.includes(': error: '))).toHaveLength(messages.length);
  });
});

describe('cacheability uses the block-aware scan', () => {
  const layers: Record<string, string> = {
    'blocks/about': '{{#with agent}}You are {{name}}: {{description}}.{{/with}}',
    'blocks/dated': '{{#with agent}}{{name}}, today is {{../today}}.{{/with}}',
    'blocks/sources': '{{#each inputs.sources}}- {{this}}\n{{/each}}',
  };

  it('a layer is cacheable only when no read, however nested, is per-run', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'agentpipe-blocks-'));
    await cp(basicFixture, root, { recursive: true });
    await mkdir(path.join(root, 'agents/layers/blocks'), { recursive: true });
    for (const [name, text] of Object.entries(layers)) await writeFile(path.join(root, `agents/layers/${name}.yaml`), `version: 1\ntext: ${JSON.stringify(text)}\n`);
    await writeFile(
      path.join(root, 'agents/looper.yaml'),
      `version: 1\nname: looper\ndescription: Loops\nmodel: default\ninputs:\n  sources: { type: array }\nprompt:\n  layers: [${Object.keys(layers).join(', ')}]\n  user: go\n`,
    );
    const prompt = compile(await loadFixtureProject(root), { kind: 'agent', name: 'looper' }).steps[0]!.agent.prompt;
    expect(prompt.system.map((part) => [part.name, part.cacheable])).toEqual([
      ['blocks/about', true],
      ['blocks/dated', false],
      ['blocks/sources', false],
    ]);
  });
});
