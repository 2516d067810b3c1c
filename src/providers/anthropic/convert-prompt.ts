// Pure conversion of our CallOptions into an Anthropic Messages request body (wire shape as in
// ../shared/wire/anthropic). No SDK import: the body is plain JSON the SDK passes through.

import type { CallOptions, CallWarning, Message } from '../types.js';
import { mergeSameRole } from '../prompt-utils.js';
import { mergeProviderOptions } from '../provider-options.js';
import { anthropicSamplingSettings, offersOutputConfig, sdkAnthropicVersion, type AnthropicApiVersion } from './api-version.js';
import { prepareSchema } from '../json-schema/prepare.js';

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  cache_control?: { type: 'ephemeral' };
}
export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}
export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  /** Optional in the API; omitted rather than sent empty (empty text is rejected). */
  content?: string;
  is_error?: boolean;
}
export type AnthropicBlock = AnthropicTextBlock | AnthropicToolUseBlock | AnthropicToolResultBlock;

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicBlock[];
}

export interface AnthropicRequestBody {
  model: string;
  max_tokens: number;
  system?: AnthropicTextBlock[];
  messages: AnthropicMessage[];
  tools?: Array<{ name: string; description: string; input_schema: Record<string, unknown> }>;
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  stream?: boolean;
  /** Structured outputs (SDK 1.12's OutputConfig.format). */
  output_config?: { format: { type: 'json_schema'; schema: Record<string, unknown> } };
  /** Set only for the forced-tool form of structured output. */
  tool_choice?: { type: 'tool'; name: string } | { type: 'any' };
}

/**
 * The tool that carries the answer when the API version predates `output_config` (a provider that
 * pins `anthropic-version: 2023-06-01`): its input schema is the output schema and the model must call
 * it; the adapter turns that call back into the answer's text (unwrapOutputTool).
 */
export const outputToolName = 'agentpipe_output';

/** The Messages API requires max_tokens; used when neither the call nor the model config sets one. */
export const defaultAnthropicMaxTokens = 4096;

/** The API rejects empty and whitespace-only text ("text content blocks must contain non-whitespace text"). */
const hasText = (text: string) => text.trim() !== '';

function convertMessage(message: Message): AnthropicMessage {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: hasText(message.content) ? [{ type: 'text', text: message.content }] : [] };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content.flatMap((part): AnthropicBlock[] => {
          if (part.type === 'text') return hasText(part.text) ? [{ type: 'text', text: part.text }] : [];
          return [{ type: 'tool_use', id: part.toolCallId, name: part.toolName, input: part.input }];
        }),
      };
    case 'tool':
      return {
        role: 'user',
        content: message.results.map((result) => ({
          type: 'tool_result',
          tool_use_id: result.toolCallId,
          ...(hasText(result.output) ? { content: result.output } : {}),
          ...(result.isError ? { is_error: true } : {}),
        })),
      };
  }
}

/** tool_result blocks must open the user turn that answers a tool_use; text after them is fine, before them is a 400. */
function toolResultsFirst(message: AnthropicMessage): AnthropicMessage {
  if (message.role !== 'user') return message;
  const results = message.content.filter((block) => block.type === 'tool_result');
  return results.length === 0 ? message : { role: 'user', content: [...results, ...message.content.filter((block) => block.type !== 'tool_result')] };
}

/**
 * System blocks, with one cache breakpoint on the last part of the leading run of cacheable parts.
 * The cache is a prefix (tools, then system, then messages), so that single breakpoint caches the
 * whole stable prefix; a part after a non-cacheable one can never hit the cache. One marker also
 * stays well inside the API's limit of 4 ("A maximum of 4 blocks with cache_control may be provided").
 */
export function anthropicSystem(parts: CallOptions['system']): AnthropicTextBlock[] {
  const kept = parts.filter((part) => hasText(part.text));
  const stablePrefix = kept.findIndex((part) => !part.cacheable);
  const breakpoint = (stablePrefix === -1 ? kept.length : stablePrefix) - 1;
  return kept.map((part, index) => ({ type: 'text', text: part.text, ...(index === breakpoint ? { cache_control: { type: 'ephemeral' as const } } : {}) }));
}

export function toAnthropicRequest(
  modelId: string,
  options: CallOptions,
  defaults: { maxOutputTokens?: number; apiVersion?: AnthropicApiVersion } = {},
): { body: AnthropicRequestBody; warnings: CallWarning[] } {
  const warnings: CallWarning[] = [];
  const converted = options.messages.map(convertMessage).filter((message) => message.content.length > 0);
  const body: AnthropicRequestBody = {
    model: modelId,
    max_tokens: options.maxTokens ?? defaults.maxOutputTokens ?? defaultAnthropicMaxTokens,
    messages: mergeSameRole(converted, (message) => message.content, (role, content) => ({ role, content })).map(toolResultsFirst),
  };
  // An assistant turn of only whitespace (models do answer "\n\n") goes silently; a user turn is worth a word.
  if (options.messages.some((message) => message.role === 'user' && !hasText(message.content)))
    warnings.push({ type: 'other', message: 'Anthropic rejects empty text; a user message with only whitespace was left out' });
  const system = anthropicSystem(options.system);
  if (system.length > 0) body.system = system;
  if (options.tools?.length) {
    body.tools = options.tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.inputSchema }));
  }
  if (options.responseFormat) addStructuredOutput(body, options.responseFormat.schema, defaults.apiVersion ?? sdkAnthropicVersion, warnings);
  Object.assign(body, anthropicSamplingSettings(options, defaults.apiVersion, warnings));
  if (options.stopSequences?.length) {
    // "stop_sequences: each stop sequence must contain non-whitespace"
    const usable = options.stopSequences.filter(hasText);
    if (usable.length < options.stopSequences.length)
      warnings.push({ type: 'unsupported-setting', setting: 'stopSequences', message: 'Anthropic rejects whitespace-only stop sequences; they were dropped' });
    if (usable.length > 0) body.stop_sequences = usable;
  }
  mergeProviderOptions(body, options, 'anthropic', ['model', 'messages', 'system', 'tools', 'stream'], warnings);
  return { body, warnings };
}

function addStructuredOutput(body: AnthropicRequestBody, schema: Record<string, unknown>, version: AnthropicApiVersion, warnings: CallWarning[]): void {
  const prepared = prepareSchema('anthropic', 'output', 'output schema', schema, warnings);
  if (offersOutputConfig(version)) {
    body.output_config = { format: { type: 'json_schema', schema: prepared } };
    return;
  }
  // A tool's input is always an object; any other root is left to the agent loop's check and repair.
  if (prepared.type !== 'object') return;
  const tools = body.tools ?? [];
  body.tools = [...tools, { name: outputToolName, description: 'Give your final answer by calling this tool; its input is the answer.', input_schema: prepared }];
  // With no other tools the call is forced; with tools the model must call one of them each turn, and
  // calling this one ends the loop.
  body.tool_choice = tools.length === 0 ? { type: 'tool', name: outputToolName } : { type: 'any' };
}
