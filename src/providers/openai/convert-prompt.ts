// Pure conversion of CallOptions into an OpenAI Chat Completions body (../shared/wire/openai).
// Also serves openai-compatible servers (LM Studio, vLLM, Ollama /v1, DeepSeek, Groq, OpenRouter).

import type { CallOptions, CallWarning, Message } from '../types.js';
import { assistantText, joinedSystem } from '../prompt-utils.js';
import { mergeProviderOptions } from '../provider-options.js';
import { isOpenAIReasoningModel } from './model-capabilities.js';
import { qualifiesForOpenAIStrict, schemaName } from '../json-schema/openai-strict.js';

export type OpenAIChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
    }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface OpenAIChatBody {
  model: string;
  messages: OpenAIChatMessage[];
  tools?: Array<{ type: 'function'; function: { name: string; description: string; parameters: Record<string, unknown> } }>;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  stream?: boolean;
  stream_options?: { include_usage: boolean };
  response_format?: { type: 'json_schema'; json_schema: { name: string; schema: Record<string, unknown>; strict: boolean } };
}

/** Chat Completions accepts at most this many stop sequences. */
export const openAIMaxStopSequences = 4;

function convertMessage(message: Message): OpenAIChatMessage[] {
  switch (message.role) {
    case 'user':
      return [{ role: 'user', content: message.content }];
    case 'assistant': {
      const text = assistantText(message.content);
      const calls = message.content.flatMap((part) =>
        part.type === 'tool-call'
          ? [{ id: part.toolCallId, type: 'function' as const, function: { name: part.toolName, arguments: JSON.stringify(part.input) } }]
          : [],
      );
      // content is "required unless tool_calls is specified": null only next to tool calls.
      return [{ role: 'assistant', content: text === '' && calls.length > 0 ? null : text, ...(calls.length ? { tool_calls: calls } : {}) }];
    }
    case 'tool':
      return message.results.map((result) => ({ role: 'tool', tool_call_id: result.toolCallId, content: result.output }));
  }
}

export function toOpenAIRequest(
  modelId: string,
  options: CallOptions,
  flavour: { compatible: boolean; maxOutputTokens?: number; stream?: boolean },
): { body: OpenAIChatBody; warnings: CallWarning[] } {
  const warnings: CallWarning[] = [];
  const messages: OpenAIChatMessage[] = [];
  // OpenAI caches long stable prefixes on its own; joining keeps the cacheable layers first and byte-stable.
  const system = joinedSystem(options.system);
  if (system !== undefined) messages.push({ role: 'system', content: system });
  for (const message of options.messages) messages.push(...convertMessage(message));
  const body: OpenAIChatBody = { model: modelId, messages };
  if (options.tools?.length) {
    body.tools = options.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
    }));
  }
  if (options.responseFormat) {
    // Structured Outputs: strict (decoding constrained to the schema) only when the schema qualifies;
    // otherwise the schema still guides the model and the agent loop checks the answer.
    const { name, schema } = options.responseFormat;
    body.response_format = { type: 'json_schema', json_schema: { name: schemaName(name), schema, strict: qualifiesForOpenAIStrict(schema) } };
  }
  const maxTokens = options.maxTokens ?? flavour.maxOutputTokens;
  // max_tokens is deprecated on OpenAI and rejected by its reasoning models; compatible servers
  // (vLLM, LM Studio, DeepSeek, Ollama /v1) only know max_tokens.
  if (maxTokens !== undefined) {
    if (flavour.compatible) body.max_tokens = maxTokens;
    else body.max_completion_tokens = maxTokens;
  }
  const reasoning = !flavour.compatible && isOpenAIReasoningModel(modelId);
  const unsupported = (setting: string, what: string) =>
    warnings.push({ type: 'unsupported-setting', setting, message: `${modelId} is a reasoning model and rejects ${what}; not sent` });
  if (options.temperature !== undefined) {
    // The default (1) is accepted but changes nothing, so it is left out silently.
    if (!reasoning) body.temperature = options.temperature;
    else if (options.temperature !== 1) unsupported('temperature', 'a temperature other than 1');
  }
  if (options.topP !== undefined) {
    if (!reasoning) body.top_p = options.topP;
    else if (options.topP !== 1) unsupported('topP', 'a top_p other than 1');
  }
  if (options.stopSequences?.length) {
    if (reasoning) unsupported('stopSequences', 'stop sequences');
    else {
      if (options.stopSequences.length > openAIMaxStopSequences)
        warnings.push({
          type: 'unsupported-setting',
          setting: 'stopSequences',
          message: `Chat Completions accepts at most ${openAIMaxStopSequences} stop sequences; the rest were dropped`,
        });
      body.stop = options.stopSequences.slice(0, openAIMaxStopSequences);
    }
  }
  // Only with stream: true ("Only set this when you set stream: true"); the final chunk then carries usage.
  if (flavour.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  mergeProviderOptions(body, options, flavour.compatible ? 'openai-compatible' : 'openai', ['model', 'messages', 'tools', 'stream', 'stream_options'], warnings);
  return { body, warnings };
}
