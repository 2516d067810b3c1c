// The commands in README.md and docs/*.md name files that exist in a fresh clone (or `agentpipe init`
// scaffold), so a reader who copies one gets the documented behaviour, not "not an agent or template".
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

test('every agents/… or templates/… file an `agentpipe <verb>` example names exists', () => {
  const missing: string[] = [];
  for (const document of documents) {
    readFileSync(join(root, document), 'utf8').split('\n').forEach((line, index) => {
      for (const match of line.matchAll(/agentpipe (?:run|batch|estimate|explain|render|index|lint) (?:[^`|]*?\s)?((?:agents|templates)\/[\w./-]+\.yaml)/g)) {
        if (!existsSync(join(root, match[1]!))) missing.push(`${document}:${index + 1}: ${match[1]}`);
      }
    });
  }
  expect(missing).toEqual([]);
});
