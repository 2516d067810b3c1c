// Helpers the embedding adapters share.

import { approximateTokens } from '../../search/format.js';
import type { CallOptions, EmbedOptions, Usage } from '../types.js';

/** The part of CallOptions the shared call scope reads (timeout and abort) for an embedding call. */
export const embedScope = (options: EmbedOptions): CallOptions => ({
  system: [],
  messages: [],
  ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
});

/** For protocols that report no token count (the Gemini API): about 4 characters a token. */
export const estimatedUsage = (values: string[]): Usage => ({
  inputTokens: values.reduce((sum, value) => sum + approximateTokens(value), 0),
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
});
