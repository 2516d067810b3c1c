// docs/config.md is generated from the schemas' descriptions (scripts/gen-config-doc.mjs) and must be
// current: regenerating it gives the committed text, and it documents every key of every schema.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot } from '../lint/corpus.js';
// @ts-expect-error: a plain .mjs build script without types.
import { generateConfigDoc } from '../../scripts/gen-config-doc.mjs';

test('docs/config.md equals what the schemas generate', async () => {
  const committed = await readFile(path.join(repoRoot, 'docs/config.md'), 'utf8');
  expect(committed).toBe(await (generateConfigDoc as (dir: string) => Promise<string>)(path.join(repoRoot, 'schemas')));
});

test('docs/config.md documents every top-level key of every file kind, with its description', async () => {
  const doc = await readFile(path.join(repoRoot, 'docs/config.md'), 'utf8');
  for (const kind of ['providers', 'tools', 'agent', 'layer', 'template']) {
    const schema = JSON.parse(await readFile(path.join(repoRoot, 'schemas', `${kind}.schema.json`), 'utf8')) as { properties: Record<string, { description?: string }> };
    for (const [key, property] of Object.entries(schema.properties)) {
      expect(doc, `${kind}: ${key}`).toMatch(new RegExp(`\\| \`${key}\`( \\(required\\))? \\|`));
      if (property.description) expect(doc).toContain(property.description.split('\n')[0]!.replaceAll('|', '\\|').slice(0, 40));
    }
  }
});
