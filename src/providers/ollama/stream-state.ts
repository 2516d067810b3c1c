// Folds Ollama /api/chat NDJSON lines (or the one non-stream response) into StreamParts. Pure.

import type { AssistantContent, CallWarning, GenerateResult, StreamPart, ToolCallContent } from '../types.js';
import { mapOllamaDoneReason } from './map-finish-reason.js';
import { syntheticOllamaCallIdPrefix } from './convert-prompt.js';

export interface OllamaLine {
  model?: string;
  message?: { content?: string; thinking?: string; tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: Record<string, unknown> } }> };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
}

export class OllamaStreamState {
  private readonly content: AssistantContent[] = [];
  private last: OllamaLine | undefined;
  private callCount = 0;

  constructor(
    private readonly warnings: CallWarning[],
    private readonly newId: () => string = () => `${syntheticOllamaCallIdPrefix}${crypto.randomUUID()}`,
  ) {}

  get done(): boolean {
    return this.last?.done === true;
  }

  handle(line: OllamaLine): StreamPart[] {
    this.last = line;
    const parts: StreamPart[] = [];
    const text = line.message?.content;
    if (text) {
      const previous = this.content.at(-1);
      if (previous?.type === 'text') previous.text += text;
      else this.content.push({ type: 'text', text });
      parts.push({ type: 'text-delta', delta: text });
    }
    for (const wire of line.message?.tool_calls ?? []) {
      const call: ToolCallContent = { type: 'tool-call', toolCallId: wire.id ?? this.newId(), toolName: wire.function?.name ?? '', input: wire.function?.arguments ?? {} };
      this.callCount++;
      this.content.push(call);
      parts.push({ type: 'tool-call', call });
    }
    return parts;
  }

  result(): GenerateResult {
    return {
      content: this.content,
      finishReason: mapOllamaDoneReason(this.last?.done_reason, this.callCount > 0),
      usage: { inputTokens: this.last?.prompt_eval_count ?? 0, outputTokens: this.last?.eval_count ?? 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
      warnings: this.warnings,
      ...(this.last?.model ? { responseModel: this.last.model } : {}),
    };
  }
}
