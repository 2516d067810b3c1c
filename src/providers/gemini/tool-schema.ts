// Tool parameter schemas for Gemini's `parametersJsonSchema`. Unlike the OpenAPI-subset `parameters`
// field (which answers 400 "Unknown name \"additionalProperties\"", "$schema", "const"...), this one
// takes JSON Schema: the SDK's own doc example carries `"additionalProperties": false`, so that and
// anyOf/const/enum pass through untouched. Two limits remain and are handled here:
// - a node with `$ref` may carry nothing but `description` and `default` beside it ("$ref 'X' was set
//   alongside unsupported fields"), and MCP/pydantic/zod schemas put `$ref` + `$defs` everywhere:
//   local refs (`#/$defs/X`, `#/definitions/X`) are inlined and the definitions dropped;
// - `$schema` is not a schema keyword Gemini reads: removed.
// A ref that cannot be inlined (remote, or recursive past its first level) becomes `{}` ("any value"),
// which does change what the model is told, so that one comes back as a warning.

import type { CallWarning } from '../types.js';

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (value: Json): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keywords whose value maps names to schemas: their keys are names, never keywords. */
const schemaMaps = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

function resolvePointer(root: JsonObject, ref: string): Json {
  if (!ref.startsWith('#/')) return undefined;
  let node: Json = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

class Rewriter {
  readonly problems = new Set<string>();
  constructor(private readonly root: JsonObject) {}

  schema(node: Json, expanding: readonly string[]): Json {
    if (Array.isArray(node)) return node.map((item) => this.schema(item, expanding));
    if (!isObject(node)) return node;
    let inlined: JsonObject = {};
    if (typeof node.$ref === 'string') {
      const ref = node.$ref;
      const target = expanding.includes(ref) ? undefined : resolvePointer(this.root, ref);
      if (isObject(target)) inlined = this.schema(target, [...expanding, ref]) as JsonObject;
      else this.problems.add(expanding.includes(ref) ? `recursive ${ref}` : `unresolvable ${ref}`);
    }
    const rewritten: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' || key === '$schema') continue;
      rewritten[key] = schemaMaps.has(key) && isObject(value) ? this.map(value, expanding) : this.schema(value, expanding);
    }
    // The referencing node's own keywords (description, default) win over the target's.
    return { ...inlined, ...rewritten };
  }

  private map(value: JsonObject, expanding: readonly string[]): JsonObject {
    return Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, this.schema(schema, expanding)]));
  }
}

export function geminiToolSchema(toolName: string, schema: Record<string, unknown>, warnings: CallWarning[]): Record<string, unknown> {
  const rewriter = new Rewriter(schema);
  const { $defs: _defs, definitions: _definitions, ...rest } = schema;
  const result = rewriter.schema(rest, []) as Record<string, unknown>;
  if (rewriter.problems.size > 0)
    warnings.push({
      type: 'other',
      message: `tool '${toolName}': Gemini cannot take ${[...rewriter.problems].join(', ')} in a tool schema; sent as an unconstrained value`,
    });
  return result;
}
