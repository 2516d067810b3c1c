// `${NAME}` and `${NAME:-default}` in string values (keys are never interpolated). `$${` is a literal
// `${`. A variable that is unset and has no default is recorded, not thrown, so that validate can
// report every one of them at once.

import type { Env } from './dotenv.js';
import type { ValuePath } from './types.js';

const reference = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface UnsetVariable {
  name: string;
  path: ValuePath;
}

function interpolateString(text: string, env: Env, path: ValuePath, unset: UnsetVariable[]): string {
  return text.replace(reference, (whole: string, escape: string, name: string, fallback: string | undefined) => {
    if (escape) return whole.slice(1);
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    unset.push({ name, path });
    return '';
  });
}

/** Returns `value` with every string interpolated; objects are copied only where something changed. */
export function interpolate(value: unknown, env: Env, unset: UnsetVariable[]): unknown {
  return walk(value, env, unset, []);
}

// `path` is one mutable stack, copied only when a variable is recorded: the walk visits every value.
function walk(value: unknown, env: Env, unset: UnsetVariable[], path: Array<string | number>): unknown {
  if (typeof value === 'string') return value.includes('${') ? interpolateString(value, env, [...path], unset) : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      path.push(index);
      const next = walk(item, env, unset, path);
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
    const next = walk(item, env, unset, path);
    path.pop();
    if (next !== item) (copy ??= { ...record })[key] = next;
  }
  return copy ?? value;
}
