// Tool parameter schemas for Gemini's `parametersJsonSchema` (full JSON Schema, unlike the
// OpenAPI-subset `parameters`, which answers 400 "Unknown name \"additionalProperties\""): local
// `$ref`s inlined, since a node with `$ref` may carry nothing but `description` and `default`, and the
// keywords Gemini ignores stripped (json-schema/vendor-keywords.ts). Each change is a warning.

import type { CallWarning } from '../types.js';
import { prepareSchema } from '../json-schema/prepare.js';

export function geminiToolSchema(toolName: string, schema: Record<string, unknown>, warnings: CallWarning[]): Record<string, unknown> {
  return prepareSchema('gemini', 'tool', `tool '${toolName}'`, schema, warnings);
}
