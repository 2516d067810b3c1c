// Whether a schema qualifies for OpenAI Structured Outputs `strict: true`: the root is an object, every
// object lists all its properties in `required` and sets `additionalProperties: false`, and only the
// keywords strict mode supports appear (platform.openai.com, "Supported schemas"). Otherwise the schema
// is sent with `strict: false` and the agent loop's check and repair turn do the enforcing.

import { isJsonObject, schemaMaps } from './inline-refs.js';

const strictKeywords = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'anyOf', 'description', 'title',
  '$defs', '$ref', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minItems', 'maxItems', '$schema',
]);

function qualifies(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(qualifies);
  if (!isJsonObject(node)) return true;
  for (const key of Object.keys(node)) if (!strictKeywords.has(key)) return false;
  const isObject = node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object')) || node.properties !== undefined;
  if (isObject) {
    if (node.additionalProperties !== false) return false;
    const names = Object.keys(isJsonObject(node.properties) ? node.properties : {});
    const required = Array.isArray(node.required) ? node.required : [];
    if (names.some((name) => !required.includes(name))) return false;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'enum' || key === 'const') continue;
    if (schemaMaps.has(key) && isJsonObject(value)) {
      if (!Object.values(value).every(qualifies)) return false;
    } else if (typeof value === 'object' && !qualifies(value)) return false;
  }
  return true;
}

export function qualifiesForOpenAIStrict(schema: Record<string, unknown>): boolean {
  return schema.type === 'object' && qualifies(schema);
}

/** OpenAI's `json_schema.name`: `^[a-zA-Z0-9_-]{1,64}$`. */
export function schemaName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return cleaned === '' ? 'output' : cleaned;
}
