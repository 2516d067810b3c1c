// Folds Chat Completions chunks (text deltas, tool-call fragments by index, finish chunk, usage chunk)
// into StreamParts and a GenerateResult. Pure.

import type { AssistantContent, CallWarning, GenerateResult, StreamPart, ToolCallContent, Usage } from '../types.js';
import { mapOpenAIFinishReason } from './map-finish-reason.js';

export interface OpenAIUsageWire {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

/** OpenAI's prompt_tokens includes cached tokens; ours does not, so each token is priced once. */
export function mapOpenAIUsage(usage: OpenAIUsageWire | null | undefined): Usage {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    inputTokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cached),
    outputTokens: usage?.completion_tokens ?? 0,
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
  };
}

interface WireToolCall {
  index?: number;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

interface Chunk {
  model?: string;
  choices?: Array<{ delta?: { content?: string | null; tool_calls?: WireToolCall[] | null } | null; finish_reason?: string | null }>;
  usage?: OpenAIUsageWire | null;
}

export class OpenAIStreamState {
  private text = '';
  private readonly calls = new Map<number, { id: string; name: string; json: string }>();
  private readonly finished: ToolCallContent[] = [];
  private finishReason: string | null | undefined;
  private usage: Usage = mapOpenAIUsage(undefined);
  private model: string | undefined;

  constructor(
    private readonly parseArguments: (json: string, toolName: string) => Record<string, unknown>,
    private readonly warnings: CallWarning[],
  ) {}

  /** A finish_reason arrived; the stream may still carry the usage chunk after it. */
  get done(): boolean {
    return this.finishReason !== undefined && this.finishReason !== null;
  }

  handle(chunk: Chunk): StreamPart[] {
    if (chunk.model) this.model = chunk.model;
    if (chunk.usage) this.usage = mapOpenAIUsage(chunk.usage);
    const parts: StreamPart[] = [];
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta;
      if (delta?.content) {
        this.text += delta.content;
        parts.push({ type: 'text-delta', delta: delta.content });
      }
      for (const fragment of delta?.tool_calls ?? []) {
        const index = fragment.index ?? 0;
        const call = this.calls.get(index) ?? { id: '', name: '', json: '' };
        if (fragment.id) call.id = fragment.id;
        if (fragment.function?.name) call.name += fragment.function.name;
        if (fragment.function?.arguments) call.json += fragment.function.arguments;
        this.calls.set(index, call);
      }
      if (choice.finish_reason) {
        this.finishReason = choice.finish_reason;
        parts.push(...this.flushCalls());
      }
    }
    return parts;
  }

  /** Emits completed tool calls once (at finish, or at end of stream for servers that skip finish_reason). */
  flushCalls(): StreamPart[] {
    const parts: StreamPart[] = [];
    for (const [index, call] of [...this.calls.entries()].sort(([a], [b]) => a - b)) {
      const content: ToolCallContent = { type: 'tool-call', toolCallId: call.id || `call_${index}`, toolName: call.name, input: this.parseArguments(call.json, call.name) };
      this.finished.push(content);
      parts.push({ type: 'tool-call', call: content });
    }
    this.calls.clear();
    return parts;
  }

  result(): GenerateResult {
    const content: AssistantContent[] = [];
    if (this.text) content.push({ type: 'text', text: this.text });
    content.push(...this.finished);
    return {
      content,
      finishReason: mapOpenAIFinishReason(this.finishReason, this.finished.length > 0),
      usage: this.usage,
      warnings: this.warnings,
      ...(this.model ? { responseModel: this.model } : {}),
    };
  }
}
