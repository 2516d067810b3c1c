// ajv errors -> one readable Diagnostic each, at file:line:col. Noisy anyOf branches collapse into
// one message; unknown keys get the closest allowed key.

import type { Diagnostic } from '../errors.js';
import type { SourceFile, ValuePath } from '../load/types.js';
import type { SchemaError } from './schema-validators.js';
import { allowedKeysAt, descriptionAt, schemaAt } from './schema-files.js';
import { didYouMean } from './suggest.js';

/** `steps[2].needs`, or `the file` for the root. */
export function formatPath(path: ValuePath): string {
  if (path.length === 0) return 'the file';
  return path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join('');
}

/** JSON pointer -> value path, with numbers where the value is an array. */
function toPath(pointer: string, root: unknown): Array<string | number> {
  const path: Array<string | number> = [];
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const key = Array.isArray(node) ? Number(segment) : segment;
    path.push(key);
    node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  }
  return path;
}

/** `written` is the source text of an interpolated string: quoted instead of the (maybe secret) env value. */
function typeName(value: unknown, written?: string): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (written !== undefined) return `${typeof value} \`${written}\``;
  return `${typeof value} \`${String(value)}\``;
}

function valueAt(root: unknown, path: ValuePath): unknown {
  let node = root;
  for (const segment of path) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[segment] : undefined;
  return node;
}

/** What the value at `path` must be, from its schema (ajv's schemaPath is relative to a $ref'd definition). */
function describe(source: SourceFile, schemaPath: string, path: ValuePath): string {
  const description = descriptionAt(source.kind, path) ?? schemaAt(source.kind, schemaPath)?.['description'];
  return typeof description === 'string' ? description.replace(/\.$/, '') : '';
}

export function schemaDiagnostics(source: SourceFile, errors: SchemaError[]): Diagnostic[] {
  const anyOfs = errors.filter((error) => error.keyword === 'anyOf');
  const kept = errors.filter(
    (error) =>
      !(error.propertyName !== undefined && error.keyword !== 'propertyNames') &&
      !anyOfs.some((anyOf) => anyOf !== error && error.instancePath === anyOf.instancePath && error.schemaPath.startsWith(`${anyOf.schemaPath}/`)),
  );
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const error of kept) {
    const diagnostic = toDiagnostic(source, error, errors);
    const key = `${diagnostic.line}:${diagnostic.col}:${diagnostic.message}`;
    if (!seen.has(key)) diagnostics.push(diagnostic);
    seen.add(key);
  }
  return diagnostics;
}

function toDiagnostic(source: SourceFile, error: SchemaError, all: SchemaError[]): Diagnostic {
  const path = toPath(error.instancePath, source.value);
  const label = `\`${formatPath(path)}\``;
  const value = valueAt(source.value, path);
  const written = source.writtenAs?.(path);
  const at = (atPath: ValuePath, key = false): Pick<Diagnostic, 'line' | 'col'> => source.locate(atPath, { key });
  const make = (message: string, fix: string | undefined, position = at(path), code = `schema/${error.keyword}`): Diagnostic => ({
    severity: 'error', code, file: source.file, ...position, message, ...(fix ? { fix } : {}),
  });
  const parentPath = error.schemaPath.slice(0, error.schemaPath.lastIndexOf('/'));
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params['additionalProperty']);
      const allowed = allowedKeysAt(source.kind, path);
      const where = path.length === 0 ? '' : ` in ${label}`;
      return make(`unknown key \`${key}\`${where}${didYouMean(key, allowed)}`, `use one of: ${allowed.join(', ')}`, at([...path, key], true), 'schema/unknown-key');
    }
    case 'required': {
      const key = String(error.params['missingProperty']);
      if (key === 'pricing') return make(`model \`${String(path[path.length - 1])}\` has no price`, 'add pricing: { input: <USD per 1M tokens>, output: <USD per 1M tokens> } (0 for local models)', undefined, 'schema/missing-price');
      const where = path.length === 0 ? '' : ` in ${label}`;
      return make(`missing required key \`${key}\`${where}`, `add \`${key}:\``, undefined, 'schema/required');
    }
    case 'type':
      return make(`${label} must be ${article(String(error.params['type']))}, not ${typeName(value, written)}`, undefined);
    case 'enum': {
      const allowed = (error.params['allowedValues'] as unknown[]).map(String);
      return make(`${label} must be one of ${allowed.join(', ')}, not ${typeName(value, written)}${(written === undefined ? didYouMean(String(value), allowed) : '')}`, undefined);
    }
    case 'const':
      return make(`${label} must be ${JSON.stringify(error.params['allowedValue'])}, not ${typeName(value, written)}`, undefined);
    case 'anyOf':
    case 'pattern':
      return make(`${label} is ${typeName(value, written)}, but it must be: ${describe(source, parentPath, path) || error.message}`, undefined);
    case 'propertyNames': {
      const name = String(error.params['propertyName']);
      const inner = all.find((other) => other.propertyName === name && other.instancePath === error.instancePath);
      const allowed = inner?.keyword === 'enum' ? (inner.params['allowedValues'] as unknown[]).map(String) : [];
      const rule = allowed.length > 0 ? `use one of ${allowed.join(', ')}${didYouMean(name, allowed)}` : `${inner?.message ?? 'invalid name'}`;
      return make(`invalid key \`${name}\` in ${label}: ${rule}`, undefined, at([...path, name], true));
    }
    default:
      return make(`${label} ${error.message ?? 'is invalid'}`, undefined);
  }
}

function article(type: string): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', integer: 'an integer', string: 'a string', number: 'a number', boolean: 'true or false' };
  return names[type] ?? type;
}
