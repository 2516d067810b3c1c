// Pure conversion of CallOptions into an Ollama /api/chat body (../shared/wire/ollama).

import type { CallOptions, CallWarning, Message } from '../types.js';
import { assistantText, joinedSystem } from '../prompt-utils.js';
import { mergeProviderOptions } from '../provider-options.js';
import { prepareSchema } from '../json-schema/prepare.js';

export interface OllamaToolCall {
  id?: string;
  function: { index?: number; name: string; arguments: Record<string, unknown> };
}

export interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  tool_calls?: OllamaToolCall[];
  tool_name?: string;
  /** Current servers (api/types.go Message.ToolCallID) match a result to its call by id; older ones ignore it. */
  tool_call_id?: string;
}

/** Ids we make up for servers that send none (OllamaStreamState); never sent back. */
export const syntheticOllamaCallIdPrefix = 'ollama-call-';

const realId = <Key extends string>(key: Key, id: string) => (id.startsWith(syntheticOllamaCallIdPrefix) ? {} : ({ [key]: id } as Record<Key, string>));

export interface OllamaChatBody {
  model: string;
  messages: OllamaMessage[];
  tools?: Array<{ type: 'function'; function: { name: string; description: string; parameters: Record<string, unknown> } }>;
  options?: { num_predict?: number; temperature?: number; top_p?: number; stop?: string[] };
  /** Structured output: the JSON Schema the answer is constrained to. */
  format?: Record<string, unknown>;
}

function convertMessage(message: Message): OllamaMessage[] {
  switch (message.role) {
    case 'user':
      return [{ role: 'user', content: message.content }];
    case 'assistant': {
      const text = assistantText(message.content);
      const calls = message.content.flatMap((part) =>
        part.type === 'tool-call' ? [{ ...realId('id', part.toolCallId), function: { name: part.toolName, arguments: part.input } }] : [],
      );
      return [{ role: 'assistant', content: text, ...(calls.length ? { tool_calls: calls } : {}) }];
    }
    case 'tool':
      // Older servers match results to calls by tool name, in order; newer ones by tool_call_id.
      return message.results.map((result) => ({ role: 'tool', content: result.output, tool_name: result.toolName, ...realId('tool_call_id', result.toolCallId) }));
  }
}

export function toOllamaRequest(modelId: string, options: CallOptions, defaults: { maxOutputTokens?: number } = {}): { body: OllamaChatBody; warnings: CallWarning[] } {
  const messages: OllamaMessage[] = [];
  const system = joinedSystem(options.system);
  if (system !== undefined) messages.push({ role: 'system', content: system });
  for (const message of options.messages) messages.push(...convertMessage(message));
  const body: OllamaChatBody = { model: modelId, messages };
  const warnings: CallWarning[] = [];
  if (options.tools?.length) {
    // The server decodes parameters into api.ToolFunction and drops $ref/$defs and most keywords.
    body.tools = options.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description, parameters: prepareSchema('ollama', 'tool', `tool '${tool.name}'`, tool.inputSchema, warnings) },
    }));
  }
  if (options.responseFormat) body.format = prepareSchema('ollama', 'output', 'output schema', options.responseFormat.schema, warnings);
  const modelOptions: NonNullable<OllamaChatBody['options']> = {};
  const maxTokens = options.maxTokens ?? defaults.maxOutputTokens;
  if (maxTokens !== undefined) modelOptions.num_predict = maxTokens;
  if (options.temperature !== undefined) modelOptions.temperature = options.temperature;
  if (options.topP !== undefined) modelOptions.top_p = options.topP;
  if (options.stopSequences?.length) modelOptions.stop = options.stopSequences;
  if (Object.keys(modelOptions).length > 0) body.options = modelOptions;
  mergeProviderOptions(body, options, 'ollama', ['model', 'messages', 'tools', 'stream'], warnings);
  return { body, warnings };
}
