// A `fetch` for the provider SDKs on node:http/node:https. Node's built-in fetch (undici) implements
// the whole Fetch standard in JavaScript (request objects, a WebAssembly HTTP parser, web streams at
// every stage); a batch making thousands of calls spends a large share of its CPU there. This one
// sends the request with node:http (keep-alive agents, the C++ parser) and hands the SDK a standard
// Response whose body streams the reply. It covers what the SDKs send: a string or bytes body, a
// Headers or plain headers object, an AbortSignal. Anything else (a Request object, a stream or form
// body, a redirect, an environment proxy) goes to the built-in fetch, unchanged.
//
// Errors look like the built-in fetch's, so retries and error classes do not change: a failed
// request rejects with TypeError('fetch failed', { cause }), a reply cut off mid-body errors its
// stream with TypeError('terminated', { cause }), an abort rejects with the signal's reason.

import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** Node's fetch honours proxy variables only when told to (NODE_USE_ENV_PROXY, --use-env-proxy): so do we, by using it. */
const envProxy = (): boolean => Boolean(process.env['NODE_USE_ENV_PROXY']) || /--use-env-proxy/.test(`${process.env['NODE_OPTIONS'] ?? ''} ${process.execArgv.join(' ')}`);

const nullBodyStatus = new Set([101, 103, 204, 205, 304]);

type FetchInput = Parameters<typeof fetch>[0];
type FetchInit = NonNullable<Parameters<typeof fetch>[1]>;

export function httpFetch(input: FetchInput, init: FetchInit = {}): Promise<Response> {
  const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : undefined;
  const body = init.body;
  const plainBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer;
  if (!url || !(url.protocol in agents) || !plainBody || envProxy()) return fetch(input, init);
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortReason(signal));

  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  headers['accept'] ??= '*/*';
  headers['accept-encoding'] ??= 'gzip, deflate, br';
  const payload = body === undefined || body === null ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body instanceof ArrayBuffer ? new Uint8Array(body) : body);
  if (payload) headers['content-length'] = String(payload.length);

  return new Promise<Response>((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, { method: init.method ?? 'GET', headers, agent: agents[url.protocol as keyof typeof agents] });
    let settled = false;
    const onAbort = () => {
      const reason = abortReason(signal!);
      request.destroy(reason instanceof Error ? reason : new Error(String(reason)));
      if (!settled) {
        settled = true;
        reject(reason);
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const detach = () => signal?.removeEventListener('abort', onAbort);

    request.on('error', (error) => {
      detach();
      if (settled) return;
      settled = true;
      reject(signal?.aborted ? abortReason(signal) : new TypeError('fetch failed', { cause: error }));
    });
    request.on('response', (reply) => {
      const status = reply.statusCode ?? 0;
      if (status >= 300 && status < 400 && reply.headers.location && init.redirect !== 'manual') {
        // Redirects are rare here: the built-in fetch follows them by the book.
        reply.resume();
        detach();
        settled = true;
        resolve(fetch(input, init));
        return;
      }
      const responseHeaders = new Headers();
      for (let index = 0; index < reply.rawHeaders.length; index += 2) responseHeaders.append(reply.rawHeaders[index]!, reply.rawHeaders[index + 1]!);
      const hasBody = !nullBodyStatus.has(status) && init.method !== 'HEAD';
      let response: Response;
      try {
        response = new Response(hasBody ? bodyStream(reply, signal, detach) : null, { status, statusText: reply.statusMessage ?? '', headers: responseHeaders });
      } catch (error) {
        reply.destroy();
        detach();
        settled = true;
        reject(new TypeError('fetch failed', { cause: error }));
        return;
      }
      if (!hasBody) {
        reply.resume();
        detach();
      }
      Object.defineProperty(response, 'url', { value: url.href });
      settled = true;
      resolve(response);
    });
    request.end(payload);
  });
}

/** The reply as a web stream: decompressed like fetch does, paused while the reader is behind. */
function bodyStream(reply: http.IncomingMessage, signal: AbortSignal | undefined, detach: () => void): ReadableStream<Uint8Array> {
  const encoding = String(reply.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined;
  const source: Readable = decoder ? reply.pipe(decoder) : reply;
  if (decoder) reply.on('error', (error) => decoder.destroy(error));
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      source.on('data', (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) source.pause();
      });
      source.on('end', () => {
        finished = true;
        detach();
        controller.close();
      });
      const fail = (error: Error) => {
        if (finished) return;
        finished = true;
        detach();
        controller.error(signal?.aborted ? abortReason(signal) : new TypeError('terminated', { cause: error }));
      };
      source.on('error', fail);
      // The socket closed before the whole reply came (the server died mid-stream).
      reply.on('close', () => {
        if (!reply.complete) fail(new Error('other side closed'));
      });
    },
    pull() {
      source.resume();
    },
    cancel() {
      finished = true;
      detach();
      reply.destroy();
    },
  });
}

const abortReason = (signal: AbortSignal): unknown => signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
