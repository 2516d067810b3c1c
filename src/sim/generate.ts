// Answers the simulator makes up when no scripted turn is left: JSON that fits the structured-output
// schema the request carries natively (so a schema agent's first answer validates), and, for
// `run --sim`, one plausible call of a declared tool before the final answer. Pure: request in, turn out.

import type { SimApi, SimTurn } from './script.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const records = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** The name of the forced tool agentpipe's Anthropic adapter uses for structured output on older API versions. */
const anthropicOutputTool = 'agentpipe_output';

export interface DeclaredTool {
  name: string;
  schema: Json;
}

/** The schema the answer must fit, as each vendor's request carries it. */
export function structuredSchemaOf(api: SimApi, body: Json): Json | undefined {
  switch (api) {
    case 'openai': {
      const format = body.response_format;
      return isObject(format) && isObject(format.json_schema) && isObject(format.json_schema.schema) ? format.json_schema.schema : undefined;
    }
    case 'anthropic': {
      const config = body.output_config;
      return isObject(config) && isObject(config.format) && isObject(config.format.schema) ? config.format.schema : undefined;
    }
    case 'gemini': {
      const config = body.generationConfig;
      return isObject(config) && isObject(config.responseJsonSchema) ? config.responseJsonSchema : undefined;
    }
    case 'ollama':
      return isObject(body.format) ? body.format : undefined;
  }
}

export function declaredTools(api: SimApi, body: Json): DeclaredTool[] {
  switch (api) {
    case 'openai':
    case 'ollama':
      return records(body.tools).flatMap((tool) => (isObject(tool.function) ? [{ name: String(tool.function.name), schema: isObject(tool.function.parameters) ? tool.function.parameters : {} }] : []));
    case 'anthropic':
      return records(body.tools).map((tool) => ({ name: String(tool.name), schema: isObject(tool.input_schema) ? tool.input_schema : {} }));
    case 'gemini':
      return records(body.tools)
        .flatMap((tool) => records(tool.functionDeclarations))
        .map((declaration) => ({ name: String(declaration.name), schema: isObject(declaration.parametersJsonSchema) ? declaration.parametersJsonSchema : {} }));
  }
}

/**
 * `run --sim` also states the schema in a system part starting with this marker, for the calls whose
 * vendor cannot take it natively (Gemini 2.x beside tools), so those answers fit too.
 */
export const simSchemaMarker = '[agentpipe-sim-schema] ';

function markedSchema(node: unknown): Json | undefined {
  if (typeof node === 'string') {
    const at = node.indexOf(simSchemaMarker);
    if (at < 0) return undefined;
    try {
      const parsed = JSON.parse(node.slice(at + simSchemaMarker.length).split('\n')[0] ?? '') as unknown;
      return isObject(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  if (Array.isArray(node)) for (const item of node) { const found = markedSchema(item); if (found) return found; }
  else if (isObject(node)) for (const value of Object.values(node)) { const found = markedSchema(value); if (found) return found; }
  return undefined;
}

/** Whether the conversation already holds a tool result (then the model answers instead of calling). */
function hasToolResult(body: Json): boolean {
  const text = JSON.stringify(body.messages ?? body.contents ?? []);
  return /"role":"tool"|"type":"tool_result"|"functionResponse"/.test(text);
}

/** Names a string value after its property, so made-up tool calls read like a model's. */
function stringFor(name: string, schema: Json): string {
  if (schema.format === 'uri' || schema.format === 'url' || /url|uri|link/i.test(name)) return 'https://example.com/';
  if (schema.format === 'date') return '2026-01-01';
  if (schema.format === 'date-time') return '2026-01-01T00:00:00Z';
  if (schema.format === 'email') return 'someone@example.com';
  if (/path|file/i.test(name)) return 'README.md';
  if (/pattern|glob/i.test(name)) return '**/*.md';
  if (/command|cmd/i.test(name)) return 'echo simulated';
  if (/query|question|search|^q$/i.test(name)) return 'simulated query';
  const base = `simulated ${name || 'text'}`;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const padded = base.length >= min ? base : base.padEnd(min, '.');
  return typeof schema.maxLength === 'number' ? padded.slice(0, schema.maxLength) : padded;
}

/** A value that validates against the schema (for the keywords a model is asked to honour). */
export function sampleFor(schema: unknown, root: unknown = schema, name = '', depth = 0): unknown {
  if (!isObject(schema) || depth > 8) return null;
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/')) {
    const target = schema.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (isObject(node) ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), root);
    return sampleFor(target, root, name, depth + 1);
  }
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const choice = records(schema.anyOf)[0] ?? records(schema.oneOf)[0];
  if (choice) return sampleFor({ ...schema, anyOf: undefined, oneOf: undefined, ...choice }, root, name, depth + 1);
  if (Array.isArray(schema.allOf)) return sampleFor(Object.assign({}, schema, ...records(schema.allOf), { allOf: undefined }), root, name, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((item) => item !== 'null') : schema.type;
  switch (type ?? (schema.properties ? 'object' : schema.items ? 'array' : 'string')) {
    case 'object': {
      const properties = isObject(schema.properties) ? schema.properties : {};
      return Object.fromEntries(Object.entries(properties).map(([key, child]) => [key, sampleFor(child, root, key, depth + 1)]));
    }
    case 'array': {
      const count = Math.max(1, typeof schema.minItems === 'number' ? schema.minItems : 1);
      const limited = typeof schema.maxItems === 'number' ? Math.min(count, schema.maxItems) : count;
      return Array.from({ length: limited }, (_, index) => sampleFor(schema.items, root, `${name} ${index + 1}`, depth + 1));
    }
    case 'integer':
    case 'number': {
      const minimum = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 1;
      return typeof schema.maximum === 'number' ? Math.min(minimum, schema.maximum) : minimum;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return stringFor(name, schema);
  }
}

/**
 * What the simulator answers when no scripted turn is left: JSON fitting the request's schema if it
 * has one, else (`toolCalls`) a call of the first declared tool on a fresh conversation, else `fallback`.
 */
export function generatedTurn(api: SimApi, body: Json, fallback: SimTurn, options: { toolCalls: boolean }): SimTurn {
  const tools = declaredTools(api, body).filter((tool) => tool.name !== anthropicOutputTool);
  if (options.toolCalls && tools.length > 0 && !hasToolResult(body)) {
    const tool = tools[0] as DeclaredTool;
    return { toolCalls: [{ name: tool.name, input: (sampleFor(tool.schema) ?? {}) as Json }] };
  }
  const schema = structuredSchemaOf(api, body) ?? markedSchema(body.system ?? body.systemInstruction ?? body.messages);
  if (schema) return { text: JSON.stringify(sampleFor(schema)) };
  // Anthropic on an older API version: structured output is a forced call of the output tool.
  const output = declaredTools(api, body).find((tool) => tool.name === anthropicOutputTool);
  if (output) return { toolCalls: [{ name: output.name, input: (sampleFor(output.schema) ?? {}) as Json }] };
  return fallback;
}
