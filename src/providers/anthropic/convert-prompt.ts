// Pure conversion of our CallOptions into an Anthropic Messages request body (wire shape as in
// ../shared/wire/anthropic). No SDK import: the body is plain JSON the SDK passes through.

import type { CallOptions, CallWarning, Message } from '../types.js';
import { mergeSameRole } from '../prompt-utils.js';

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
  content: string;
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
}

/** The Messages API requires max_tokens; used when neither the call nor the model config sets one. */
export const defaultAnthropicMaxTokens = 4096;

function convertMessage(message: Message): AnthropicMessage {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: [{ type: 'text', text: message.content }] };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content.map((part) =>
          part.type === 'text'
            ? { type: 'text', text: part.text }
            : { type: 'tool_use', id: part.toolCallId, name: part.toolName, input: part.input },
        ),
      };
    case 'tool':
      return {
        role: 'user',
        content: message.results.map((result) => ({
          type: 'tool_result',
          tool_use_id: result.toolCallId,
          content: result.output,
          ...(result.isError ? { is_error: true } : {}),
        })),
      };
  }
}

export function toAnthropicRequest(
  modelId: string,
  options: CallOptions,
  defaults: { maxOutputTokens?: number } = {},
): { body: AnthropicRequestBody; warnings: CallWarning[] } {
  const warnings: CallWarning[] = [];
  const body: AnthropicRequestBody = {
    model: modelId,
    max_tokens: options.maxTokens ?? defaults.maxOutputTokens ?? defaultAnthropicMaxTokens,
    messages: mergeSameRole(options.messages.map(convertMessage), (message) => message.content, (role, content) => ({ role, content })),
  };
  const system = options.system.filter((part) => part.text !== '');
  if (system.length > 0) {
    body.system = system.map((part) => ({
      type: 'text',
      text: part.text,
      ...(part.cacheable ? { cache_control: { type: 'ephemeral' as const } } : {}),
    }));
  }
  if (options.tools?.length) {
    body.tools = options.tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.inputSchema }));
  }
  if (options.temperature !== undefined) body.temperature = options.temperature;
  if (options.topP !== undefined) {
    // Current Claude models reject temperature and top_p together; temperature wins.
    if (options.temperature !== undefined)
      warnings.push({ type: 'unsupported-setting', setting: 'topP', message: 'Anthropic does not accept topP together with temperature; topP dropped' });
    else body.top_p = options.topP;
  }
  if (options.stopSequences?.length) body.stop_sequences = options.stopSequences;
  return { body, warnings };
}
