// `${NAME}` and `${NAME:-default}` in string values (keys are never interpolated). `$${` is a literal
// `${`. A variable that is unset and has no default is recorded, not thrown, so that validate can
// report every one of them at once.
//
// Secrets: `api_key_env` (and every other `*_env` key) holds a variable's NAME and is never
// interpolated, so a `${KEY}` written there stays visible to lint as the mistake it is and the key
// itself is never read into the config. Values substituted into `headers` are registered as secrets.
// Every interpolated string's source text is kept, so diagnostics quote `${NAME}`, not the value.

import { registerSecret } from '../secrets/registry.js';
import type { Env } from './dotenv.js';
import type { ValuePath } from './types.js';

const reference = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface UnsetVariable {
  name: string;
  path: ValuePath;
}

/** Source text of each interpolated string, by JSON-encoded value path. */
export type InterpolatedSources = Map<string, string>;

export const pathKey = (path: ValuePath): string => JSON.stringify(path);

/** Keys whose value names an env var: interpolating them would put a secret where a name belongs. */
const holdsVariableName = (key: string): boolean => key === 'api_key_env' || key.endsWith('_env');

function interpolateString(text: string, env: Env, path: ValuePath, unset: UnsetVariable[]): string {
  const isHeader = path.includes('headers');
  return text.replace(reference, (whole: string, escape: string, name: string, fallback: string | undefined) => {
    if (escape) return whole.slice(1);
    const value = env[name];
    if (isHeader) registerSecret(value);
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    unset.push({ name, path });
    return '';
  });
}

/** Returns `value` with every string interpolated; objects are copied only where something changed. */
export function interpolate(value: unknown, env: Env, unset: UnsetVariable[], sources: InterpolatedSources = new Map()): unknown {
  return walk(value, env, unset, [], sources);
}

// `path` is one mutable stack, copied only when a variable is recorded: the walk visits every value.
function walk(value: unknown, env: Env, unset: UnsetVariable[], path: Array<string | number>, sources: InterpolatedSources): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    const last = path[path.length - 1];
    if (typeof last === 'string' && holdsVariableName(last)) return value;
    const result = interpolateString(value, env, [...path], unset);
    if (result !== value) sources.set(pathKey(path), value);
    return result;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      path.push(index);
      const next = walk(item, env, unset, path, sources);
      path.pop();
      if (next !== item) (copy ??= [...value])[index] = next;
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const item = record[key];
    path.push(key);
    const next = walk(item, env, unset, path, sources);
    path.pop();
    if (next !== item) (copy ??= { ...record })[key] = next;
  }
  return copy ?? value;
}
