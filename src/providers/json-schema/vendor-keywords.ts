// The JSON Schema keywords each vendor drops (or refuses) in a tool's parameters and in a native
// structured-output schema, in one table: the adapters strip them before sending, lint warns when a
// command tool uses one with a route that reaches that vendor, and the README lists them.
// Sources: each vendor's tool / structured-output docs (named per entry). A keyword not listed is sent.

import type { ProviderType } from '../../compile/ir.js';

export interface VendorSchemaRules {
  /** Keywords the vendor ignores or refuses in tool parameters; the adapter strips them. */
  toolDrops: readonly string[];
  /** Keywords the vendor ignores or refuses in its structured-output schema; the adapter strips them. */
  outputDrops: readonly string[];
  /** Whether the adapter inlines `$ref`/`$defs` (the vendor lacks them or restricts them). */
  inlinesRefs: boolean;
  /** Where the list comes from, for the docs. */
  source: string;
}

/** Gemini's JSON Schema subset (ai.google.dev, structured output and function calling): everything else is ignored. */
const geminiDrops = [
  'allOf', 'not', 'if', 'then', 'else', 'pattern', 'patternProperties', 'minLength', 'maxLength', 'multipleOf',
  'exclusiveMinimum', 'exclusiveMaximum', 'uniqueItems', 'contains', 'minContains', 'maxContains', 'minProperties',
  'maxProperties', 'propertyNames', 'dependentRequired', 'dependentSchemas', 'unevaluatedProperties', 'unevaluatedItems',
  '$comment', 'examples',
] as const;

/** Ollama's api.ToolFunction parameters keep only type, properties, required, items, description and enum. */
const ollamaToolDrops = [
  'additionalProperties', 'anyOf', 'oneOf', 'allOf', 'not', 'const', 'pattern', 'format', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems',
  'default', 'examples', 'patternProperties', 'if', 'then', 'else', 'title',
] as const;

/** Anthropic structured outputs: no numeric, string-length or item-count constraints (the agent loop still checks them). */
const anthropicOutputDrops = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'maxItems', 'uniqueItems'] as const;

export const vendorSchemaRules: Record<ProviderType, VendorSchemaRules> = {
  openai: { toolDrops: [], outputDrops: [], inlinesRefs: false, source: 'OpenAI function calling and Structured Outputs (strict only when the schema qualifies)' },
  'openai-compatible': { toolDrops: [], outputDrops: [], inlinesRefs: false, source: 'the OpenAI Chat Completions shape' },
  anthropic: { toolDrops: [], outputDrops: anthropicOutputDrops, inlinesRefs: false, source: 'Anthropic tool use and structured outputs' },
  gemini: { toolDrops: geminiDrops, outputDrops: geminiDrops, inlinesRefs: true, source: 'Gemini parametersJsonSchema / responseJsonSchema' },
  ollama: { toolDrops: ollamaToolDrops, outputDrops: [], inlinesRefs: true, source: 'Ollama api.ToolFunction (tools) and format (grammar from JSON Schema)' },
};
