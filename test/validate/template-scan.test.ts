// The shared prompt scanner (src/prompt-language/scan.ts): its regex fast path agrees with the
// Handlebars-parser path on every text it accepts, and block scopes resolve as Handlebars does.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { scanParsed } from '../../src/prompt-language/parsed-scan.js';
import { scanPlain } from '../../src/prompt-language/plain-scan.js';
import { loadHandlebars, scanTemplate, type TemplateScan } from '../../src/prompt-language/scan.js';
import { repoRoot } from '../lint/corpus.js';

const handlebars = loadHandlebars();

/** Every string value holding a mustache in the example repo and the test fixtures. */
async function promptTexts(): Promise<string[]> {
  const texts = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === 'string' && value.includes('{{')) texts.add(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
  };
  for (const folder of ['agents', 'templates', 'test/fixtures']) {
    const names = await readdir(path.join(repoRoot, folder), { recursive: true });
    for (const name of names.filter((file) => file.endsWith('.yaml'))) {
      try {
        for (const document of parseAllDocuments(await readFile(path.join(repoRoot, folder, name), 'utf8'))) collect(document.toJS());
      } catch {
        // Broken on purpose (YAML syntax, alias bombs): not a source of prompts.
      }
    }
  }
  return [...texts];
}

// Texts near the edge of the fast path's grammar: each must either stay on it with the parser's
// exact answer, or go to the parser.
const edgeTexts = [
  '{{ inputs.x }}', 'a\n  {{  inputs.x  y "s" 2}}', '{{x\n y}}', '{{x\ty}}', 'é{{inputs.a}}', '{{{inputs.raw}}}', '{{{x y}}}',
  '{{json inputs.x 2}}', '{{join inputs.list ", "}}', "{{join inputs.list ' | '}}", '{{eq inputs.a -1.5}}', '{{json x true}}', '{{json x null}}',
  '{{today}}', '{{upper}}', '{{> persona/analyst}}', '{{>  a-b/c_d }}', '{{inputs.my-input}}', '{{steps.a.output.b_c}}',
  '{{items.0}}', '{{items.[0]}}', '{{true}}', '{{inputs.true}}', '{{true.x}}', '{{this}}', '{{this.x}}', '{{./x}}', '{{else}}', '{{as}}',
  '{{{x}}', '{{x}}}', '{"a": {{x}}}', '\\{{x}}', 'a\r\n{{x}}', 'a\r{{x}}', '{{x/y}}', '{{x.y.}}', '{{a..b}}', '{{x 2b}}', '{{x -1a}}', '{{x 1.5.2}}',
  '{{x "a\\"b"}}', '{{x y=1}}', '{{x:y}}', '{{}}', '{{ }}', 'x}}y', '{{a}}{{', '{{~inputs.x~}}', '{{! a comment }}', '{{@index}}', '{{> "quoted"}}',
  '{{{> x}}}', '{{x (upper y)}}', '{{#if inputs.a}}{{inputs.b}}{{/if}}',
];

describe('the fast path agrees with the parser', () => {
  test('on every prompt in the examples and fixtures, and on edge cases', async () => {
    const texts = [...(await promptTexts()), ...edgeTexts];
    let plain = 0;
    for (const text of texts) {
      const fast = scanPlain(text);
      if (fast === undefined) continue;
      plain += 1;
      expect(fast, JSON.stringify(text)).toEqual(scanParsed(text, handlebars));
    }
    // Most real prompts are plain: that is what keeps lint from loading Handlebars.
    expect(texts.length).toBeGreaterThan(100);
    expect(plain).toBeGreaterThan(texts.length / 2);
  });

  test('texts that Handlebars reads differently go to the parser', () => {
    for (const text of ['{{x}}}', '{{{x}}', '\\{{x}}', '{{items.0}}', '{{inputs.true}}', '{{this}}', '{{else}}', 'a\r{{x}}', '{{x 2b}}', '{{@index}}', '{{#each inputs.a}}{{/each}}']) {
      expect(scanPlain(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  test('plain prompts stay on the fast path, with positions', () => {
    expect(scanPlain('Hi {{agent.name}},\n  {{join inputs.list ", "}} {{> policy/safety}}')).toEqual({
      paths: [
        { parts: ['agent', 'name'], written: 'agent.name', line: 1, col: 6 },
        { parts: ['inputs', 'list'], written: 'inputs.list', line: 2, col: 10 },
      ],
      helpers: [{ name: 'join', line: 2, col: 5 }],
      partials: ['policy/safety'],
      partialPositions: [{ line: 2, col: 29 }],
      problems: [],
    });
  });

  test('a syntax error keeps the line and what Handlebars expected', () => {
    expect(scanTemplate('{{#if inputs.a}}x').syntaxError).toBe("Parse error on line 1: Expecting 'OPEN_INVERSE_CHAIN', 'INVERSE', 'OPEN_ENDBLOCK', got 'EOF'");
  });
});

const rootPaths = (scan: TemplateScan): string[] => scan.paths.map((use) => use.parts.join('.'));
const problems = (scan: TemplateScan): string[] => scan.problems.map((problem) => problem.message);

describe('block scopes', () => {
  // [text, root paths read, problems]
  const cases: Array<[string, string[], string[]]> = [
    ['{{#each inputs.items}}{{this}} {{@index}} {{@key}} {{@first}} {{@last}} {{name}} {{this.name}}{{/each}}', ['inputs.items'], []],
    ['{{#each inputs.items}}{{../inputs.question}} {{@root.today}}{{/each}}', ['inputs.items', 'inputs.question', 'today'], []],
    ['{{#each inputs.items}}{{#if this}}{{../inputs.q}}{{/if}}{{/each}}', ['inputs.items', 'inputs.q'], []],
    ['{{#each inputs.items as |item position|}}{{item.name}} {{position}}{{/each}}', ['inputs.items'], []],
    ['{{#with inputs}}{{question}} {{../today}}{{/with}}', ['inputs', 'inputs.question', 'today'], []],
    ['{{#with inputs as |given|}}{{given.question}}{{/with}}', ['inputs', 'inputs.question'], []],
    ['{{#each inputs.a}}{{#each ../inputs.b}}{{../../inputs.c}} {{@../index}}{{/each}}{{/each}}', ['inputs.a', 'inputs.b', 'inputs.c'], []],
    ['{{#each inptus.items}}{{this}}{{/each}}', ['inptus.items'], []],
    ['{{#each inputs.items}}{{../unknown}}{{/each}}', ['inputs.items', 'unknown'], []],
    ['{{#if inputs.a}}{{../inputs.q}}{{/if}}', ['inputs.a'], ['`{{../inputs.q}}` climbs above the top-level context']],
    ['{{#with this}}{{../x}}{{/with}}', [], ['`{{../x}}` climbs above the top-level context']],
    ['{{@index}} {{#each inputs.a}}{{@../index}}{{else}}{{@key}}{{/each}}', ['inputs.a'], ['`{{@index}}` is only set inside {{#each}}', '`{{@../index}}` is only set inside {{#each}}', '`{{@key}}` is only set inside {{#each}}']],
    ['{{@foo}}', [], ['`{{@foo}}` is not a Handlebars data variable']],
  ];

  test.each(cases)('%s', (text, paths, messages) => {
    const scan = scanTemplate(text);
    expect(rootPaths(scan)).toEqual(paths);
    expect(problems(scan)).toEqual(messages);
  });

  // Handlebars itself, strict: a text the scanner finds no problem in renders when every root path
  // it reports exists, and a text with a problem fails to render.
  const context = { inputs: { items: [{ name: 'n' }], question: 'Q', q: 'q', a: [1], b: [2], c: 'c' }, today: 'T', unknown: 'u' };
  test.each(cases)('Handlebars agrees: %s', (text, _paths, messages) => {
    const render = () => handlebars.create().compile(text, { strict: true })(context);
    if (messages.length === 0 && !text.includes('inptus')) expect(render).not.toThrow();
    else expect(render).toThrow();
  });

  test('a computed partial name is a problem, not a partial', () => {
    const scan = scanTemplate('{{> (lookup inputs "name")}}');
    expect(scan.partials).toEqual([]);
    expect(problems(scan)).toEqual(['a partial name is computed, so which layer it includes is unknown']);
  });
});
