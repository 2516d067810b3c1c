// The floors a local batch is measured against, in the same run and against the same simulator
// process: ROWS rows x 2 sequential streamed calls, `concurrency` rows at a time, made by
//  - a bare node:http client (no SDK, no agentpipe): what the simulator and the machine allow;
//  - the Anthropic SDK with agentpipe's node:http fetch, nothing else: what any SDK-based client pays.
// The gap between these and the ideal (rows x steps x latency / concurrency) is not agentpipe's.
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { repoRoot } from './processes.mjs';

const body = (text) => ({ model: 'claude-bench', max_tokens: 100, system: 'You are a.', messages: [{ role: 'user', content: text }] });

async function lanes(rows, concurrency, call) {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < rows) {
        const index = next++;
        const first = await call(`row ${index}`);
        await call(first || 'ok');
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { wallS: (performance.now() - started) / 1000, cpuMs: (used.user + used.system) / 1000 };
}

/** Bare node:http: POST, read the whole event stream, keep-alive sockets. */
export function rawHttpFloor(url, key, rows, concurrency) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const { hostname, port } = new URL(url);
  const call = (text) =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify({ ...body(text), stream: true });
      const request = http.request(
        { host: hostname, port, path: '/v1/messages', method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-length': Buffer.byteLength(payload) } },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve(/"text":"([^"]*)"/.exec(text)?.[1] ?? ''));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  return lanes(rows, concurrency, call).finally(() => agent.destroy());
}

/** The Anthropic SDK as agentpipe builds it (node:http fetch, no retries), streaming. */
export async function sdkFloor(url, key, rows, concurrency) {
  const { default: Anthropic } = await import(pathToFileURL(join(repoRoot, 'node_modules/@anthropic-ai/sdk/index.mjs')).href);
  const { httpFetch } = await import(pathToFileURL(join(repoRoot, 'dist/providers/http-fetch.js')).href);
  const client = new Anthropic({ apiKey: key, baseURL: url, fetch: httpFetch, maxRetries: 0 });
  const call = async (text) => {
    const events = await client.messages.create({ ...body(text), stream: true });
    let out = '';
    for await (const event of events) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') out += event.delta.text;
    return out;
  };
  return lanes(rows, concurrency, call);
}
