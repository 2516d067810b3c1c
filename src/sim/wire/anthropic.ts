// POST /v1/messages: a `message` object, or SSE with `event:` lines (../shared/wire/anthropic/*.sse).

import { finishOf, fullText, textChunks, usageOf, type SimTurn } from '../script.js';
import { json, jsonReply, type WireContext, type WireProtocol, type WireReply } from './types.js';

const stopReason = { stop: 'end_turn', length: 'max_tokens', 'tool-calls': 'tool_use' } as const;

function usage(turn: SimTurn) {
  const u = usageOf(turn);
  return { input_tokens: u.input, cache_creation_input_tokens: u.cacheWrite, cache_read_input_tokens: u.cacheRead, output_tokens: u.output };
}

const event = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${json({ type, ...data })}\n\n`;

function toolId(turn: SimTurn, index: number, context: WireContext): string {
  return turn.toolCalls?.[index]?.id ?? `toolu_sim_${context.sequence}_${index}`;
}

function renderStream(turn: SimTurn, context: WireContext): WireReply {
  const id = `msg_sim_${context.sequence}`;
  const frames: string[] = [];
  const finalUsage = usage(turn);
  frames.push(
    event('message_start', {
      message: { model: context.model, id, type: 'message', role: 'assistant', content: [], stop_reason: null, stop_sequence: null, usage: { ...finalUsage, output_tokens: 1 } },
    }),
  );
  let index = 0;
  const chunks = textChunks(turn.text);
  if (chunks.length > 0) {
    frames.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    frames.push('event: ping\ndata: {"type": "ping"}\n\n');
    for (const text of chunks) frames.push(event('content_block_delta', { index, delta: { type: 'text_delta', text } }));
    frames.push(event('content_block_stop', { index }));
    index++;
  }
  for (const [callIndex, call] of (turn.toolCalls ?? []).entries()) {
    const input = call.rawArguments ?? json(call.input);
    const half = Math.floor(input.length / 2);
    frames.push(event('content_block_start', { index, content_block: { type: 'tool_use', id: toolId(turn, callIndex, context), name: call.name, input: {} } }));
    for (const partial_json of ['', input.slice(0, half), input.slice(half)])
      frames.push(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }));
    frames.push(event('content_block_stop', { index }));
    index++;
  }
  frames.push(event('message_delta', { delta: { stop_reason: stopReason[finishOf(turn)], stop_sequence: null }, usage: finalUsage }));
  frames.push(event('message_stop', {}));
  return { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'request-id': `req_sim_${context.sequence}` }, frames };
}

function renderMessage(turn: SimTurn, context: WireContext): WireReply {
  const content: Array<Record<string, unknown>> = [];
  const text = fullText(turn.text);
  if (text) content.push({ type: 'text', text });
  for (const [callIndex, call] of (turn.toolCalls ?? []).entries())
    content.push({ type: 'tool_use', id: toolId(turn, callIndex, context), name: call.name, input: call.input });
  return jsonReply(
    200,
    {
      model: context.model,
      id: `msg_sim_${context.sequence}`,
      type: 'message',
      role: 'assistant',
      content,
      stop_reason: stopReason[finishOf(turn)],
      stop_sequence: null,
      usage: usage(turn),
    },
    { 'request-id': `req_sim_${context.sequence}` },
  );
}

export const anthropicWire: WireProtocol = {
  api: 'anthropic',
  renderTurn: (turn, context) => (context.stream ? renderStream(turn, context) : renderMessage(turn, context)),
};
