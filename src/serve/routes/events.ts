// Live events of a run, as Server-Sent Events (GET /v1/runs/{id}/events) or over one WebSocket
// for many runs (GET /v1/ws). SSE `data:` lines are exactly the lines of events.jsonl, the events
// `run --json` prints; `id:` is the line number, so a reconnect with Last-Event-ID replays what the
// client missed from the log. The stream ends after the run's last event; a reconnect to a run
// that has nothing newer gets 204, which tells EventSource to stop reconnecting.

import type { FastifyInstance } from 'fastify';
import type { WebSocket } from '@fastify/websocket';
import { runFiles } from '../../run/state.js';
import type { ServeContext } from '../context.js';
import { readEventLines } from '../event-hub.js';
import { errorResponses, eventsHeaders, idParams } from '../schemas.js';

const heartbeatMs = 15_000;
/** A line cut short by a kill is not an event; it keeps its number but is not sent. */
const complete = (line: string) => line.endsWith('}');
const retry = Buffer.from('retry: 1000\n\n');

/**
 * The SSE frame of a line. The hub hands one line to every follower of a run in turn, so the
 * last frame built is kept: N subscribers share one buffer and no line is encoded twice.
 */
let lastFrame: { id: number; text: string; frame: Buffer } | undefined;
function frame(id: number, text: string): Buffer {
  if (lastFrame?.id === id && lastFrame.text === text) return lastFrame.frame;
  lastFrame = { id, text, frame: Buffer.from(`id: ${id}\ndata: ${text}\n\n`) };
  return lastFrame.frame;
}

export default async function eventRoutes(app: FastifyInstance, { context }: { context: ServeContext }): Promise<void> {
  const { hub, index } = context;

  app.get<{ Params: { id: string }; Headers: { 'last-event-id'?: string }; Querystring: { after?: number } }>(
    '/v1/runs/:id/events',
    {
      config: { role: 'viewer' },
      schema: {
        summary: 'Server-Sent Events of a run; resumable with Last-Event-ID',
        tags: ['runs'],
        params: idParams,
        headers: eventsHeaders,
        querystring: { type: 'object', additionalProperties: false, properties: { after: { type: 'integer', minimum: 0, description: 'Like Last-Event-ID, for clients that cannot set headers' } } },
        response: { 200: { type: 'string', description: 'text/event-stream' }, 204: { type: 'null', description: 'The run is over and there is nothing after Last-Event-ID' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      if (!index.get(id)) return reply.code(404).send({ error: `no run ${id}` });
      const after = Number(request.headers['last-event-id'] ?? request.query.after ?? 0);
      const eventsPath = runFiles(context.root, id).events;
      if (!hub.isLive(id) && (hub.knownLines(id) ?? (await readEventLines(eventsPath)).length) <= after) return reply.code(204).send();
      const head = { ...(reply.getHeaders() as Record<string, string>), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' };
      reply.hijack();
      const raw = reply.raw;
      // A run that finished here a moment ago (what most late subscribers ask for): its whole
      // stream is one shared buffer, sent with the head in one write.
      const whole = after === 0 ? hub.finishedSse(id, complete) : undefined;
      if (whole) {
        raw.writeHead(200, { ...head, 'content-length': String(retry.length + whole.length) });
        raw.cork();
        raw.write(retry);
        raw.end(whole);
        return;
      }
      raw.writeHead(200, head);
      let closed = false;
      // Writes are coalesced: the head, the retry hint, a catch-up and each tick's lines (a burst
      // from a worker) go out in one write. A line's frame is built once for all its subscribers.
      let pending: Buffer[] = [retry];
      const flush = () => {
        if (pending.length === 0 || closed) return;
        // One chunk: a long catch-up is not a writev of three pieces per line.
        raw.write(pending.length === 1 ? pending[0] : Buffer.concat(pending));
        pending = [];
      };
      setImmediate(flush);
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), heartbeatMs);
      const finish = () => {
        if (closed) return;
        // The last lines and the end of the stream in one write.
        raw.cork();
        flush();
        closed = true;
        clearInterval(heartbeat);
        stop();
        raw.end();
      };
      let stop: () => void = () => undefined;
      request.raw.on('close', finish);
      stop = await hub.follow(eventsPath, id, after, {
        line: (number, text) => {
          if (closed || !complete(text)) return;
          if (pending.length === 0) setImmediate(flush);
          pending.push(frame(number, text));
        },
        end: () => setImmediate(finish),
      });
      if (closed) stop();
    },
  );

  app.get('/v1/ws', { websocket: true, config: { role: 'viewer' }, schema: { summary: 'WebSocket: {"action":"subscribe","runId":...,"after"?:N} / {"action":"unsubscribe","runId":...}', tags: ['runs'] } }, (socket: WebSocket) => {
    const subscriptions = new Map<string, () => void>();
    const send = (text: string) => {
      if (socket.readyState === socket.OPEN) socket.send(text);
    };
    const fail = (message: string) => send(JSON.stringify({ type: 'error', message }));
    socket.on('message', async (data: Buffer) => {
      let message: unknown;
      try {
        message = JSON.parse(data.toString('utf8'));
      } catch {
        return fail('messages are JSON: {"action":"subscribe","runId":"..."}');
      }
      const { action, runId, after } = (message && typeof message === 'object' ? message : {}) as { action?: unknown; runId?: unknown; after?: unknown };
      if (typeof runId !== 'string' || !index.get(runId)) return fail(`no run ${typeof runId === 'string' ? runId.slice(0, 40) : '(runId missing)'}`);
      if (action === 'unsubscribe') {
        subscriptions.get(runId)?.();
        subscriptions.delete(runId);
        return send(JSON.stringify({ type: 'unsubscribed', runId }));
      }
      if (action !== 'subscribe') return fail('action is subscribe or unsubscribe');
      if (subscriptions.has(runId)) return;
      subscriptions.set(runId, () => undefined);
      const stop = await hub.follow(runFiles(context.root, runId).events, runId, typeof after === 'number' && after >= 0 ? after : 0, {
        // The event is embedded as its log line: no parse and re-serialise per subscriber.
        line: (number, text) => complete(text) && send(`{"type":"event","runId":"${runId}","id":${number},"event":${text}}`),
        end: () => {
          subscriptions.delete(runId);
          send(JSON.stringify({ type: 'end', runId }));
        },
      });
      if (subscriptions.has(runId)) subscriptions.set(runId, stop);
    });
    socket.on('close', () => {
      for (const stop of subscriptions.values()) stop();
      subscriptions.clear();
    });
  });
}
