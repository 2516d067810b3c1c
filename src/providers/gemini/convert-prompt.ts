// Pure conversion of CallOptions into @google/genai `generateContent` parameters (wire shape in
// ../shared/wire/gemini: contents with role user/model, functionCall / functionResponse parts).

import type { CallOptions, CallWarning, Message, ToolCallContent } from '../types.js';
import { mergeSameRole } from '../prompt-utils.js';
import { mergeProviderOptions } from '../provider-options.js';
import { geminiToolSchema } from './tool-schema.js';
import { prepareSchema } from '../json-schema/prepare.js';

export type GeminiPart =
  | { text: string; thought?: boolean; thoughtSignature?: string }
  | { functionCall: { id?: string; name: string; args: Record<string, unknown> }; thoughtSignature?: string }
  | { functionResponse: { id?: string; name: string; response: Record<string, unknown> } };

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface GeminiConfig {
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: Array<{ functionDeclarations: Array<{ name: string; description: string; parametersJsonSchema: Record<string, unknown> }> }>;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  responseMimeType?: string;
  responseJsonSchema?: Record<string, unknown>;
}

export interface GeminiRequest {
  model: string;
  contents: GeminiContent[];
  config: GeminiConfig;
}

/** Gemini 2.x returns function calls without ids; we make one up with this prefix and never send it back. */
export const syntheticCallIdPrefix = 'gemini-call-';

/** The opaque signature Gemini 2.5+/3 attaches to function calls; it must be echoed on the next turn. */
export function thoughtSignatureOf(call: ToolCallContent): string | undefined {
  const gemini = call.providerMetadata?.gemini as { thoughtSignature?: unknown } | undefined;
  return typeof gemini?.thoughtSignature === 'string' ? gemini.thoughtSignature : undefined;
}

/**
 * Gemini 3 answers 400 "Function call is missing a thought_signature" when the first function call of
 * a model turn carries none, which is what calls made by another model look like (an Anthropic turn
 * before a fallback to Gemini, or Gemini 2.0). Google documents this value for exactly that case:
 * history "transferred from another model" skips signature validation.
 */
export const foreignCallSignature = 'skip_thought_signature_validator';

const realId = (id: string) => (id.startsWith(syntheticCallIdPrefix) ? {} : { id });

function modelParts(content: Extract<Message, { role: 'assistant' }>['content']): GeminiPart[] {
  // Only the first call of a parallel set carries Gemini's signature; echo each call's own.
  const signed = content.some((part) => part.type === 'tool-call' && thoughtSignatureOf(part));
  let firstCall = true;
  return content.flatMap((part): GeminiPart[] => {
    // "contents.parts must not be empty" / empty text: only non-empty text goes out.
    if (part.type === 'text') return part.text === '' ? [] : [{ text: part.text }];
    const signature = thoughtSignatureOf(part) ?? (firstCall && !signed ? foreignCallSignature : undefined);
    firstCall = false;
    return [{ functionCall: { ...realId(part.toolCallId), name: part.toolName, args: part.input }, ...(signature ? { thoughtSignature: signature } : {}) }];
  });
}

function convertMessage(message: Message): GeminiContent {
  switch (message.role) {
    case 'user':
      return { role: 'user', parts: message.content === '' ? [] : [{ text: message.content }] };
    case 'assistant':
      return { role: 'model', parts: modelParts(message.content) };
    case 'tool':
      return {
        role: 'user',
        parts: message.results.map((result) => ({
          functionResponse: {
            ...realId(result.toolCallId),
            name: result.toolName,
            // The SDK's FunctionResponse.response: 'Use "output" key to specify function output and "error" key to specify error details'.
            response: result.isError ? { error: result.output } : { output: result.output },
          },
        })),
      };
  }
}

/**
 * Gemini 2.x refuses a JSON response type together with function declarations ("Function calling with
 * a response mime type: 'application/json' is unsupported"); Gemini 3 takes both. Without native
 * structured output the agent loop's check and repair turn still hold the answer to the schema.
 */
function acceptsSchemaWithTools(modelId: string, toolCount: number): boolean {
  if (toolCount === 0) return true;
  return Number(/^gemini-(\d+)/.exec(modelId)?.[1] ?? 0) >= 3;
}

export function toGeminiRequest(
  modelId: string,
  options: CallOptions,
  defaults: { maxOutputTokens?: number } = {},
): { request: GeminiRequest; warnings: CallWarning[] } {
  const warnings: CallWarning[] = [];
  const config: GeminiConfig = {};
  const system = options.system.filter((part) => part.text.trim() !== '');
  if (system.length > 0) config.systemInstruction = { parts: system.map((part) => ({ text: part.text })) };
  if (options.tools?.length) {
    // parametersJsonSchema takes full JSON Schema; `parameters` only an OpenAPI subset.
    config.tools = [
      {
        functionDeclarations: options.tools.map((tool) => ({
          name: tool.name,
          description: tool.description,
          parametersJsonSchema: geminiToolSchema(tool.name, tool.inputSchema, warnings),
        })),
      },
    ];
  }
  if (options.responseFormat && acceptsSchemaWithTools(modelId, options.tools?.length ?? 0)) {
    config.responseMimeType = 'application/json';
    config.responseJsonSchema = prepareSchema('gemini', 'output', 'output schema', options.responseFormat.schema, warnings);
  }
  const maxTokens = options.maxTokens ?? defaults.maxOutputTokens;
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  if (options.temperature !== undefined) config.temperature = options.temperature;
  if (options.topP !== undefined) config.topP = options.topP;
  if (options.stopSequences?.length) config.stopSequences = options.stopSequences;
  // Gemini's settings all live in the request's config (generationConfig, thinkingConfig, safetySettings...).
  mergeProviderOptions(config, options, 'gemini', ['systemInstruction', 'tools', 'abortSignal'], warnings);
  const contents = options.messages.map(convertMessage).filter((content) => content.parts.length > 0);
  return { request: { model: modelId, contents: mergeSameRole(contents, (content) => content.parts, (role, parts) => ({ role, parts })), config }, warnings };
}
