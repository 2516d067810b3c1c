import type { FinishReason } from '../types.js';

/** Chat Completions `finish_reason` -> FinishReason. A call forced by name ends with `stop`, so tool calls win. */
export function mapOpenAIFinishReason(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls && (reason === 'stop' || reason === 'tool_calls' || reason === 'function_call')) return 'tool-calls';
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}
