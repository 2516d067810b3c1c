import { afterEach, describe, expect, it } from 'vitest';
import type { SearchProviderSpec } from '../../src/compile/ir.js';
import { createSearchProvider, duckDuckGoDefaultUrl, resolveDuckDuckGoUrl, SearchError, SearchRateLimitedError } from '../../src/search/index.js';
import { parseDuckDuckGoHtml, unwrapDuckDuckGoUrl } from '../../src/search/duckduckgo-html.js';
import { ddgFixture, html, recordingSleep, startServer, searchError, type LocalServer, type ScriptedResponse } from './helpers.js';

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const spec = (overrides: Partial<SearchProviderSpec> = {}): SearchProviderSpec => ({ name: 'ddg', type: 'duckduckgo', ...overrides });

async function ddgAgainst(respond: (index: number) => ScriptedResponse, overrides: Partial<SearchProviderSpec> = {}) {
  server = await startServer((_request, index) => respond(index));
  const recorder = recordingSleep();
  const provider = createSearchProvider(spec({ baseUrl: `${server.url}/html/`, ...overrides }), {}, { sleep: recorder.sleep });
  return { provider, server, delays: recorder.delays };
}

describe('DuckDuckGo HTML provider', () => {
  it('parses results, unwraps uddg links, skips the ad and drops the duplicate', async () => {
    const { provider } = await ddgAgainst(() => html(ddgFixture('results.html')));
    const results = await provider.search('node.js latest version', { maxResults: 10 });
    expect(results.map((result) => result.url)).toEqual([
      'https://nodejs.org/en/about/previous-releases',
      'https://en.wikipedia.org/wiki/Node.js',
      'https://github.com/nodejs/node/releases',
      'https://endoflife.date/nodejs',
    ]);
    expect(results[0]).toEqual({
      title: 'Node.js — Node.js Releases',
      url: 'https://nodejs.org/en/about/previous-releases',
      snippet:
        'Major Node.js versions enter Current release status for six months, which gives library authors time to add support for them. After six months, odd-numbered releases become unsupported.',
    });
    expect(results[1]?.snippet).toContain('V8 JavaScript engine & executes');
    expect(results[2]?.title).toBe('Releases · nodejs/node · GitHub');
    expect(results[2]?.snippet).toContain("It's the latest tag.");
    expect(results[3]?.snippet).toBe('');
    expect(results.some((result) => result.title.includes('Hosting'))).toBe(false);
  });

  it('POSTs the form with q, region (kl) and safe search (kp) and a browser User-Agent', async () => {
    const { provider, server } = await ddgAgainst(() => html(ddgFixture('results.html')), { region: 'de-de', safeSearch: 'strict' });
    await provider.search('wetter heute berlin', { maxResults: 3 });
    const request = server.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/html/');
    expect(request?.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(request?.headers['user-agent']).toMatch(/^Mozilla\/5\.0 .*Chrome\/\d+/);
    const form = new URLSearchParams(request?.body);
    expect(form.get('q')).toBe('wetter heute berlin');
    expect(form.get('kl')).toBe('de-de');
    expect(form.get('kp')).toBe('1');
  });

  it('defaults to all regions and moderate safe search, and caps results at maxResults', async () => {
    const { provider, server } = await ddgAgainst(() => html(ddgFixture('results.html')));
    expect(await provider.search('node', { maxResults: 2 })).toHaveLength(2);
    const form = new URLSearchParams(server.requests[0]?.body);
    expect(form.get('kl')).toBe('wt-wt');
    expect(form.get('kp')).toBe('-1');
  });

  it('returns an empty array for the no-results page', async () => {
    const { provider } = await ddgAgainst(() => html(ddgFixture('no-results.html')));
    expect(await provider.search('qzxjvkwpq flurbnatz 88123', { maxResults: 5 })).toEqual([]);
  });

  it('turns a 202 anomaly page into rate_limited after 3 attempts with exponential delays', async () => {
    const { provider, server, delays } = await ddgAgainst(() => html(ddgFixture('anomaly.html'), 202));
    const error = await searchError(provider.search('node', { maxResults: 5 }));
    expect(error).toBeInstanceOf(SearchRateLimitedError);
    expect(error.errorClass).toBe('rate_limited');
    expect(error.status).toBe(202);
    expect(error.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
    expect(delays).toEqual([1000, 2000]);
  });

  it('recognises the CAPTCHA page even when it comes with status 200', async () => {
    const { provider } = await ddgAgainst(() => html(ddgFixture('anomaly.html')), {});
    const error = await searchError(provider.search('node', { maxResults: 5 }));
    expect(error.errorClass).toBe('rate_limited');
  });

  it('honours Retry-After on 429 and succeeds when the engine recovers', async () => {
    const { provider, server, delays } = await ddgAgainst((index) =>
      index === 0 ? { status: 429, body: 'slow down', headers: { 'retry-after': '5' } } : html(ddgFixture('results.html')),
    );
    expect(await provider.search('node', { maxResults: 5 })).toHaveLength(4);
    expect(server.requests).toHaveLength(2);
    expect(delays).toEqual([5000]);
  });

  it('retries a 500 as server_error and gives up after the bounded attempts', async () => {
    const { provider, server, delays } = await ddgAgainst(() => ({ status: 500, body: 'Internal Server Error' }));
    const error = await searchError(provider.search('node', { maxResults: 5 }));
    expect(error.errorClass).toBe('server_error');
    expect(error.status).toBe(500);
    expect(server.requests).toHaveLength(3);
    expect(delays).toEqual([1000, 2000]);
  });

  it('does not retry a 404', async () => {
    const { provider, server, delays } = await ddgAgainst(() => ({ status: 404, body: 'not found' }));
    const error = await searchError(provider.search('node', { maxResults: 5 }));
    expect(error.errorClass).toBe('http_error');
    expect(server.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('times out a server that never answers', async () => {
    const { provider } = await ddgAgainst(() => ({ status: 200, hang: true }), { timeoutMs: 200 });
    const error = await searchError(provider.search('node', { maxResults: 5 }));
    expect(error.errorClass).toBe('timeout');
  });

  it('rejects an empty query without a request', async () => {
    const { provider, server } = await ddgAgainst(() => html(ddgFixture('results.html')));
    expect((await searchError(provider.search('   ', { maxResults: 5 }))).errorClass).toBe('invalid_input');
    expect(server.requests).toHaveLength(0);
  });
});

describe('DuckDuckGo base URL', () => {
  it('prefers config, then AGENTPIPE_DDG_URL, then the public endpoint', () => {
    const env = { AGENTPIPE_DDG_URL: 'http://127.0.0.1:9/env/' };
    expect(resolveDuckDuckGoUrl(spec({ baseUrl: 'http://127.0.0.1:9/config/' }), env)).toBe('http://127.0.0.1:9/config/');
    expect(resolveDuckDuckGoUrl(spec(), env)).toBe('http://127.0.0.1:9/env/');
    expect(resolveDuckDuckGoUrl(spec(), {})).toBe(duckDuckGoDefaultUrl);
    expect(duckDuckGoDefaultUrl).toBe('https://html.duckduckgo.com/html/');
  });

  it('sends requests to AGENTPIPE_DDG_URL when the config has no base_url', async () => {
    server = await startServer(() => html(ddgFixture('results.html')));
    const provider = createSearchProvider(spec(), { AGENTPIPE_DDG_URL: `${server.url}/from-env/` });
    await provider.search('node', { maxResults: 1 });
    expect(server.requests[0]?.url).toBe('/from-env/');
  });
});

describe('unwrapDuckDuckGoUrl', () => {
  it.each([
    ['//duckduckgo.com/l/?uddg=https%3A%2F%2Fexample.com%2Fa%3Fb%3D1&rut=x', 'https://example.com/a?b=1'],
    ['https://duckduckgo.com/l/?uddg=http%3A%2F%2Fexample.org%2F', 'http://example.org/'],
    ['https://example.com/page#section', 'https://example.com/page'],
    ['https://duckduckgo.com/y.js?ad_domain=x.example', undefined],
    ['/html/?q=next', undefined],
    ['javascript:alert(1)', undefined],
    ['//duckduckgo.com/l/?uddg=javascript%3Aalert(1)', undefined],
    [undefined, undefined],
  ])('%s -> %s', (href, expected) => {
    expect(unwrapDuckDuckGoUrl(href)).toBe(expected);
  });
});

describe('parseDuckDuckGoHtml', () => {
  it('skips a result--ad even when its link is a direct URL', async () => {
    const page = await parseDuckDuckGoHtml(
      '<div class="result result--ad"><a class="result__a" href="https://ads.example/">Ad</a></div>' +
        '<div class="result web-result"><a class="result__a" href="https://real.example/">Real</a><a class="result__snippet">Snip</a></div>',
    );
    expect(page).toEqual({ kind: 'results', results: [{ title: 'Real', url: 'https://real.example/', snippet: 'Snip' }] });
  });

  it('reports the anomaly page as blocked', async () => {
    expect(await parseDuckDuckGoHtml(ddgFixture('anomaly.html'))).toEqual({ kind: 'blocked' });
  });
});
