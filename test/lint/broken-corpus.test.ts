import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { caseNames, fixtures, lintLines, materialize } from './corpus.js';

// UPDATE_GOLDEN=1 rewrites expected.txt; review the diff before committing it.
const update = process.env['UPDATE_GOLDEN'] === '1';
const names = await caseNames();

describe('broken corpus: every case reports exactly its expected diagnostics', () => {
  test('the corpus has at least 40 cases', () => {
    expect(names.length).toBeGreaterThanOrEqual(40);
  });

  test.each(names)('%s', async (name) => {
    const lines = await lintLines(await materialize(name));
    const expectedFile = path.join(fixtures, 'broken', name, 'expected.txt');
    if (update) await writeFile(expectedFile, `${lines.join('\n')}\n`);
    const expected = (await readFile(expectedFile, 'utf8')).trimEnd().split('\n');
    expect(lines).toEqual(expected);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^[\w./-]+:\d+:\d+: (error|warning): /);
  });
});
