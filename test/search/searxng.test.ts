import { afterEach, describe, expect, it } from 'vitest';
import { createSearchProvider, SearchError } from '../../src/search/index.js';
import { recordingSleep, startServer, type LocalServer } from './helpers.js';

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const body = JSON.stringify({
  query: 'node 24 lts',
  number_of_results: 3,
  results: [
    { url: 'https://nodejs.org/en/blog/release/v24.11.0', title: 'Node.js 24.11.0 (LTS)', content: 'Node.js 24 enters long-term support.', engine: 'duckduckgo' },
    { url: 'https://nodejs.org/en/blog/release/v24.11.0', title: 'dup', content: 'dup', engine: 'bing' },
    { url: 'https://github.com/nodejs/node/releases', title: 'Releases · nodejs/node', content: '', engine: 'google' },
  ],
});

describe('SearXNG provider', () => {
  it('asks for JSON with the safe-search level and token, and de-duplicates results', async () => {
    server = await startServer(() => ({ status: 200, body, headers: { 'content-type': 'application/json' } }));
    const provider = createSearchProvider(
      { name: 'searxng', type: 'searxng', baseUrl: `${server.url}/sx`, apiKeyEnv: 'SX_TOKEN', safeSearch: 'strict' },
      { SX_TOKEN: 'sx-token-123' },
    );
    const results = await provider.search('node 24 lts', { maxResults: 5 });
    const url = new URL(server.requests[0]?.url ?? '', server.url);
    expect(url.pathname).toBe('/sx/search');
    expect(url.searchParams.get('format')).toBe('json');
    expect(url.searchParams.get('safesearch')).toBe('2');
    expect(server.requests[0]?.headers['authorization']).toBe('Bearer sx-token-123');
    expect(results.map((result) => result.url)).toEqual(['https://nodejs.org/en/blog/release/v24.11.0', 'https://github.com/nodejs/node/releases']);
  });

  it('turns a 429 into a rate-limited error after backing off', async () => {
    server = await startServer(() => ({ status: 429, body: 'Too Many Requests' }));
    const recorder = recordingSleep();
    const provider = createSearchProvider({ name: 'searxng', type: 'searxng', baseUrl: server.url }, {}, { sleep: recorder.sleep });
    const failure = await provider.search('anything', { maxResults: 3 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SearchError);
    expect((failure as SearchError).errorClass).toBe('rate_limited');
    expect(server.requests.length).toBeGreaterThan(1);
    expect(recorder.delays.length).toBe(server.requests.length - 1);
  });

  it('refuses to start without an instance URL', () => {
    expect(() => createSearchProvider({ name: 'searxng', type: 'searxng' }, {})).toThrow(/base_url/);
  });
});
