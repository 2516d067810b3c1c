import type { FinishReason } from '../types.js';

/** Ollama `done_reason` -> FinishReason. Ollama says `stop` even after tool calls. */
export function mapOllamaDoneReason(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === 'length') return 'length';
  if (hasToolCalls) return 'tool-calls';
  return reason === 'stop' ? 'stop' : 'other';
}
