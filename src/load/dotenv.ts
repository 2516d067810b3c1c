// `.env` at the project root: KEY=VALUE lines for keys. It never overrides a variable that is already
// set, and its values never reach a config error (only names do).

import { readFile } from 'node:fs/promises';

export type Env = Readonly<Record<string, string | undefined>>;

const linePattern = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

function unquote(raw: string): string {
  const value = raw.trim();
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.length >= 2) {
    const end = value.indexOf(quote, 1);
    const inner = end === -1 ? value.slice(1) : value.slice(1, end);
    // Only double quotes know escapes, as in shells and the usual dotenv libraries.
    return quote === '"' ? inner.replaceAll('\\n', '\n').replaceAll('\\t', '\t').replaceAll('\\"', '"') : inner;
  }
  // An unquoted value ends at ` #` (a trailing comment).
  const comment = value.search(/\s#/);
  return (comment === -1 ? value : value.slice(0, comment)).trim();
}

/** Parses .env text into name -> value (later lines win). Malformed lines are skipped. */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(#|$)/.test(line)) continue;
    const match = linePattern.exec(line);
    if (match?.[1] !== undefined) values[match[1]] = unquote(match[2] ?? '');
  }
  return values;
}

/** `env` plus whatever `<root>/.env` adds; a variable already set in `env` always wins. */
export async function loadDotenv(root: string, env: Env): Promise<Env> {
  const text = await readFile(`${root}/.env`, 'utf8').catch(() => undefined);
  if (text === undefined) return env;
  return { ...parseDotenv(text), ...Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)) };
}
