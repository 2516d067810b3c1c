// What the wire simulator plays: scripted turns (text, tool calls, usage, latency) and faults.
// A script is a queue, a function of the request, or (from JSON, for the CLI) routes matched on
// request content, so end-to-end tests can answer each agent by a marker in its system prompt.

import { generatedTurn } from './generate.js';
import { UsageMeter } from './measure.js';

export type SimApi = 'anthropic' | 'openai' | 'gemini' | 'ollama';

export type FaultKind =
  | 'rate-limit'
  | 'server-error'
  | 'unavailable'
  | 'overloaded'
  | 'auth'
  | 'bad-request'
  | 'context-length'
  | 'hang'
  | 'cut'
  | 'malformed';

export interface SimFault {
  kind: FaultKind;
  /** `retry-after: <seconds>` (and Gemini RetryInfo.retryDelay) on rate-limit/overloaded faults. */
  retryAfterSeconds?: number;
  /** `retry-after-ms: <ms>`. */
  retryAfterMs?: number;
  /** `retry-after: <HTTP date>`. */
  retryAfterDate?: string;
  /** Standing faults only: apply to requests for this model name (as sent on the wire). */
  model?: string;
  /** Standing faults only: apply to this wire protocol. */
  api?: SimApi;
  /** Standing faults only: how many requests to fail (default: all until cleared). */
  times?: number;
  /** Put the full credential the client sent into the error message (to test that callers scrub it). */
  echoKey?: boolean;
}

export interface SimToolCall {
  id?: string;
  name: string;
  input: Record<string, unknown>;
  /** OpenAI and streamed Anthropic calls: the arguments text exactly as sent instead of `input` as JSON
   * (models do emit broken or double-encoded JSON). */
  rawArguments?: string;
}

export interface SimUsage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export interface SimTurn {
  /** A string is split into word chunks when streamed; an array gives the chunks exactly. */
  text?: string | string[];
  toolCalls?: SimToolCall[];
  usage?: SimUsage;
  finish?: 'stop' | 'length' | 'tool-calls';
  /** Wait before sending the response head (ms). */
  latencyMs?: number;
  /** Wait between stream frames (ms). */
  chunkDelayMs?: number;
  /** Answer with this fault instead of the turn. */
  fault?: SimFault;
}

/** One request as the simulator saw it. Credential headers are dropped before recording. */
export interface SimRequest {
  index: number;
  api: SimApi;
  method: string;
  path: string;
  query: Record<string, string>;
  model: string;
  stream: boolean;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  /** ISO time the request arrived. */
  time: string;
  /** Epoch ms (fractional) when the request arrived and when its response ended or was cut. */
  startMs: number;
  endMs?: number;
  /** The whole response reached a client still connected: what a provider bills (a call whose client
   * went away before the answer, e.g. a killed worker, is not). */
  completed?: boolean;
  status?: number;
  fault?: FaultKind;
  /** Why the simulator refused the request as the real API would (the 400's message). */
  rejection?: string;
  /** `embeddings` for an embeddings endpoint; absent for chat requests. */
  kind?: 'embeddings';
  /** Embeddings requests: how many texts it asked to embed. */
  inputs?: number;
}

export type ScriptFunction = (request: SimRequest) => SimTurn | undefined;

/** JSON form (CLI, env): a queue, plus routes whose `match` string occurs in the request body or model. */
export interface ScriptFile {
  turns?: SimTurn[];
  routes?: Array<{ match: string; turns: SimTurn[]; repeat?: boolean }>;
  faults?: SimFault[];
  defaultTurn?: SimTurn;
  /** Bill turns without explicit usage by what the request weighs (see measure.ts). */
  measureUsage?: boolean;
}

export type Script = SimTurn[] | ScriptFunction | ScriptFile;

export const credentialHeaders = new Set(['authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'proxy-authorization']);

export class ScriptPlayer {
  private meter: UsageMeter | undefined;
  private readonly queue: SimTurn[] = [];
  private readonly routes: NonNullable<ScriptFile['routes']> = [];
  private faults: SimFault[] = [];
  private readonly scriptFunction: ScriptFunction | undefined;
  private defaultTurn: SimTurn = { text: 'Hello from the agentpipe simulator.' };
  private scriptedDefault = false;

  /** `generate`: with no scripted turn left, make up plausible tool calls too (`run --sim`). */
  constructor(script?: Script, private readonly generate = false) {
    if (typeof script === 'function') this.scriptFunction = script;
    else if (Array.isArray(script)) this.queue.push(...script);
    else if (script) {
      this.queue.push(...(script.turns ?? []));
      for (const route of script.routes ?? []) this.routes.push({ ...route, turns: [...route.turns] });
      this.faults.push(...(script.faults ?? []).map((fault) => ({ ...fault })));
      if (script.defaultTurn) {
        this.defaultTurn = script.defaultTurn;
        this.scriptedDefault = true;
      }
      if (script.measureUsage) this.meter = new UsageMeter();
    }
  }

  /** Turns without explicit usage are billed by what their request weighs (on) or get fixed small counts (off). */
  setMeasureUsage(on: boolean): void {
    this.meter = on ? (this.meter ?? new UsageMeter()) : undefined;
  }

  enqueue(...turns: SimTurn[]): void {
    this.queue.push(...turns);
  }

  /** Replaces every standing fault (undefined clears them). */
  setFault(fault: SimFault | undefined): void {
    this.faults = fault ? [{ ...fault }] : [];
  }

  reset(): void {
    this.queue.length = 0;
    this.faults = [];
    this.meter?.reset();
  }

  addFault(fault: SimFault): void {
    this.faults.push({ ...fault });
  }

  next(request: SimRequest): SimTurn {
    const turn = this.choose(request);
    if (!this.meter || turn.fault || turn.usage) return turn;
    return { ...turn, usage: this.meter.measure(request, turn) };
  }

  private choose(request: SimRequest): SimTurn {
    const fault = this.takeFault(request);
    if (fault) return { fault };
    const fromFunction = this.scriptFunction?.(request);
    if (fromFunction) return fromFunction;
    const haystack = `${request.model}\n${JSON.stringify(request.body)}`;
    for (const route of this.routes) {
      if (!haystack.includes(route.match) || route.turns.length === 0) continue;
      const turn = route.repeat && route.turns.length === 1 ? route.turns[0] : route.turns.shift();
      if (turn) return turn;
    }
    const queued = this.queue.shift();
    if (queued) return queued;
    // With no script left, the answer fits the schema the request carries (generate.ts).
    return this.scriptedDefault ? this.defaultTurn : generatedTurn(request.api, request.body, this.defaultTurn, { toolCalls: this.generate });
  }

  /** The standing fault this request meets, if any (embeddings requests take no scripted turn). */
  faultFor(request: SimRequest): SimFault | undefined {
    return this.takeFault(request);
  }

  private takeFault(request: SimRequest): SimFault | undefined {
    const index = this.faults.findIndex(
      (fault) => (fault.model === undefined || fault.model === request.model) && (fault.api === undefined || fault.api === request.api) && (fault.times ?? 1) > 0,
    );
    const fault = this.faults[index];
    if (!fault) return undefined;
    if (fault.times !== undefined) fault.times--;
    return fault;
  }
}

/** Splits text into stream chunks of about two words, keeping the spaces. */
export function textChunks(text: SimTurn['text']): string[] {
  if (text === undefined) return [];
  if (Array.isArray(text)) return text;
  return text.match(/\S+\s*\S*\s*|\s+/g) ?? [];
}

export function fullText(text: SimTurn['text']): string {
  return Array.isArray(text) ? text.join('') : (text ?? '');
}

export function finishOf(turn: SimTurn): 'stop' | 'length' | 'tool-calls' {
  return turn.finish ?? (turn.toolCalls?.length ? 'tool-calls' : 'stop');
}

export function usageOf(turn: SimTurn): Required<SimUsage> {
  return {
    input: turn.usage?.input ?? 12,
    output: turn.usage?.output ?? Math.max(1, textChunks(turn.text).length + (turn.toolCalls?.length ?? 0) * 8),
    cacheRead: turn.usage?.cacheRead ?? 0,
    cacheWrite: turn.usage?.cacheWrite ?? 0,
  };
}
