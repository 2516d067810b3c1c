// Chunking follows the file's structure and keeps line provenance.

import { describe, expect, it } from 'vitest';
import { chunkText, fileKind } from '../../src/knowledge/chunk.js';

const lines = (count: number, prefix: string) => Array.from({ length: count }, (_, index) => `${prefix} line ${index} with some words to fill it up.`).join('\n');

describe('chunkText', () => {
  it('cuts markdown at headings, keeps the heading trail and 1-based inclusive lines', () => {
    const text = '# Billing\n\nIntro text.\n\n## Refunds\n\nRefunds within 14 days.\n\n## Invoices\n\nInvoices are emailed.\n';
    const chunks = chunkText('docs/billing.md', text, { size: 400, overlap: 0 });
    expect(chunks.map((chunk) => [chunk.heading, chunk.startLine, chunk.endLine])).toEqual([
      ['Billing', 1, 3],
      ['Billing > Refunds', 5, 7],
      ['Billing > Invoices', 9, 11],
    ]);
    expect(chunks[1]!.text).toBe('## Refunds\n\nRefunds within 14 days.');
  });

  it('never cuts a fenced code block that fits, even across blank lines', () => {
    const fence = '```ts\nconst a = 1;\n\nconst b = 2;\n```';
    const text = `# Code\n\n${lines(10, 'before')}\n\n${fence}\n`;
    const chunks = chunkText('docs/code.md', text, { size: 100, overlap: 0 });
    const holding = chunks.filter((chunk) => chunk.text.includes('const a'));
    expect(holding).toHaveLength(1);
    expect(holding[0]!.text).toContain('const b = 2;');
  });

  it('cuts oversized sections at line boundaries with overlap, lines staying true to the file', () => {
    const text = `# Long\n\n${lines(200, 'body')}\n`;
    const chunks = chunkText('docs/long.md', text, { size: 100, overlap: 20 });
    expect(chunks.length).toBeGreaterThan(5);
    const fileLines = text.split('\n');
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(100 * 4 + 60);
      expect(chunk.text).toBe(fileLines.slice(chunk.startLine - 1, chunk.endLine).join('\n'));
    }
    // Consecutive chunks share lines (the overlap).
    expect(chunks[1]!.startLine).toBeLessThanOrEqual(chunks[0]!.endLine);
  });

  it('starts code units at top-level declarations, keeping a doc comment with its declaration', () => {
    const code = ['import x from "y";', '', '/** Adds. */', 'export function add(a, b) {', '  return a + b;', '}', '', 'export class Big {', lines(40, '  //'), '}'].join('\n');
    expect(fileKind('src/math.ts')).toBe('code');
    const chunks = chunkText('src/math.ts', code, { size: 120, overlap: 0 });
    const add = chunks.find((chunk) => chunk.text.includes('function add'))!;
    expect(add.text).toContain('/** Adds. */');
    expect(chunks.some((chunk) => chunk.text.startsWith('export class Big'))).toBe(true);
  });

  it('splits plain text at blank lines', () => {
    expect(fileKind('notes.txt')).toBe('text');
    const chunks = chunkText('notes.txt', `${lines(30, 'a')}\n\n${lines(30, 'b')}`, { size: 300, overlap: 0 });
    expect(chunks[0]!.text.startsWith('a line 0')).toBe(true);
    expect(chunks.some((chunk) => chunk.text.startsWith('b line 0'))).toBe(true);
  });
});
