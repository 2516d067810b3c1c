import { afterEach, describe, expect, it } from 'vitest';
import type { SearchProviderSpec } from '../../src/compile/ir.js';
import { createSearchProvider, SearchError, SearchRateLimitedError } from '../../src/search/index.js';
import { recordingSleep, startServer, searchError, type LocalServer, type ScriptedResponse } from './helpers.js';

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const apiKey = 'BSA-test-key-0123456789';

/** Shape of a Brave Web Search API answer (trimmed): `web.results[]` with HTML-marked descriptions. */
const braveBody = JSON.stringify({
  type: 'search',
  query: { original: 'rust 1.85 release', more_results_available: true },
  web: {
    type: 'search',
    results: [
      {
        title: 'Announcing <strong>Rust</strong> 1.85.0 | Rust Blog',
        url: 'https://blog.rust-lang.org/2025/02/20/Rust-1.85.0.html',
        description: 'The <strong>Rust</strong> team is happy to announce a new version, 1.85.0, and the 2024 edition &amp; more.',
        language: 'en',
        family_friendly: true,
      },
      { title: 'Duplicate', url: 'https://blog.rust-lang.org/2025/02/20/Rust-1.85.0.html', description: 'again' },
      { title: 'Releases', url: 'https://github.com/rust-lang/rust/releases', description: '' },
    ],
  },
});

const json = (body: string, status = 200): ScriptedResponse => ({ status, body, headers: { 'content-type': 'application/json' } });

async function braveAgainst(respond: (index: number) => ScriptedResponse, overrides: Partial<SearchProviderSpec> = {}) {
  server = await startServer((_request, index) => respond(index));
  const recorder = recordingSleep();
  const spec: SearchProviderSpec = { name: 'brave', type: 'brave', baseUrl: server.url, apiKeyEnv: 'TEST_BRAVE_KEY', ...overrides };
  const provider = createSearchProvider(spec, { TEST_BRAVE_KEY: apiKey }, { sleep: recorder.sleep });
  return { provider, server, delays: recorder.delays };
}

describe('Brave Search API provider', () => {
  it('sends the key header and query parameters and maps web.results to plain text', async () => {
    const { provider, server } = await braveAgainst(() => json(braveBody), { region: 'DE', safeSearch: 'off' });
    const results = await provider.search('rust 1.85 release', { maxResults: 5 });
    const request = server.requests[0];
    const url = new URL(request?.url ?? '', server.url);
    expect(request?.method).toBe('GET');
    expect(url.pathname).toBe('/res/v1/web/search');
    expect(url.searchParams.get('q')).toBe('rust 1.85 release');
    expect(url.searchParams.get('count')).toBe('5');
    expect(url.searchParams.get('safesearch')).toBe('off');
    expect(url.searchParams.get('country')).toBe('DE');
    expect(request?.headers['x-subscription-token']).toBe(apiKey);
    expect(results).toEqual([
      {
        title: 'Announcing Rust 1.85.0 | Rust Blog',
        url: 'https://blog.rust-lang.org/2025/02/20/Rust-1.85.0.html',
        snippet: 'The Rust team is happy to announce a new version, 1.85.0, and the 2024 edition & more.',
      },
      { title: 'Releases', url: 'https://github.com/rust-lang/rust/releases', snippet: '' },
    ]);
  });

  it('caps count at 20 and returns [] when there is no web section', async () => {
    const { provider, server } = await braveAgainst(() => json(JSON.stringify({ type: 'search', query: { original: 'x' } })));
    expect(await provider.search('x', { maxResults: 50 })).toEqual([]);
    expect(new URL(server.requests[0]?.url ?? '', server.url).searchParams.get('count')).toBe('20');
  });

  it('fails with missing_key naming the env var when the key is not set', () => {
    let error: unknown;
    try {
      createSearchProvider({ name: 'brave', type: 'brave', apiKeyEnv: 'MY_BRAVE_KEY' }, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SearchError);
    expect((error as SearchError).errorClass).toBe('missing_key');
    expect((error as SearchError).message).toContain('MY_BRAVE_KEY');
  });

  it('reports a rejected key as auth without retrying and without the key in the message', async () => {
    const { provider, server } = await braveAgainst(() => json('{"type":"ErrorResponse","error":{"code":"SUBSCRIPTION_TOKEN_INVALID"}}', 401));
    const error = await searchError(provider.search('x', { maxResults: 5 }));
    expect(error.errorClass).toBe('auth');
    expect(error.message).not.toContain(apiKey);
    expect(server.requests).toHaveLength(1);
  });

  it('treats 429 as rate_limited with backoff', async () => {
    const { provider, server, delays } = await braveAgainst(() => json('{"type":"ErrorResponse","error":{"code":"RATE_LIMITED"}}', 429));
    const error = await searchError(provider.search('x', { maxResults: 5 }));
    expect(error).toBeInstanceOf(SearchRateLimitedError);
    expect(server.requests).toHaveLength(3);
    expect(delays).toEqual([1000, 2000]);
  });

  it('reports a non-JSON body as invalid_response', async () => {
    const { provider } = await braveAgainst(() => ({ status: 200, body: '<html>proxy error</html>' }));
    expect((await searchError(provider.search('x', { maxResults: 5 }))).errorClass).toBe('invalid_response');
  });
});

describe('createSearchProvider', () => {
  it('rejects a type without an implementation', () => {
    const unknownType = { name: 's', type: 'bing' } as unknown as Parameters<typeof createSearchProvider>[0];
    expect(() => createSearchProvider(unknownType, {})).toThrow(/bing' is not supported \(supported: duckduckgo, brave, searxng\)/);
  });
});
