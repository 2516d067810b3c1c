// Token counts for estimates. OpenAI models are counted exactly with gpt-tokenizer (o200k_base, or
// cl100k_base for gpt-3.5 / gpt-4 / gpt-4-turbo). Other vendors do not publish their tokenizers, so
// their count is the o200k count times a per-provider-type factor, calibrated on English prose and
// code (known error: roughly ±10-15% on English, more on other scripts and on very repetitive text).
// The tokenizer is imported on first count only, so nothing but `estimate` pays for loading it.

import type { ModelSpec, ProviderType } from '../compile/ir.js';

export type EncodingName = 'o200k_base' | 'cl100k_base';

/** Tokens per o200k token. Claude's tokenizer yields ~10% more; Llama 3 ~5% more; Gemini about the same. */
export const approximationFactors: Record<ProviderType, number> = {
  openai: 1,
  anthropic: 1.1,
  gemini: 1,
  ollama: 1.05,
  'openai-compatible': 1.05,
};

/**
 * Per tier, what the count is multiplied by. The floor must stay under any real provider count:
 * providers add framing per message and per tool, but another tokenizer may need far fewer tokens
 * for the same text (the o200k approximation is off by ±15% on prose and more on code, JSON and
 * other scripts; a byte-based count gives dense code about 0.7 of its o200k count), so the floor
 * takes 0.6 of an approximated count and 0.75 of an exact one. The ceiling takes 1.5 of an approximated count
 * and 1.15 of an exact one, plus framing per call (below). History replaces these with what the
 * provider reported (see history.ts).
 */
export const tierFactors = {
  exact: { low: 0.75, worst: 1.15 },
  approximate: { low: 0.6, worst: 1.5 },
} as const;
/** Tool definitions: OpenAI renders them more compactly than their JSON, so the floor counts less. */
export const toolDefinitionFloorShare = 0.6;
/** Tokens of message framing (roles, separators, request fields) a ceiling adds per call. */
export const framingTokensPerCall = 64;

const cl100kModels = /^gpt-(3\.5|4)(-|$)/;

/** How a model's tokens are counted: the encoding, and whether the count is exact. */
export function tokenizerFor(model: ModelSpec): { encoding: EncodingName; factor: number; exact: boolean } {
  if (model.provider.type === 'openai') return { encoding: cl100kModels.test(model.ref.model) ? 'cl100k_base' : 'o200k_base', factor: 1, exact: true };
  return { encoding: 'o200k_base', factor: approximationFactors[model.provider.type], exact: false };
}

/** Starts loading the o200k tokenizer (used for every provider) before it is needed. */
export async function preloadTokenizer(): Promise<void> {
  await import('gpt-tokenizer/encoding/o200k_base');
}

type CountFunction = (text: string) => number;

/**
 * BPE merging is quadratic in the length of one pre-tokenised "word", so 400 KB without whitespace
 * took most of a minute. The tokenizer is fed chunks of at most this many characters, cut at
 * whitespace where there is some (so ordinary text counts exactly) and anywhere otherwise (a cut
 * inside a word costs at most a token or so).
 */
export const maxTokenizerChunk = 4096;

/** `text` in chunks of at most maxTokenizerChunk characters, never splitting a surrogate pair. */
export function tokenizerChunks(text: string): string[] {
  if (text.length <= maxTokenizerChunk) return [text];
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + maxTokenizerChunk, text.length);
    if (end < text.length) {
      // Cut just before whitespace in the chunk's second half, where the pre-tokeniser would split too.
      const space = Math.max(text.lastIndexOf(' ', end), text.lastIndexOf('\n', end));
      if (space > start + maxTokenizerChunk / 2) end = space;
      const code = text.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end -= 1;
    }
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

/** Counts with memoisation by text: the same layer shared by ten steps is tokenised once. */
export class TokenCounter {
  private readonly encoders = new Map<EncodingName, CountFunction>();
  private readonly counts = new Map<string, number>();

  async load(encoding: EncodingName): Promise<void> {
    if (this.encoders.has(encoding)) return;
    const module = encoding === 'o200k_base' ? await import('gpt-tokenizer/encoding/o200k_base') : await import('gpt-tokenizer/encoding/cl100k_base');
    this.encoders.set(encoding, (text) => tokenizerChunks(text).reduce((sum, chunk) => sum + module.countTokens(chunk), 0));
  }

  /** Raw count in an encoding (load it first). */
  countIn(encoding: EncodingName, text: string): number {
    if (text === '') return 0;
    const key = `${encoding}\u0000${text}`;
    let count = this.counts.get(key);
    if (count === undefined) {
      const encoder = this.encoders.get(encoding);
      if (!encoder) throw new Error(`encoding ${encoding} is not loaded`);
      count = encoder(text);
      this.counts.set(key, count);
    }
    return count;
  }

  /** Tokens of `text` for `model`: exact for OpenAI, approximated (rounded up) for the others. */
  async count(model: ModelSpec, text: string): Promise<number> {
    const { encoding, factor } = tokenizerFor(model);
    await this.load(encoding);
    return Math.ceil(this.countIn(encoding, text) * factor);
  }

  /** The raw o200k (or cl100k) count of `text` for `model`, before any factor. */
  async raw(model: ModelSpec, text: string): Promise<number> {
    const { encoding } = tokenizerFor(model);
    await this.load(encoding);
    return this.countIn(encoding, text);
  }
}
