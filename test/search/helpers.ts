// A scripted HTTP server on 127.0.0.1 (random port) that records every request it gets.

import { createServer, type IncomingHttpHeaders } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { SearchSettings } from '../../src/compile/ir.js';
import { SearchError } from '../../src/search/index.js';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ScriptedResponse {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Never answer (for timeout tests); the connection is destroyed on close(). */
  hang?: boolean;
}

export interface LocalServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const ddgFixture = (name: string): string => readFileSync(new URL(`../fixtures/ddg/${name}`, import.meta.url), 'utf8');

export const html = (body: string, status = 200): ScriptedResponse => ({ status, body, headers: { 'content-type': 'text/html; charset=UTF-8' } });

/** `respond` gets the request and its 0-based index, so a test can script "fail twice, then succeed". */
export async function startServer(respond: (request: RecordedRequest, index: number) => ScriptedResponse): Promise<LocalServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request = { method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      const response = respond(request, requests.length - 1);
      if (response.hang) return;
      outgoing.writeHead(response.status, response.headers ?? {});
      outgoing.end(response.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Records requested delays instead of waiting. */
export function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

/** Awaits a promise that must reject with a SearchError and returns it. */
export async function searchError(promise: Promise<unknown>): Promise<SearchError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SearchError);
  return error as SearchError;
}

export const searchSettings = (overrides: Partial<SearchSettings> = {}): SearchSettings => ({
  mode: 'auto',
  maxResults: 5,
  maxTokens: 1000,
  provider: { name: 'ddg', type: 'duckduckgo' },
  ...overrides,
});
