// Request content in the shape the GenAI semantic conventions give `gen_ai.input.messages` and
// `gen_ai.system_instructions`: role + typed parts. Only built when content tracing is on.
import type { CallOptions, Message } from '../providers/types.js';

type Part =
  | { type: 'text'; content: string }
  | { type: 'tool_call'; id: string; name: string; arguments: Record<string, unknown> }
  | { type: 'tool_call_response'; id: string; response: string };

function toMessage(message: Message): { role: string; parts: Part[] } {
  switch (message.role) {
    case 'user':
      return { role: 'user', parts: [{ type: 'text', content: message.content }] };
    case 'assistant':
      return {
        role: 'assistant',
        parts: message.content.map((part): Part => (part.type === 'text' ? { type: 'text', content: part.text } : { type: 'tool_call', id: part.toolCallId, name: part.toolName, arguments: part.input })),
      };
    case 'tool':
      return { role: 'tool', parts: message.results.map((result): Part => ({ type: 'tool_call_response', id: result.toolCallId, response: result.output })) };
  }
}

/** JSON text of the conversation sent, and of the system instructions (absent when there are none). */
export function requestContent(request: Pick<CallOptions, 'system' | 'messages'>): { input: string; system?: string } {
  const input = JSON.stringify(request.messages.map(toMessage));
  if (request.system.length === 0) return { input };
  return { input, system: JSON.stringify(request.system.map((part) => ({ type: 'text', content: part.text }))) };
}
