// http against a local node:http server on 127.0.0.1; web_search through an injected handler.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { WebSearchInput } from '../../src/tools/types.js';
import { auditRecords, makeSandbox, run, standardRoutes, startServer, toolSet, type LoopbackServer, type Sandbox } from './helpers.js';

let sandbox: Sandbox;
let server: LoopbackServer;

beforeAll(async () => {
  server = await startServer(standardRoutes);
});

afterAll(() => server.close());

beforeEach(async () => {
  sandbox = await makeSandbox();
  server.requests.length = 0;
});

afterEach(() => sandbox.cleanup());

describe('http', () => {
  test('GET returns status and body', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'http', { url: `${server.origin}/hello` });
    expect(result.output).toBe('HTTP 200 OK\n\nhello from loopback');
    expect(result.isError).toBeUndefined();
  });

  test('POST sends the body', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'http', { url: `${server.origin}/echo`, method: 'POST', body: 'ping' });
    expect(result.output).toBe('HTTP 200 OK\n\nPOST ping');
  });

  test('a 4xx status is an error result', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'http', { url: `${server.origin}/missing` });
    expect(result).toMatchObject({ isError: true, output: 'HTTP 404 Not Found\n\nnot here' });
  });

  test('redirects on an allowed host are followed hop by hop', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'http', { url: `${server.origin}/redirect-ok` });
    expect(result.output).toBe('HTTP 200 OK\n\nhello from loopback');
    expect(server.requests).toEqual([`GET 127.0.0.1:${server.port} /redirect-ok`, `GET 127.0.0.1:${server.port} /hello`]);
  });

  test('303 after POST becomes a GET without a body', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'http', { url: `${server.origin}/post-redirect`, method: 'POST', body: 'ping' });
    expect(result.output).toBe('HTTP 200 OK\n\nGET ');
  });

  test('a redirect loop stops at max_redirects', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'http', { url: `${server.origin}/loop` });
    expect(result).toMatchObject({ isError: true });
    expect(result.output).toContain('more than 3 redirects');
    expect(server.requests).toHaveLength(4);
  });

  test('a redirect to a host the rules deny is refused before it is contacted', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'http', { url: `${server.origin}/to-localhost` });
    expect(result.output).toContain(`Permission denied by http.allow_hosts: redirect to http://localhost:${server.port}`);
    expect(server.requests).toHaveLength(1);
    expect((await auditRecords(sandbox.auditPath))[0]).toMatchObject({ decision: 'denied' });
  });

  test('denyHosts wins over allowHosts', async () => {
    const base = toolSet(sandbox);
    const set = { ...base, permissions: { ...base.permissions, http: { ...base.permissions.http, allowHosts: ['*'], denyHosts: ['127.0.0.*'] } } };
    const result = await run(set, sandbox, 'http', { url: `${server.origin}/hello` });
    expect(result.output).toContain('Permission denied by http.deny_hosts "127.0.0.*"');
    expect(server.requests).toHaveLength(0);
  });

  test('the body is cut at max_bytes', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'http', { url: `${server.origin}/big` });
    expect(result.output).toContain('(body truncated at 1024 bytes)');
    expect(result.output.split('x').length - 1).toBe(1024);
  });
});

describe('web_search', () => {
  test('calls the injected handler with the query and the tool provider', async () => {
    const seen: WebSearchInput[] = [];
    const webSearch = async (input: WebSearchInput): Promise<string> => {
      seen.push(input);
      return '[1] Result title\nhttps://example.test/\nsnippet';
    };
    const base = toolSet(sandbox);
    const set = { ...base, tools: [{ kind: 'builtin' as const, name: 'web_search', builtin: 'web_search' as const, searchProvider: 'duckduckgo' }] };
    const result = await run(set, sandbox, 'web_search', { query: 'latest node release', max_results: 3 }, { webSearch });
    expect(result.output).toBe('[1] Result title\nhttps://example.test/\nsnippet');
    expect(seen).toEqual([{ query: 'latest node release', maxResults: 3, provider: 'duckduckgo' }]);
  });

  test('without a handler it is an error result, not a crash', async () => {
    const result = await run(toolSet(sandbox), sandbox, 'web_search', { query: 'x' });
    expect(result).toMatchObject({ isError: true, output: 'Error: web search is not available in this run' });
  });
});
