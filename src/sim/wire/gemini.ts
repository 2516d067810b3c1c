// POST /v1beta/models/M:generateContent (JSON) and :streamGenerateContent?alt=sse (`data: {...}\r\n\r\n`,
// no [DONE]; finishReason and the function calls on the last chunk), as in ../shared/wire/gemini.

import { finishOf, fullText, textChunks, usageOf, type SimTurn } from '../script.js';
import { json, jsonReply, type WireContext, type WireProtocol, type WireReply } from './types.js';

const finishReason = { stop: 'STOP', length: 'MAX_TOKENS', 'tool-calls': 'STOP' } as const;

/** Stands in for the opaque signature Gemini 2.5+ attaches to function calls; clients must echo it. */
export const simThoughtSignature = 'c2ltLXRob3VnaHQtc2lnbmF0dXJl';

function usageMetadata(turn: SimTurn) {
  const u = usageOf(turn);
  return {
    promptTokenCount: u.input + u.cacheRead,
    candidatesTokenCount: u.output,
    totalTokenCount: u.input + u.cacheRead + u.output,
    ...(u.cacheRead ? { cachedContentTokenCount: u.cacheRead } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: u.input + u.cacheRead }],
  };
}

function functionCallParts(turn: SimTurn) {
  return (turn.toolCalls ?? []).map((call) => ({
    functionCall: { ...(call.id ? { id: call.id } : {}), name: call.name, args: call.input },
    thoughtSignature: simThoughtSignature,
  }));
}

function responseOf(parts: unknown[], turn: SimTurn, context: WireContext, last: boolean) {
  return {
    candidates: [
      {
        content: { parts, role: 'model' },
        ...(last ? { finishReason: finishReason[finishOf(turn)] } : {}),
        index: 0,
      },
    ],
    usageMetadata: usageMetadata(turn),
    modelVersion: context.model,
    responseId: `sim${context.sequence}`,
  };
}

function renderStream(turn: SimTurn, context: WireContext): WireReply {
  const chunks = textChunks(turn.text);
  const calls = functionCallParts(turn);
  const frames: string[] = [];
  chunks.forEach((text, index) => {
    const last = index === chunks.length - 1 && calls.length === 0;
    frames.push(`data: ${json(responseOf([{ text }], turn, context, last))}\r\n\r\n`);
  });
  if (calls.length > 0 || chunks.length === 0) frames.push(`data: ${json(responseOf(calls, turn, context, true))}\r\n\r\n`);
  return { status: 200, headers: { 'content-type': 'text/event-stream' }, frames };
}

function renderResponse(turn: SimTurn, context: WireContext): WireReply {
  const text = fullText(turn.text);
  const parts = [...(text ? [{ text }] : []), ...functionCallParts(turn)];
  return jsonReply(200, responseOf(parts, turn, context, true), { 'content-type': 'application/json; charset=UTF-8' });
}

export const geminiWire: WireProtocol = {
  api: 'gemini',
  renderTurn: (turn, context) => (context.stream ? renderStream(turn, context) : renderResponse(turn, context)),
};
