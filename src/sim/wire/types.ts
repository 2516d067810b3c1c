import type { SimApi, SimFault, SimTurn } from '../script.js';

/** A response ready to write: a JSON body is one frame; a stream is one frame per SSE event / NDJSON line. */
export interface WireReply {
  status: number;
  headers: Record<string, string>;
  frames: string[];
}

export interface WireContext {
  model: string;
  stream: boolean;
  body: Record<string, unknown>;
  /** Request number, for ids. */
  sequence: number;
  /** The credential the client sent (never recorded); only echoed for `echoKey` faults. */
  credential?: string;
}

export interface WireProtocol {
  api: SimApi;
  renderTurn(turn: SimTurn, context: WireContext): WireReply;
}

export const json = (value: unknown): string => JSON.stringify(value);

export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): WireReply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, frames: [json(body)] };
}

export type { SimFault };
