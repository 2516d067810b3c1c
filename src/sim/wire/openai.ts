// POST /v1/chat/completions: `chat.completion` JSON, or `data:` chunks, an include_usage chunk
// with `choices: []`, then `data: [DONE]` (../shared/wire/openai/chat.stream.*.sse).

import { finishOf, fullText, textChunks, usageOf, type SimTurn } from '../script.js';
import { json, jsonReply, type WireContext, type WireProtocol, type WireReply } from './types.js';

const finishReason = { stop: 'stop', length: 'length', 'tool-calls': 'tool_calls' } as const;

function usage(turn: SimTurn) {
  const u = usageOf(turn);
  return {
    prompt_tokens: u.input + u.cacheRead,
    completion_tokens: u.output,
    total_tokens: u.input + u.cacheRead + u.output,
    prompt_tokens_details: { cached_tokens: u.cacheRead, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

const callId = (turn: SimTurn, index: number, context: WireContext) => turn.toolCalls?.[index]?.id ?? `call_sim_${context.sequence}_${index}`;

function renderStream(turn: SimTurn, context: WireContext): WireReply {
  const base = { id: `chatcmpl-sim${context.sequence}`, object: 'chat.completion.chunk', created: 1778031210, model: context.model, system_fingerprint: 'fp_sim' };
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${json({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null })}\n\n`;
  const frames = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  for (const content of textChunks(turn.text)) frames.push(chunk({ content }, null));
  for (const [index, call] of (turn.toolCalls ?? []).entries()) {
    const args = call.rawArguments ?? json(call.input);
    const half = Math.floor(args.length / 2);
    frames.push(chunk({ tool_calls: [{ index, id: callId(turn, index, context), type: 'function', function: { name: call.name, arguments: '' } }] }, null));
    frames.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(0, half) } }] }, null));
    frames.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] }, null));
  }
  frames.push(chunk({}, finishReason[finishOf(turn)]));
  const options = context.body.stream_options as { include_usage?: boolean } | undefined;
  if (options?.include_usage) frames.push(`data: ${json({ ...base, choices: [], usage: usage(turn) })}\n\n`);
  frames.push('data: [DONE]\n\n');
  return { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': `req_sim_${context.sequence}` }, frames };
}

function renderCompletion(turn: SimTurn, context: WireContext): WireReply {
  const text = fullText(turn.text);
  const toolCalls = (turn.toolCalls ?? []).map((call, index) => ({
    id: callId(turn, index, context),
    type: 'function',
    function: { name: call.name, arguments: call.rawArguments ?? json(call.input) },
  }));
  return jsonReply(
    200,
    {
      id: `chatcmpl-sim${context.sequence}`,
      object: 'chat.completion',
      created: 1778031210,
      model: context.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text === '' ? null : text, refusal: null, annotations: [], ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
          logprobs: null,
          finish_reason: finishReason[finishOf(turn)],
        },
      ],
      usage: usage(turn),
      system_fingerprint: 'fp_sim',
    },
    { 'x-request-id': `req_sim_${context.sequence}` },
  );
}

export const openaiWire: WireProtocol = {
  api: 'openai',
  renderTurn: (turn, context) => (context.stream ? renderStream(turn, context) : renderCompletion(turn, context)),
};
