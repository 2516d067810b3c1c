import { readFile } from 'node:fs/promises';
import { load } from 'js-yaml';
import { glob } from 'tinyglobby';
import { parseDocument } from 'yaml';
import { expect, test } from 'vitest';
import { fixtures, repoRoot } from '../lint/corpus.js';
import { jsYamlSchema, yamlParseOptions } from '../../src/load/parse.js';

// The happy path parses with js-yaml and positions come from `yaml`: they must read every file the same.
function withJsYaml(text: string): { value?: unknown; failed: boolean } {
  try {
    return { value: load(text, { schema: jsYamlSchema }), failed: false };
  } catch {
    return { failed: true };
  }
}

function withYaml(text: string): { value?: unknown; failed: boolean } {
  const document = parseDocument(text, yamlParseOptions);
  if (document.errors.length > 0) return { failed: true };
  try {
    return { value: document.toJS({ maxAliasCount: 100 }) ?? undefined, failed: false };
  } catch {
    return { failed: true };
  }
}

const examples = await glob(['providers.yaml', 'tools.yaml', 'agents/**/*.yaml', 'templates/*.yaml'], { cwd: repoRoot, absolute: true });
const corpus = await glob(['base/**/*.yaml', 'broken/**/*.yaml'], { cwd: fixtures, absolute: true });

test('there are example files and corpus files to compare', () => {
  expect(examples.length).toBeGreaterThan(10);
  expect(corpus.length).toBeGreaterThan(40);
});

test.each([...examples, ...corpus].map((file) => [file.slice(repoRoot.length), file]))('%s: js-yaml and yaml agree', async (_name, file) => {
  const text = await readFile(file, 'utf8');
  // A file with NUL bytes is refused as binary before any parser sees it.
  if (text.includes('\0')) {
    expect(file).toContain('/binary-file/');
    return;
  }
  const fast = withJsYaml(text);
  const slow = withYaml(text);
  // An alias bomb is the one intended difference: js-yaml shares aliased nodes, yaml refuses to expand them.
  if (file.includes('alias-bomb')) {
    expect([fast.failed, slow.failed]).toEqual([false, true]);
    return;
  }
  // `user: {{x}}` is a mapping used as a key: yaml stringifies it, js-yaml refuses it (and the loader
  // reports an unquoted template either way).
  if (file.includes('unquoted-template')) {
    expect([fast.failed, slow.failed]).toEqual([true, false]);
    return;
  }
  // js-yaml rejects an empty document; yaml reads it as null. Both end as "empty file" in the loader.
  if (/^\s*(#[^\n]*\s*)*$/.test(text)) {
    expect(slow.value ?? null).toBeNull();
    return;
  }
  expect(slow.failed).toBe(fast.failed);
  expect(slow.value).toEqual(fast.value);
});
