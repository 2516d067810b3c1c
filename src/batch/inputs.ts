// Reads a batch's input rows: JSONL (one JSON object per line) or CSV with a header row (csv-parse,
// so quoted fields, embedded newlines and BOMs are handled as RFC 4180 says). Each row keeps the
// line it starts on, for `rows.jsonl:3: ...` messages, and a hash of its text, so a resumed batch
// notices a row that changed since its result was recorded.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { UsageError } from '../errors.js';

export interface InputRow {
  /** 1-based line of the file where the row starts. */
  line: number;
  /** sha256 of the row's text, 16 hex digits. */
  hash: string;
  values?: Record<string, unknown>;
  /** Why the row cannot be used (bad JSON, not an object). */
  problem?: string;
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

export async function readInputRows(path: string): Promise<InputRow[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file; check the path (it is relative to the current folder)' : code === 'EISDIR' ? 'it is a folder; name a .jsonl or .csv file' : code === 'EACCES' ? 'permission denied' : `cannot read it (${code ?? String(error)})`;
    throw new UsageError(`--inputs ${path}: ${why}`);
  }
  const kind = extname(path).toLowerCase();
  if (kind === '.csv') return parseCsvRows(text, path);
  if (kind === '.jsonl' || kind === '.ndjson' || kind === '.json') return parseJsonLines(text);
  throw new UsageError(`--inputs ${path}: give a .jsonl (one JSON object per line) or a .csv file with a header row`);
}

export function parseJsonLines(text: string): InputRow[] {
  const rows: InputRow[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const row: InputRow = { line: index + 1, hash: hashOf(line) };
    try {
      const value: unknown = JSON.parse(line);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) row.problem = `expected a JSON object of inputs, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`;
      else row.values = value as Record<string, unknown>;
    } catch (error) {
      row.problem = `bad JSON: ${error instanceof Error ? error.message : String(error)}`;
    }
    rows.push(row);
  }
  return rows;
}

export async function parseCsvRows(text: string, path: string): Promise<InputRow[]> {
  const { parse } = await import('csv-parse/sync');
  let records: Array<{ record: Record<string, string>; info: { lines: number; raw?: string } }>;
  try {
    records = parse(text, { columns: true, bom: true, skip_empty_lines: true, info: true, raw: true, relax_column_count: false }) as unknown as typeof records;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new UsageError(`${path}${line ? `:${line}` : ''}: ${error instanceof Error ? error.message : String(error)} (fix the CSV: quote fields holding commas or newlines)`);
  }
  return records.map(({ record, info }) => {
    const raw = (info as { raw?: string }).raw ?? JSON.stringify(record);
    // info.lines is the line the record ends on; a record with embedded newlines starts earlier.
    const line = info.lines - (raw.replace(/\r?\n$/, '').split(/\r?\n/).length - 1);
    return { line, hash: hashOf(raw), values: { ...record } };
  });
}
