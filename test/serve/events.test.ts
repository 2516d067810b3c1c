// Live events: SSE resumed with Last-Event-ID after every cut loses and reorders nothing and ends
// after the run's last event; many subscribers see the same sequence; the WebSocket delivers the
// same events; a queued run's stream waits for it to start.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { agentYaml, chainTemplate } from '../e2e/helpers.js';
import { api, readSse, startFixture, waitForStatus, type SseEvent, type ServeFixture } from './helpers.js';

let fixture: ServeFixture;
beforeAll(async () => {
  fixture = await startFixture({
    latencyMs: 120,
    concurrency: 1,
    files: { 'agents/worker.yaml': agentYaml('worker'), 'templates/long.yaml': chainTemplate('long', ['s1', 's2', 's3', 's4', 's5', 's6']) },
  });
});
afterAll(() => fixture.close());

const logLines = async (id: string) =>
  (await readFile(join(fixture.root, '.agentpipe', 'runs', id, 'events.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

function expectComplete(events: SseEvent[], log: unknown[]): void {
  expect(events.map((event) => event.id)).toEqual(log.map((_, index) => index + 1));
  expect(events.map((event) => event.data)).toEqual(log);
  expect(events.at(-1)?.data['type']).toBe('run-end');
}

describe('SSE', () => {
  it('resumed with Last-Event-ID after every few events, loses and reorders nothing', async () => {
    const { body } = await api(fixture.url, '/v1/runs', { body: { target: 'long' } });
    const url = `${fixture.url}/v1/runs/${body.id}/events`;
    const events: SseEvent[] = [];
    let reconnects = 0;
    for (;;) {
      const last = events.at(-1)?.id;
      const part = await readSse(url, { ...(last !== undefined ? { lastEventId: last } : {}), stopAfter: 1 + (reconnects % 4) });
      if (part.status === 204) break;
      expect(part.status).toBe(200);
      events.push(...part.events);
      reconnects++;
      if (part.events.length === 0) break;
    }
    const status = await waitForStatus(fixture.url, body.id, ['succeeded', 'failed']);
    expect(status.status).toBe('succeeded');
    expect(reconnects).toBeGreaterThan(5);
    expectComplete(events, await logLines(body.id));
    // A finished run with nothing after the last id: 204 tells EventSource to stop.
    expect((await readSse(url, { lastEventId: events.at(-1)!.id })).status).toBe(204);
    // From an earlier id, the rest is replayed from the log, then the stream ends.
    const tail = await readSse(url, { lastEventId: 5 });
    expect(tail.events.map((event) => event.id)[0]).toBe(6);
    expect(tail.events.length).toBe(events.length - 5);
  }, 60_000);

  it('gives every one of many concurrent subscribers the same complete sequence', async () => {
    const { body } = await api(fixture.url, '/v1/runs', { body: { target: 'long' } });
    const url = `${fixture.url}/v1/runs/${body.id}/events`;
    const streams = await Promise.all(Array.from({ length: 25 }, (_, index) => new Promise((resolve) => setTimeout(resolve, index * 40)).then(() => readSse(url))));
    const log = await logLines(body.id);
    for (const stream of streams) expectComplete(stream.events, log);
    // Every event carries the run id, a time and a type, like `run --json`.
    for (const event of log) expect(Object.keys(event as object)).toEqual(expect.arrayContaining(['time', 'runId', 'type']));
  }, 60_000);

  it('gives late subscribers of a finished run its whole stream in one response of known length', async () => {
    const { body } = await api(fixture.url, '/v1/runs', { body: { target: 'worker', inputs: { task: 'late' } } });
    await waitForStatus(fixture.url, body.id, ['succeeded']);
    const url = `${fixture.url}/v1/runs/${body.id}/events`;
    const [first, second] = await Promise.all([fetch(url), fetch(url)]);
    const [a, b] = [await first.text(), await second.text()];
    expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(first.headers.get('content-length')).toBe(String(Buffer.byteLength(a)));
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
    expect(b).toBe(a);
    expect(a.startsWith('retry: 1000\n\n')).toBe(true);
    const log = await logLines(body.id);
    expectComplete((await readSse(url)).events, log);
    expect(a.split('\n\n').filter((block) => block.startsWith('id: ')).length).toBe(log.length);
  }, 60_000);

  it('holds a queued run open until it runs, then streams it', async () => {
    const first = await api(fixture.url, '/v1/runs', { body: { target: 'long' } });
    const second = await api(fixture.url, '/v1/runs', { body: { target: 'worker', inputs: { task: 'queued one' } } });
    expect((await api(fixture.url, `/v1/runs/${second.body.id}`)).body.status).toBe('queued');
    const stream = await readSse(`${fixture.url}/v1/runs/${second.body.id}/events`);
    expectComplete(stream.events, await logLines(second.body.id));
    expect((await api(fixture.url, `/v1/runs/${first.body.id}`)).body.status).toBe('succeeded');
  }, 60_000);
});

describe('WebSocket', () => {
  it('subscribes to runs and receives the same events, then an end', async () => {
    const { body } = await api(fixture.url, '/v1/runs', { body: { target: 'long' } });
    const socket = new WebSocket(`${fixture.url.replace('http', 'ws')}/v1/ws`);
    await new Promise((resolve) => socket.once('open', resolve));
    const received: Array<{ id: number; event: unknown }> = [];
    const ended = new Promise<void>((resolve) =>
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString());
        if (message.type === 'event' && message.runId === body.id) received.push({ id: message.id, event: message.event });
        if (message.type === 'end' && message.runId === body.id) resolve();
      }),
    );
    const errors: string[] = [];
    socket.on('message', (data: Buffer) => JSON.parse(data.toString()).type === 'error' && errors.push(data.toString()));
    socket.send('not json');
    socket.send(JSON.stringify({ action: 'subscribe', runId: '20260101-000000-000-000000' }));
    socket.send(JSON.stringify({ action: 'subscribe', runId: body.id }));
    await ended;
    socket.close();
    const log = await logLines(body.id);
    expect(received.map((entry) => entry.id)).toEqual(log.map((_, index) => index + 1));
    expect(received.map((entry) => entry.event)).toEqual(log);
    expect(errors).toHaveLength(2);
  }, 60_000);
});
