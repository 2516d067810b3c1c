// A local HTTP server that speaks the Anthropic, OpenAI, Gemini and Ollama wire protocols to the
// official SDKs, plays a script and injects faults. Binds 127.0.0.1 only. Used by tests in-process
// and by end-to-end tests through `node dist/sim/cli.js`.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ScriptPlayer, credentialHeaders, type Script, type SimApi, type SimFault, type SimRequest, type SimTurn } from './script.js';
import { renderError } from './wire/errors.js';
import { rejectionFor } from './wire/strict.js';
import { anthropicWire } from './wire/anthropic.js';
import { openaiWire } from './wire/openai.js';
import { geminiWire } from './wire/gemini.js';
import { ollamaWire, tagsBody } from './wire/ollama.js';
import type { WireContext, WireProtocol, WireReply } from './wire/types.js';
import { controlRoute } from './control.js';
import { embeddingInputs, embeddingRoute, renderEmbeddings } from './wire/embeddings.js';
import { defaultEmbeddingDimensions } from './embedder.js';

export interface SimulatorOptions {
  script?: Script;
  port?: number;
  /** Names listed by GET /api/tags. */
  ollamaModels?: string[];
  /** With no scripted turn left, answer with a plausible tool call first (`run --sim`). */
  generateToolCalls?: boolean;
  /** Length of the simulated embeddings when the request names none (default 1536). */
  embeddingDimensions?: number;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT`, no trailing slash. Anthropic/Gemini/Ollama use it as is; OpenAI wants `${url}/v1`. */
  url: string;
  port: number;
  /** Every model request so far, in arrival order (credential headers removed). */
  requests: SimRequest[];
  enqueue(...turns: SimTurn[]): void;
  /** Replaces the standing faults; `undefined` clears them. */
  setFault(fault: SimFault | undefined): void;
  addFault(fault: SimFault): void;
  /** Bill turns without explicit usage by what their request weighs, with Anthropic prompt caching (src/sim/measure.ts). */
  setMeasureUsage(on: boolean): void;
  /** Forgets queued turns, standing faults and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

const protocols: Record<SimApi, WireProtocol> = { anthropic: anthropicWire, openai: openaiWire, gemini: geminiWire, ollama: ollamaWire };

interface Route {
  api: SimApi;
  model: string;
  stream: boolean;
}

function route(method: string, path: string, body: Record<string, unknown>): Route | undefined {
  if (method !== 'POST') return undefined;
  const model = typeof body.model === 'string' ? body.model : '';
  if (path === '/v1/messages') return { api: 'anthropic', model, stream: body.stream === true };
  if (path === '/v1/chat/completions') return { api: 'openai', model, stream: body.stream === true };
  // Ollama streams unless told not to.
  if (path === '/api/chat') return { api: 'ollama', model, stream: body.stream !== false };
  const gemini = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path);
  if (gemini?.[1]) return { api: 'gemini', model: decodeURIComponent(gemini[1]), stream: gemini[2] === 'streamGenerateContent' };
  return undefined;
}

function credentialOf(request: IncomingMessage): string | undefined {
  const header = request.headers['x-api-key'] ?? request.headers['x-goog-api-key'] ?? request.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  return value?.replace(/^Bearer\s+/i, '');
}

function recordedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (credentialHeaders.has(name) || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const nowMs = () => performance.timeOrigin + performance.now();

/** Cuts a frame in the middle of its JSON but keeps its terminator, so parsers see a complete, broken event. */
function malform(frame: string): string {
  const terminator = /(\r\n\r\n|\n\n|\n)$/.exec(frame)?.[0] ?? '';
  const content = frame.slice(0, frame.length - terminator.length);
  return `${content.slice(0, Math.max(1, Math.floor(content.length * 0.6)))}${terminator}`;
}

async function play(response: ServerResponse, reply: WireReply, turn: SimTurn, fault: SimFault | undefined): Promise<void> {
  const frames = [...reply.frames];
  const single = frames.length === 1 && !reply.headers['content-type']?.includes('event-stream') && !reply.headers['content-type']?.includes('ndjson');
  if (fault?.kind === 'malformed') {
    // ollama-js skips unparseable NDJSON lines with a console warning, so only a broken `done` line is
    // visible to it; SSE clients fail on the first broken event.
    const ndjson = reply.headers['content-type']?.includes('ndjson') === true;
    const target = single ? 0 : ndjson ? frames.length - 1 : Math.min(1, frames.length - 1);
    frames[target] = malform(frames[target] ?? '{}');
  }
  const headers = { ...reply.headers };
  if (single) headers['content-length'] = String(Buffer.byteLength(frames[0] ?? ''));
  response.writeHead(reply.status, headers);
  const cutAt = fault?.kind === 'cut' ? Math.min(single ? 0 : 2, frames.length - 1) : -1;
  for (const [index, frame] of frames.entries()) {
    if (index === cutAt) {
      // Half an event, then the connection drops: what a proxy timeout or a crashed upstream looks like.
      response.write(frame.slice(0, Math.max(1, Math.floor(frame.length / 2))));
      await sleep(5);
      response.socket?.destroy();
      return;
    }
    response.write(frame);
    if (turn.chunkDelayMs && index < frames.length - 1) await sleep(turn.chunkDelayMs);
  }
  response.end();
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const player = new ScriptPlayer(options.script, options.generateToolCalls === true);
  const requests: SimRequest[] = [];
  const sockets = new Set<Socket>();
  let sequence = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(request);
    if (controlRoute(url, request.method ?? 'GET', text, response, { player, requests })) return;
    if (request.method === 'GET' && url.pathname === '/api/tags') {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(tagsBody(options.ollamaModels ?? ['llama3.2:latest']));
      return;
    }
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"request body is not JSON"}');
      return;
    }
    const embedding = request.method === 'POST' ? embeddingRoute(url.pathname, body) : undefined;
    if (embedding) {
      await answerEmbeddings(embedding, body, request, response, url);
      return;
    }
    const target = route(request.method ?? 'GET', url.pathname, body);
    if (!target) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `simulator: no route for ${request.method} ${url.pathname}` }));
      return;
    }
    const record: SimRequest = {
      index: sequence++,
      api: target.api,
      method: request.method ?? 'POST',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      model: target.model,
      stream: target.stream,
      body,
      headers: recordedHeaders(request),
      time: new Date().toISOString(),
      startMs: nowMs(),
    };
    requests.push(record);
    response.on('close', () => {
      record.endMs ??= nowMs();
      // 'close' comes before the end when the client went away first.
      record.completed ??= response.writableFinished;
    });
    const context: WireContext = { model: target.model, stream: target.stream, body, sequence: record.index, ...(credentialOf(request) ? { credential: credentialOf(request) } : {}) };
    // A request the real API would refuse is refused here too, before it can use up a scripted turn.
    const rejection = rejectionFor(target.api, body, request.headers, target.model);
    if (rejection) {
      const reply = renderError(target.api, { kind: 'bad-request' }, context, rejection);
      record.status = reply.status;
      record.rejection = rejection.message;
      await play(response, reply, {}, undefined);
      return;
    }
    const turn = player.next(record);
    const fault = turn.fault;
    if (fault) record.fault = fault.kind;
    if (turn.latencyMs) await sleep(turn.latencyMs);
    if (fault?.kind === 'hang') return; // never answer; the client's timeout must fire
    const reply =
      fault && fault.kind !== 'cut' && fault.kind !== 'malformed'
        ? renderError(target.api, { ...fault, kind: fault.kind }, context)
        : protocols[target.api].renderTurn(turn, context);
    record.status = reply.status;
    await play(response, reply, turn, fault);
  };

  // Embedding requests are logged like chat requests (kind 'embeddings') and obey standing faults,
  // but never use up a scripted chat turn.
  const answerEmbeddings = async (embedding: NonNullable<ReturnType<typeof embeddingRoute>>, body: Record<string, unknown>, request: IncomingMessage, response: ServerResponse, url: URL) => {
    const record: SimRequest = {
      index: sequence++,
      api: embedding.api,
      kind: 'embeddings',
      inputs: embeddingInputs(embedding, body).length,
      method: 'POST',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      model: embedding.model,
      stream: false,
      body,
      headers: recordedHeaders(request),
      time: new Date().toISOString(),
      startMs: nowMs(),
    };
    requests.push(record);
    response.on('close', () => (record.endMs ??= nowMs()));
    const fault = player.faultFor(record);
    if (fault) record.fault = fault.kind;
    if (fault?.kind === 'hang') return;
    const context: WireContext = { model: embedding.model, stream: false, body, sequence: record.index };
    const reply =
      fault && fault.kind !== 'cut' && fault.kind !== 'malformed'
        ? renderError(embedding.api, { ...fault, kind: fault.kind }, context)
        : renderEmbeddings(embedding, body, options.embeddingDimensions ?? defaultEmbeddingDimensions);
    record.status = reply.status;
    await play(response, reply, {}, fault);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `simulator failure: ${String(error)}` }));
    });
  });
  // Longer than any client's idle-socket timeout (undici: 4 s): on a loaded machine a server closing
  // idle sockets at the default 5 s races the client reusing one, and the request dies with ECONNRESET.
  server.keepAliveTimeout = 65_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    enqueue: (...turns) => player.enqueue(...turns),
    setFault: (fault) => player.setFault(fault),
    addFault: (fault) => player.addFault(fault),
    setMeasureUsage: (on) => player.setMeasureUsage(on),
    reset: () => {
      player.reset();
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
