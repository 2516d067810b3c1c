import { afterEach, describe, expect, it } from 'vitest';
import { createSearchProvider, describeSearch, estimateSearchTokens, webSearchTool } from '../../src/search/index.js';
import { ddgFixture, html, searchError, searchSettings, startServer, type LocalServer } from './helpers.js';

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function toolAgainst(page: string, maxResults = 3) {
  server = await startServer(() => html(ddgFixture(page)));
  const provider = createSearchProvider({ name: 'ddg', type: 'duckduckgo', baseUrl: `${server.url}/html/` }, {});
  return { tool: webSearchTool(provider, { maxResults }), server };
}

describe('webSearchTool', () => {
  it('describes itself with a JSON Schema that bounds max_results', async () => {
    const { tool } = await toolAgainst('results.html');
    expect(tool.definition.name).toBe('web_search');
    expect(tool.definition.inputSchema).toMatchObject({
      type: 'object',
      required: ['query'],
      additionalProperties: false,
      properties: { query: { type: 'string' }, max_results: { type: 'integer', minimum: 1, maximum: 3 } },
    });
  });

  it('returns numbered results, at most the configured count', async () => {
    const { tool, server } = await toolAgainst('results.html');
    const text = await tool.execute({ query: 'node.js latest version' });
    expect(text.split('\n')[0]).toBe('[1] Node.js — Node.js Releases — https://nodejs.org/en/about/previous-releases');
    expect(text).toContain('[3] Releases · nodejs/node · GitHub — https://github.com/nodejs/node/releases');
    expect(text).not.toContain('[4]');
    expect(new URLSearchParams(server.requests[0]?.body).get('q')).toBe('node.js latest version');
  });

  it('honours a smaller max_results and clamps a larger one', async () => {
    const { tool } = await toolAgainst('results.html');
    expect(await tool.execute({ query: 'node', max_results: 1 })).not.toContain('[2]');
    expect(await tool.execute({ query: 'node', max_results: 99 })).not.toContain('[4]');
  });

  it('says so when there are no results', async () => {
    const { tool } = await toolAgainst('no-results.html');
    expect(await tool.execute({ query: 'qzxjvkwpq' })).toBe('No results for "qzxjvkwpq".');
  });

  it('rejects an empty query with invalid_input', async () => {
    const { tool, server } = await toolAgainst('results.html');
    expect((await searchError(tool.execute({ query: '  ' }))).errorClass).toBe('invalid_input');
    expect(server.requests).toHaveLength(0);
  });
});

const settings = searchSettings;

describe('estimateSearchTokens', () => {
  it('is overhead plus typical result size per result, capped by maxTokens, and 0 when off', () => {
    expect(estimateSearchTokens(settings())).toBe(40 + 5 * 75);
    expect(estimateSearchTokens(settings({ maxResults: 20 }))).toBe(1000);
    expect(estimateSearchTokens(settings({ mode: 'never' }))).toBe(0);
    expect(estimateSearchTokens(settings({ mode: 'always', maxResults: 2 }))).toBe(190);
  });
});

describe('describeSearch', () => {
  it('gives one line per mode', () => {
    expect(describeSearch(settings({ mode: 'never' }))).toBe('search: off');
    expect(describeSearch(settings({ mode: 'always', provider: { name: 'duckduckgo', type: 'duckduckgo' } }))).toBe(
      'search: always via duckduckgo, up to 5 results, ≤1000 tokens',
    );
    expect(describeSearch(settings())).toBe('search: auto (when the request asks about current information) via ddg (duckduckgo), up to 5 results, ≤1000 tokens');
  });
});
