// Pure conversion of CallOptions into an OpenAI Chat Completions body (../shared/wire/openai).
// Also serves openai-compatible servers (LM Studio, vLLM, Ollama /v1, DeepSeek, Groq, OpenRouter).

import type { CallOptions, CallWarning, Message } from '../types.js';
import { assistantText, joinedSystem } from '../prompt-utils.js';

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
      return [{ role: 'assistant', content: text === '' ? null : text, ...(calls.length ? { tool_calls: calls } : {}) }];
    }
    case 'tool':
      return message.results.map((result) => ({ role: 'tool', tool_call_id: result.toolCallId, content: result.output }));
  }
}

export function toOpenAIRequest(
  modelId: string,
  options: CallOptions,
  flavour: { compatible: boolean; maxOutputTokens?: number },
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
  const maxTokens = options.maxTokens ?? flavour.maxOutputTokens;
  // OpenAI's own reasoning models reject max_tokens; most compatible servers only know max_tokens.
  if (maxTokens !== undefined) {
    if (flavour.compatible) body.max_tokens = maxTokens;
    else body.max_completion_tokens = maxTokens;
  }
  if (options.temperature !== undefined) body.temperature = options.temperature;
  if (options.topP !== undefined) body.top_p = options.topP;
  if (options.stopSequences?.length) {
    if (options.stopSequences.length > openAIMaxStopSequences)
      warnings.push({
        type: 'unsupported-setting',
        setting: 'stopSequences',
        message: `Chat Completions accepts at most ${openAIMaxStopSequences} stop sequences; the rest were dropped`,
      });
    body.stop = options.stopSequences.slice(0, openAIMaxStopSequences);
  }
  return { body, warnings };
}
