// Folds Anthropic raw stream events (message_start, content_block_*, message_delta, message_stop)
// into our StreamParts and a final GenerateResult. Pure: fed events, no I/O.

import type { AssistantContent, CallWarning, GenerateResult, StreamPart, ToolCallContent, Usage } from '../types.js';
import { mapAnthropicStopReason } from './map-finish-reason.js';

export interface AnthropicUsageWire {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

/** Anthropic's input_tokens already excludes cache reads and writes, matching our Usage. */
export function mapAnthropicUsage(usage: AnthropicUsageWire | null | undefined, previous?: Usage): Usage {
  return {
    inputTokens: usage?.input_tokens ?? previous?.inputTokens ?? 0,
    outputTokens: usage?.output_tokens ?? previous?.outputTokens ?? 0,
    cacheReadTokens: usage?.cache_read_input_tokens ?? previous?.cacheReadTokens ?? 0,
    cacheWriteTokens: usage?.cache_creation_input_tokens ?? previous?.cacheWriteTokens ?? 0,
  };
}

interface RawEvent {
  type: string;
  index?: number;
  message?: { model?: string; usage?: AnthropicUsageWire };
  content_block?: { type: string; id?: string; name?: string; text?: string };
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
  usage?: AnthropicUsageWire;
}

type OpenBlock = { kind: 'text' } | { kind: 'tool'; id: string; name: string; json: string };

export class AnthropicStreamState {
  private readonly blocks = new Map<number, OpenBlock>();
  private readonly content: AssistantContent[] = [];
  private usage: Usage = mapAnthropicUsage(undefined);
  private stopReason: string | null | undefined;
  private model: string | undefined;
  /** True once message_stop arrived; a stream that ends without it was cut. */
  done = false;

  constructor(
    private readonly parseArguments: (json: string, toolName: string) => Record<string, unknown>,
    private readonly warnings: CallWarning[],
  ) {}

  handle(event: RawEvent): StreamPart[] {
    switch (event.type) {
      case 'message_start':
        this.model = event.message?.model;
        this.usage = mapAnthropicUsage(event.message?.usage, this.usage);
        return [];
      case 'content_block_start': {
        const block = event.content_block;
        if (block?.type === 'tool_use') this.blocks.set(event.index ?? 0, { kind: 'tool', id: block.id ?? '', name: block.name ?? '', json: '' });
        else if (block?.type === 'text') {
          this.blocks.set(event.index ?? 0, { kind: 'text' });
          if (block.text) return this.addText(block.text);
        }
        return [];
      }
      case 'content_block_delta': {
        const open = this.blocks.get(event.index ?? 0);
        if (event.delta?.type === 'text_delta' && event.delta.text) return this.addText(event.delta.text);
        if (event.delta?.type === 'input_json_delta' && open?.kind === 'tool') open.json += event.delta.partial_json ?? '';
        return [];
      }
      case 'content_block_stop': {
        const open = this.blocks.get(event.index ?? 0);
        this.blocks.delete(event.index ?? 0);
        if (open?.kind !== 'tool') return [];
        const call: ToolCallContent = { type: 'tool-call', toolCallId: open.id, toolName: open.name, input: this.parseArguments(open.json, open.name) };
        this.content.push(call);
        return [{ type: 'tool-call', call }];
      }
      case 'message_delta':
        if (event.delta?.stop_reason !== undefined) this.stopReason = event.delta.stop_reason;
        this.usage = mapAnthropicUsage(event.usage, this.usage);
        return [];
      case 'message_stop':
        this.done = true;
        return [];
      default:
        return [];
    }
  }

  result(): GenerateResult {
    return {
      content: this.content,
      finishReason: mapAnthropicStopReason(this.stopReason),
      usage: this.usage,
      warnings: this.warnings,
      ...(this.model ? { responseModel: this.model } : {}),
    };
  }

  private addText(text: string): StreamPart[] {
    const last = this.content.at(-1);
    if (last?.type === 'text') last.text += text;
    else this.content.push({ type: 'text', text });
    return [{ type: 'text-delta', delta: text }];
  }
}

/** Non-streaming response body -> content. */
export function mapAnthropicContent(
  blocks: Array<{ type: string; text?: string; id?: string; name?: string; input?: unknown }>,
): AssistantContent[] {
  const content: AssistantContent[] = [];
  for (const block of blocks) {
    if (block.type === 'text' && typeof block.text === 'string') content.push({ type: 'text', text: block.text });
    else if (block.type === 'tool_use')
      content.push({ type: 'tool-call', toolCallId: block.id ?? '', toolName: block.name ?? '', input: (block.input ?? {}) as Record<string, unknown> });
  }
  return content;
}
