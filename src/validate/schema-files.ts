// The JSON Schemas as data, read from schemas/ on demand: for error messages (allowed keys,
// descriptions) and for `agentpipe schema`. Validation itself uses the generated code.

import { readFileSync } from 'node:fs';
import type { FileKind, ValuePath } from '../load/types.js';

export const schemaDirectory = new URL('../../schemas/', import.meta.url);
export const schemaKinds: readonly FileKind[] = ['providers', 'tools', 'agent', 'layer', 'template', 'test'];

const cache = new Map<string, Record<string, unknown>>();

export function readSchema(fileName: string): Record<string, unknown> {
  let schema = cache.get(fileName);
  if (!schema) {
    schema = JSON.parse(readFileSync(new URL(fileName, schemaDirectory), 'utf8')) as Record<string, unknown>;
    cache.set(fileName, schema);
  }
  return schema;
}

/** The schema object at an ajv schemaPath such as `common.schema.json#/$defs/size/anyOf`. */
export function schemaAt(kind: FileKind, schemaPath: string): Record<string, unknown> | undefined {
  const [fileName, pointer = ''] = schemaPath.split('#');
  // ajv writes `#/...` for a pointer inside common.schema.json when the $ref came from common itself.
  if (!fileName) return resolvePointer(`${kind}.schema.json`, pointer) ?? resolvePointer('common.schema.json', pointer);
  return resolvePointer(fileName, pointer);
}

function resolvePointer(fileName: string, pointer: string): Record<string, unknown> | undefined {
  let node: unknown = readSchema(fileName);
  for (const raw of pointer.split('/').slice(1)) {
    const segment = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

type SchemaNode = Record<string, unknown>;

const isNode = (value: unknown): value is SchemaNode => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Follows `$ref`s (to this file's or another file's `$defs`); `file` is the file the node is in. */
function resolveRef(node: SchemaNode, file: string): { node: SchemaNode; file: string } {
  for (let depth = 0; typeof node['$ref'] === 'string' && depth < 10; depth++) {
    const [refFile, pointer = ''] = node['$ref'].split('#');
    file = refFile || file;
    const target = resolvePointer(file, pointer);
    if (!target) break;
    node = target;
  }
  return { node, file };
}

/** The node itself and its allOf/anyOf/oneOf branches, refs followed. */
function branches(node: SchemaNode, file: string): Array<{ node: SchemaNode; file: string }> {
  const resolved = resolveRef(node, file);
  const nested = ['allOf', 'anyOf', 'oneOf'].flatMap((keyword) => (Array.isArray(resolved.node[keyword]) ? (resolved.node[keyword] as unknown[]) : []));
  return [resolved, ...nested.filter(isNode).flatMap((branch) => branches(branch, resolved.file))];
}

function childOf(node: SchemaNode, segment: string | number): unknown {
  if (typeof segment === 'number') return Array.isArray(node['prefixItems']) ? ((node['prefixItems'] as unknown[])[segment] ?? node['items']) : node['items'];
  const properties = node['properties'];
  if (isNode(properties) && isNode(properties[segment])) return properties[segment];
  const patterns = node['patternProperties'];
  if (isNode(patterns)) {
    for (const [pattern, schema] of Object.entries(patterns)) if (new RegExp(pattern, 'u').test(segment)) return schema;
  }
  return isNode(node['additionalProperties']) ? node['additionalProperties'] : undefined;
}

/**
 * The schema of the value at `path` in a file of this kind, walked from the file's root schema
 * (ajv's schemaPath is relative to whichever $ref'd definition reported the error, so it cannot say
 * which object an error is about). `node` is as written there, before its own `$ref` is followed.
 */
export function schemaForValue(kind: FileKind, path: ValuePath): { node: SchemaNode; file: string } | undefined {
  let current = { node: readSchema(`${kind}.schema.json`), file: `${kind}.schema.json` };
  for (const segment of path) {
    let next: { node: SchemaNode; file: string } | undefined;
    for (const branch of branches(current.node, current.file)) {
      const child = childOf(branch.node, segment);
      if (isNode(child)) {
        next = { node: child, file: branch.file };
        break;
      }
    }
    if (!next) return undefined;
    current = next;
  }
  return current;
}

/** Keys an object at `path` may have (every branch's `properties`), in schema order. */
export function allowedKeysAt(kind: FileKind, path: ValuePath): string[] {
  const found = schemaForValue(kind, path);
  if (!found) return [];
  const keys = branches(found.node, found.file).flatMap((branch) => (isNode(branch.node['properties']) ? Object.keys(branch.node['properties']) : []));
  return [...new Set(keys)];
}

/** The description of the value at `path`: its definition's (after `$ref`), else the one written beside it. */
export function descriptionAt(kind: FileKind, path: ValuePath): string | undefined {
  const found = schemaForValue(kind, path);
  if (!found) return undefined;
  const description = resolveRef(found.node, found.file).node['description'] ?? found.node['description'];
  return typeof description === 'string' ? description : undefined;
}
