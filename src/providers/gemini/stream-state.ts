// Folds Gemini GenerateContentResponse chunks into StreamParts and a GenerateResult. Pure.
// Non-streaming responses are the same shape, so generate() feeds its one response through this too.

import type { AssistantContent, CallWarning, GenerateResult, StreamPart, ToolCallContent, Usage } from '../types.js';
import { syntheticCallIdPrefix } from './convert-prompt.js';
import { mapGeminiFinishReason } from './map-finish-reason.js';

export interface GeminiUsageWire {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
}

/** promptTokenCount includes cached tokens; thinking tokens are billed as output. */
export function mapGeminiUsage(usage: GeminiUsageWire | undefined): Usage {
  const cached = usage?.cachedContentTokenCount ?? 0;
  return {
    inputTokens: Math.max(0, (usage?.promptTokenCount ?? 0) - cached),
    outputTokens: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
    cacheReadTokens: cached,
    cacheWriteTokens: 0,
  };
}

interface WirePart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { id?: string; name?: string; args?: Record<string, unknown> };
}

export interface GeminiChunk {
  candidates?: Array<{ content?: { parts?: WirePart[] }; finishReason?: string }>;
  usageMetadata?: GeminiUsageWire;
  modelVersion?: string;
}

export class GeminiStreamState {
  private readonly content: AssistantContent[] = [];
  private finishReason: string | undefined;
  private usage: Usage = mapGeminiUsage(undefined);
  private model: string | undefined;
  private callCount = 0;

  constructor(
    private readonly warnings: CallWarning[],
    private readonly newId: () => string = () => `${syntheticCallIdPrefix}${crypto.randomUUID()}`,
  ) {}

  /** Gemini streams end at connection close; finishReason on the last chunk is the only end marker. */
  get done(): boolean {
    return this.finishReason !== undefined;
  }

  handle(chunk: GeminiChunk): StreamPart[] {
    if (chunk.modelVersion) this.model = chunk.modelVersion;
    // usageMetadata is cumulative on every chunk.
    if (chunk.usageMetadata) this.usage = mapGeminiUsage(chunk.usageMetadata);
    const candidate = chunk.candidates?.[0];
    const parts: StreamPart[] = [];
    for (const part of candidate?.content?.parts ?? []) {
      if (part.functionCall) {
        const call: ToolCallContent = {
          type: 'tool-call',
          toolCallId: part.functionCall.id ?? this.newId(),
          toolName: part.functionCall.name ?? '',
          input: part.functionCall.args ?? {},
          ...(part.thoughtSignature ? { providerMetadata: { gemini: { thoughtSignature: part.thoughtSignature } } } : {}),
        };
        this.callCount++;
        this.content.push(call);
        parts.push({ type: 'tool-call', call });
      } else if (typeof part.text === 'string' && part.text !== '' && !part.thought) {
        const last = this.content.at(-1);
        if (last?.type === 'text') last.text += part.text;
        else this.content.push({ type: 'text', text: part.text });
        parts.push({ type: 'text-delta', delta: part.text });
      }
    }
    if (candidate?.finishReason) this.finishReason = candidate.finishReason;
    return parts;
  }

  result(): GenerateResult {
    return {
      content: this.content,
      finishReason: mapGeminiFinishReason(this.finishReason, this.callCount > 0),
      usage: this.usage,
      warnings: this.warnings,
      ...(this.model ? { responseModel: this.model } : {}),
    };
  }
}
