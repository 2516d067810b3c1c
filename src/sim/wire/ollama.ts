// POST /api/chat: one JSON object (stream:false) or NDJSON lines ending with a `done: true` line
// (../shared/wire/ollama). Tool calls arrive whole, with `id` and `function.index` as current servers send.

import { finishOf, fullText, textChunks, usageOf, type SimTurn } from '../script.js';
import { json, jsonReply, type WireContext, type WireProtocol, type WireReply } from './types.js';

const doneReason = { stop: 'stop', length: 'length', 'tool-calls': 'stop' } as const;
const createdAt = '2025-07-07T20:22:19.184789Z';

function toolCalls(turn: SimTurn, context: WireContext) {
  return (turn.toolCalls ?? []).map((call, index) => ({
    id: call.id ?? `call_sim${context.sequence}${index}`,
    function: { index, name: call.name, arguments: call.input },
  }));
}

function doneFields(turn: SimTurn) {
  const u = usageOf(turn);
  return {
    done_reason: doneReason[finishOf(turn)],
    done: true,
    total_duration: 182242375,
    load_duration: 41295167,
    prompt_eval_count: u.input,
    prompt_eval_duration: 24573166,
    eval_count: u.output,
    eval_duration: 115959084,
  };
}

function renderStream(turn: SimTurn, context: WireContext): WireReply {
  const line = (value: unknown) => `${json(value)}\n`;
  const frames = textChunks(turn.text).map((content) =>
    line({ model: context.model, created_at: createdAt, message: { role: 'assistant', content }, done: false }),
  );
  const calls = toolCalls(turn, context);
  if (calls.length) frames.push(line({ model: context.model, created_at: createdAt, message: { role: 'assistant', content: '', tool_calls: calls }, done: false }));
  frames.push(line({ model: context.model, created_at: createdAt, message: { role: 'assistant', content: '' }, ...doneFields(turn) }));
  return { status: 200, headers: { 'content-type': 'application/x-ndjson' }, frames };
}

function renderResponse(turn: SimTurn, context: WireContext): WireReply {
  const calls = toolCalls(turn, context);
  return jsonReply(
    200,
    {
      model: context.model,
      created_at: createdAt,
      message: { role: 'assistant', content: fullText(turn.text), ...(calls.length ? { tool_calls: calls } : {}) },
      ...doneFields(turn),
    },
    { 'content-type': 'application/json; charset=utf-8' },
  );
}

export const ollamaWire: WireProtocol = {
  api: 'ollama',
  renderTurn: (turn, context) => (context.stream ? renderStream(turn, context) : renderResponse(turn, context)),
};

/** GET /api/tags. */
export function tagsBody(models: string[]): string {
  return json({
    models: models.map((name) => ({
      name,
      model: name,
      modified_at: '2025-05-04T17:37:44.706015396-07:00',
      size: 2019393189,
      digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
      details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
    })),
  });
}
