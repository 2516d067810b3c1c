// The JSON Schemas as data, read from schemas/ on demand: for error messages (allowed keys,
// descriptions) and for `agentpipe schema`. Validation itself uses the generated code.

import { readFileSync } from 'node:fs';
import type { FileKind } from '../load/types.js';

export const schemaDirectory = new URL('../../schemas/', import.meta.url);
export const schemaKinds: readonly FileKind[] = ['providers', 'tools', 'agent', 'layer', 'template'];

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
