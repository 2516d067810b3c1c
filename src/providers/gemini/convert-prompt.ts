// Pure conversion of CallOptions into @google/genai `generateContent` parameters (wire shape in
// ../shared/wire/gemini: contents with role user/model, functionCall / functionResponse parts).

import type { CallOptions, CallWarning, Message, ToolCallContent } from '../types.js';
import { mergeSameRole } from '../prompt-utils.js';

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

const realId = (id: string) => (id.startsWith(syntheticCallIdPrefix) ? {} : { id });

function convertMessage(message: Message): GeminiContent {
  switch (message.role) {
    case 'user':
      return { role: 'user', parts: [{ text: message.content }] };
    case 'assistant':
      return {
        role: 'model',
        parts: message.content.map((part): GeminiPart => {
          if (part.type === 'text') return { text: part.text };
          const signature = thoughtSignatureOf(part);
          return {
            functionCall: { ...realId(part.toolCallId), name: part.toolName, args: part.input },
            ...(signature ? { thoughtSignature: signature } : {}),
          };
        }),
      };
    case 'tool':
      return {
        role: 'user',
        parts: message.results.map((result) => ({
          functionResponse: {
            ...realId(result.toolCallId),
            name: result.toolName,
            response: result.isError ? { name: result.toolName, error: result.output } : { name: result.toolName, content: result.output },
          },
        })),
      };
  }
}

export function toGeminiRequest(
  modelId: string,
  options: CallOptions,
  defaults: { maxOutputTokens?: number } = {},
): { request: GeminiRequest; warnings: CallWarning[] } {
  const config: GeminiConfig = {};
  const system = options.system.filter((part) => part.text !== '');
  if (system.length > 0) config.systemInstruction = { parts: system.map((part) => ({ text: part.text })) };
  if (options.tools?.length) {
    // parametersJsonSchema takes full JSON Schema; `parameters` only an OpenAPI subset.
    config.tools = [
      { functionDeclarations: options.tools.map((tool) => ({ name: tool.name, description: tool.description, parametersJsonSchema: tool.inputSchema })) },
    ];
  }
  const maxTokens = options.maxTokens ?? defaults.maxOutputTokens;
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  if (options.temperature !== undefined) config.temperature = options.temperature;
  if (options.topP !== undefined) config.topP = options.topP;
  if (options.stopSequences?.length) config.stopSequences = options.stopSequences;
  return { request: { model: modelId, contents: mergeSameRole(options.messages.map(convertMessage), (content) => content.parts, (role, parts) => ({ role, parts })), config }, warnings: [] };
}
