// Run inputs: `--input k=v` flags and `--input-file` parsed, checked against the declared inputs and
// typed. `run` fails on a missing required input; `estimate` and `render` use a placeholder instead.

import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { InputSpec } from './ir.js';

export type InputMode = 'run' | 'estimate';

/** `["k=v", "x=1"]` (cac gives a string for one flag, an array for several) -> { k: "v", x: "1" }. */
export function parseInputFlags(flags: string | string[] | undefined): Record<string, string> {
  // Null prototype and defineProperty: `--input __proto__=x` is an ordinary (undeclared) name.
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const flag of flags === undefined ? [] : Array.isArray(flags) ? flags : [flags]) {
    const equals = String(flag).indexOf('=');
    if (equals <= 0) throw new UsageError(`--input "${flag}" must be written name=value`);
    Object.defineProperty(values, String(flag).slice(0, equals), { value: String(flag).slice(equals + 1), enumerable: true, writable: true, configurable: true });
  }
  return values;
}

/** A JSON or YAML file holding an object of input values; `shown` is the path as the user typed it. */
export async function readInputFile(path: string, shown = path): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? String(error)})`;
    throw new UsageError(`--input-file ${shown} ${why}: give a JSON or YAML file of input values, e.g. {"name": "value"}`);
  }
  // A byte-order mark (Windows editors write one) is not part of the document.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new UsageError(`--input-file ${shown} is empty: write the input values in it as JSON or YAML, e.g. {"name": "value"}`);
  let value: unknown;
  try {
    value = path.endsWith('.json') ? JSON.parse(text) : (await import('yaml')).parse(text);
  } catch (error) {
    throw new UsageError(`--input-file ${shown} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`--input-file ${shown} must hold a mapping of input names to values`);
  return value as Record<string, unknown>;
}

/** What render and estimate use for an input nobody gave: its example, its default, or `<name>`. */
export function placeholderInput(name: string, spec: InputSpec): unknown {
  if (spec.example !== undefined) return spec.example;
  if (spec.default !== undefined) return spec.default;
  if (spec.type === 'array') return [`<${name}>`];
  if (spec.type === 'object') return {};
  return `<${name}>`;
}

const kindOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`);

/**
 * A value from a file (input file, batch row, API body) checked against the declared type: a number
 * or true/false where a string is declared becomes its text; any other mismatch is a UsageError
 * rather than `[object Object]` in a prompt.
 */
function checkTyped(name: string, spec: InputSpec, value: unknown): unknown {
  const fail = (expected: string): never => {
    throw new UsageError(`input "${name}" must be ${expected}, got ${kindOf(value)}`);
  };
  switch (spec.type) {
    case 'string':
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : fail('a string');
    case 'number':
    case 'integer':
      return typeof value === 'number' && Number.isFinite(value) && (spec.type === 'number' || Number.isInteger(value)) ? value : fail(spec.type === 'integer' ? 'an integer' : 'a number');
    case 'boolean':
      return typeof value === 'boolean' ? value : fail('true or false');
    case 'array':
      return Array.isArray(value) ? value : fail('an array');
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : fail('an object');
    default:
      return value;
  }
}

/** A command-line string turned into the declared type; values of other types are checked against it. */
function coerce(name: string, spec: InputSpec, value: unknown): unknown {
  if (value === null) return value;
  if (typeof value !== 'string') return checkTyped(name, spec, value);
  if (spec.type === 'string') return value;
  const fail = (expected: string): never => {
    throw new UsageError(`input "${name}" must be ${expected}, got "${value}"`);
  };
  switch (spec.type) {
    case 'number':
    case 'integer': {
      const number = Number(value);
      if (value.trim() === '' || !Number.isFinite(number) || (spec.type === 'integer' && !Number.isInteger(number))) return fail(`a${spec.type === 'integer' ? 'n integer' : ' number'}`);
      return number;
    }
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : fail('true or false');
    default: {
      try {
        const parsed: unknown = JSON.parse(value);
        if (spec.type === 'array' ? Array.isArray(parsed) : parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
      } catch {
        // falls through to the usage error
      }
      return fail(`JSON ${spec.type === 'array' ? 'array' : 'object'}`);
    }
  }
}

/**
 * Given values checked against `spec`: an unknown name is a UsageError. A missing input gets, in
 * estimate mode, its placeholder (example, default, `<name>`); in run mode its default, else a
 * UsageError naming every missing required input. Optional inputs with neither are
 * `null`, so strict templates can test them with `{{#if}}`.
 */
export function resolveInputs(spec: Readonly<Record<string, InputSpec>>, given: Readonly<Record<string, unknown>>, options: { mode: InputMode }): Record<string, unknown> {
  const declared = Object.keys(spec);
  for (const name of Object.keys(given)) {
    // Own keys only: `__proto__`, `constructor` or `toString` are not declared just because every object inherits them.
    if (!Object.hasOwn(spec, name)) throw new UsageError(`unknown input "${name}" (declared: ${declared.join(', ') || 'none'})`);
  }
  const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const missing: string[] = [];
  for (const [name, input] of Object.entries(spec)) {
    if (Object.hasOwn(given, name) && given[name] !== undefined) values[name] = coerce(name, input, given[name]);
    else if (options.mode === 'estimate') values[name] = placeholderInput(name, input);
    else if (input.default !== undefined) values[name] = input.default;
    else if (input.required) missing.push(name);
    else values[name] = null;
  }
  if (missing.length > 0) throw new UsageError(`missing required input${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (pass --input ${missing[0]}=...)`);
  return values;
}
