// http: GET or POST with global fetch. Redirects are followed by hand so every hop's host is checked
// against the rules again; the body is read up to the size cap.

import { checkHost } from '../permissions.js';
import { ToolDeniedError, ToolFailedError, type BuiltinTool } from '../types.js';

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect changes host, so credentials never follow a hop to someone else. */
const crossOriginHeaders = ['authorization', 'cookie', 'proxy-authorization'];

function parseUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new ToolFailedError(`invalid URL "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ToolDeniedError('http.scheme', `"${url.protocol}" URLs are not allowed; only http and https`);
  }
  if (url.username || url.password) throw new ToolDeniedError('http.credentials', 'URLs may not carry a user name or password');
  return url;
}

/** Reads at most `maxBytes`, then cancels the stream. */
async function readCapped(response: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
    const room = maxBytes - bytes;
    if (value.length >= room) {
      chunks.push(value.subarray(0, room));
      await reader.cancel();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(value);
    bytes += value.length;
  }
}

export const httpTool: BuiltinTool = {
  name: 'http',
  description: 'Fetch a URL with GET or POST. Only hosts allowed by the http rules are reachable, redirects included.',
  inputSchema: {
    type: 'object',
    properties: {
      url: { type: 'string', minLength: 1, description: 'Absolute http(s) URL' },
      method: { type: 'string', enum: ['GET', 'POST'], description: 'Default GET' },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      body: { type: 'string', description: 'Request body for POST' },
    },
    required: ['url'],
    additionalProperties: false,
  },
  // executeToolCall puts this timeout on runtime.signal, which covers every hop and the body read.
  timeoutMs: (toolSet) => toolSet.permissions.http.timeoutMs,
  async run(input, runtime) {
    const request = input as { url: string; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string };
    const rules = runtime.toolSet.permissions.http;
    let url = parseUrl(request.url);
    let method = request.method ?? 'GET';
    let body = method === 'POST' ? request.body : undefined;
    const headers = new Headers(request.headers);
    for (let hop = 0; ; hop += 1) {
      try {
        checkHost(rules, url.hostname);
      } catch (error) {
        if (hop > 0 && error instanceof ToolDeniedError) throw new ToolDeniedError(error.rule, `redirect to ${url.origin}: ${error.reason}`);
        throw error;
      }
      const response = await fetch(url, { method, headers, body, redirect: 'manual', signal: runtime.signal });
      const location = response.headers.get('location');
      if (!redirectStatuses.has(response.status) || location === null) {
        const { text, truncated } = await readCapped(response, rules.maxBytes);
        const note = truncated ? `\n(body truncated at ${rules.maxBytes} bytes)` : '';
        return { output: `HTTP ${response.status} ${response.statusText}\n\n${text}${note}`, isError: !response.ok };
      }
      await response.body?.cancel();
      if (hop >= rules.maxRedirects) throw new ToolFailedError(`more than ${rules.maxRedirects} redirects`);
      const next = parseUrl(location, url);
      if (next.host !== url.host) for (const name of crossOriginHeaders) headers.delete(name);
      // 303, and 301/302 after POST, turn into a GET without a body, as browsers do.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  },
};
