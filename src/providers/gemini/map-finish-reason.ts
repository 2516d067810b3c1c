import type { FinishReason } from '../types.js';

const contentFilterReasons = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']);

/** Gemini `finishReason` -> FinishReason. Gemini ends a function-call turn with STOP, so calls win. */
export function mapGeminiFinishReason(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === 'STOP' || reason === undefined || reason === null) return hasToolCalls ? 'tool-calls' : reason === 'STOP' ? 'stop' : 'other';
  if (reason === 'MAX_TOKENS') return 'length';
  if (contentFilterReasons.has(reason)) return 'content-filter';
  if (reason === 'MALFORMED_FUNCTION_CALL') return 'error';
  return 'other';
}
