// The node:http fetch the provider SDKs use, against a real local HTTP server: what it sends, what
// the SDK reads back (status, headers, a streamed or compressed body), and failures shaped like the
// built-in fetch's (so retries and error classes stay as they were).

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetch } from '../../src/providers/http-fetch.js';

let server: Server;
let base: string;
const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];

const routes: Record<string, (request: IncomingMessage, response: ServerResponse, body: string) => void> = {
  '/echo': (request, response, body) => {
    response.writeHead(201, 'Made', { 'content-type': 'application/json', 'x-request-id': 'req-1' });
    response.end(JSON.stringify({ method: request.method, body }));
  },
  '/gzip': (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    response.end(gzipSync(JSON.stringify({ packed: true })));
  },
  '/stream': (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: one\n\n');
    setTimeout(() => response.end('data: two\n\n'), 20);
  },
  '/cut': (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'content-length': '1000' });
    response.write('data: partial\n\n');
    setTimeout(() => response.socket?.destroy(), 20);
  },
  '/hang': () => undefined,
  '/moved': (_request, response) => {
    response.writeHead(302, { location: '/echo' });
    response.end();
  },
  '/empty': (_request, response) => {
    response.writeHead(204);
    response.end();
  },
};

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      routes[request.url ?? '']?.(request, response, body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('httpFetch', () => {
  it('sends method, headers and body; answers a Response with status, headers and body', async () => {
    const response = await httpFetch(`${base}/echo`, { method: 'POST', headers: new Headers({ 'x-api-key': 'k', 'content-type': 'application/json' }), body: '{"a":"é"}' });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Made');
    expect(response.ok).toBe(true);
    expect(response.url).toBe(`${base}/echo`);
    expect(response.headers.get('x-request-id')).toBe('req-1');
    // The SDK reads a clone for JSON bodies.
    expect(await response.clone().json()).toEqual({ method: 'POST', body: '{"a":"é"}' });
    const request = seen.at(-1)!;
    expect(request.headers['x-api-key']).toBe('k');
    expect(request.headers['content-length']).toBe(String(Buffer.byteLength('{"a":"é"}')));
  });

  it('decompresses a gzip body as fetch does', async () => {
    const response = await httpFetch(`${base}/gzip`);
    expect(await response.json()).toEqual({ packed: true });
  });

  it('streams the body as it arrives', async () => {
    const response = await httpFetch(`${base}/stream`);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: one\n\n');
    let rest = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) rest += new TextDecoder().decode(part.value);
    expect(rest).toBe('data: two\n\n');
  });

  it('errors the body stream with TypeError("terminated") when the server dies mid-reply', async () => {
    const response = await httpFetch(`${base}/cut`);
    const error = await response.text().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('terminated');
  });

  it('rejects with TypeError("fetch failed") and the cause when nothing listens', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await httpFetch(`http://127.0.0.1:${port}/`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('fetch failed');
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('rejects with the abort reason, before or while waiting for the reply', async () => {
    const early = AbortSignal.abort();
    await expect(httpFetch(`${base}/echo`, { signal: early })).rejects.toMatchObject({ name: 'AbortError' });
    const controller = new AbortController();
    const pending = httpFetch(`${base}/hang`, { signal: controller.signal });
    while (!seen.some((request) => request.url === '/hang')) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('follows a redirect (through the built-in fetch) and answers a 204 without a body', async () => {
    const moved = await httpFetch(`${base}/moved`);
    expect(moved.status).toBe(201);
    expect(await moved.json()).toMatchObject({ method: 'GET' });
    const empty = await httpFetch(`${base}/empty`, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });
});
