// Inlines local `$ref`s (`#/$defs/X`, `#/definitions/X`) and drops the definitions, for vendors whose
// schema fields lack `$ref`/`$defs` (Ollama's API drops them, so the property arrives untyped) or
// allow nothing beside a `$ref` (Gemini: "$ref 'X' was set alongside unsupported fields").
// MCP, pydantic and zod schemas put `$ref` + `$defs` everywhere. `$schema` is not a schema keyword
// any vendor reads: removed. A ref that cannot be inlined (remote, or recursive past its first
// level) becomes `{}` ("any value"), which changes what the model is told: it is reported.

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keywords whose value maps names to schemas: their keys are names, never keywords. */
export const schemaMaps = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

function resolvePointer(root: JsonObject, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isJsonObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

class Rewriter {
  readonly problems = new Set<string>();
  constructor(private readonly root: JsonObject) {}

  schema(node: unknown, expanding: readonly string[]): unknown {
    if (Array.isArray(node)) return node.map((item) => this.schema(item, expanding));
    if (!isJsonObject(node)) return node;
    let inlined: JsonObject = {};
    if (typeof node.$ref === 'string') {
      const ref = node.$ref;
      const target = expanding.includes(ref) ? undefined : resolvePointer(this.root, ref);
      if (isJsonObject(target)) inlined = this.schema(target, [...expanding, ref]) as JsonObject;
      else this.problems.add(expanding.includes(ref) ? `recursive ${ref}` : `unresolvable ${ref}`);
    }
    const rewritten: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' || key === '$schema') continue;
      rewritten[key] = schemaMaps.has(key) && isJsonObject(value) ? this.map(value, expanding) : this.schema(value, expanding);
    }
    // The referencing node's own keywords (description, default) win over the target's.
    return { ...inlined, ...rewritten };
  }

  private map(value: JsonObject, expanding: readonly string[]): JsonObject {
    return Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, this.schema(schema, expanding)]));
  }
}

/** A copy with every local `$ref` inlined and `$defs`/`definitions`/`$schema` removed; `problems` lists refs sent as `{}`. */
export function inlineLocalRefs(schema: JsonObject): { schema: JsonObject; problems: string[] } {
  const rewriter = new Rewriter(schema);
  const { $defs: _defs, definitions: _definitions, ...rest } = schema;
  return { schema: rewriter.schema(rest, []) as JsonObject, problems: [...rewriter.problems] };
}

/** Every keyword used anywhere in a schema (names under `properties` and the like are not keywords). */
export function keywordsIn(schema: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const item of schema) keywordsIn(item, found);
  else if (isJsonObject(schema))
    for (const [key, value] of Object.entries(schema)) {
      found.add(key);
      if (schemaMaps.has(key) && isJsonObject(value)) for (const child of Object.values(value)) keywordsIn(child, found);
      else if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'examples') keywordsIn(value, found);
    }
  return found;
}

/** A copy without the given keywords, and which of them were there. */
export function stripKeywords(schema: JsonObject, dropped: ReadonlySet<string>): { schema: JsonObject; removed: string[] } {
  const removed = new Set<string>();
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!isJsonObject(node)) return node;
    const copy: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (dropped.has(key)) {
        removed.add(key);
        continue;
      }
      if (schemaMaps.has(key) && isJsonObject(value)) copy[key] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, walk(child)]));
      else if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples') copy[key] = value;
      else copy[key] = walk(value);
    }
    return copy;
  };
  return { schema: walk(schema) as JsonObject, removed: [...removed].sort() };
}
