import { afterEach, describe, expect, it } from 'vitest';
import type { SearchSettings } from '../../src/compile/ir.js';
import { emptyUsage, type CallOptions, type GenerateResult, type LanguageModel, type Message, type StreamPart } from '../../src/providers/types.js';
import type { RunEventInput } from '../../src/run/events.js';
import { createSearchCache, createSearchProvider, deriveQuery, withSearch, type SearchCache } from '../../src/search/index.js';
import { ddgFixture, html, recordingSleep, searchSettings, startServer, type LocalServer, type ScriptedResponse } from './helpers.js';

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Records what it was called with; answers "ok". */
function recordingModel(): LanguageModel & { calls: CallOptions[] } {
  const calls: CallOptions[] = [];
  const result: GenerateResult = { content: [{ type: 'text', text: 'ok' }], finishReason: 'stop', usage: emptyUsage(), warnings: [] };
  return {
    provider: 'fake',
    modelId: 'recorder',
    calls,
    async generate(options) {
      calls.push(options);
      return result;
    },
    async *stream(options): AsyncIterable<StreamPart> {
      calls.push(options);
      yield { type: 'text-delta', delta: 'ok' };
      yield { type: 'finish', result };
    },
  };
}

const settings = (overrides: Partial<SearchSettings> = {}): SearchSettings => searchSettings({ mode: 'always', ...overrides });

async function setup(respond: (index: number) => ScriptedResponse, overrides: Partial<SearchSettings> = {}, cache: SearchCache = createSearchCache()) {
  server = await startServer((_request, index) => respond(index));
  const searchSettings = settings(overrides);
  const recorder = recordingSleep();
  const provider = createSearchProvider({ ...searchSettings.provider, baseUrl: `${server.url}/html/` }, {}, { sleep: recorder.sleep });
  const events: RunEventInput[] = [];
  const inner = recordingModel();
  const model = withSearch(inner, searchSettings, { provider, emit: (event) => events.push(event), cache });
  return { model, inner, events, server, cache };
}

const userCall = (text: string, extra: Message[] = []): CallOptions => ({
  system: [{ text: 'You are helpful.', cacheable: true }],
  messages: [{ role: 'user', content: text }, ...extra],
});

describe('withSearch', () => {
  it('injects a numbered, non-cacheable source block after the cacheable system parts', async () => {
    const { model, inner } = await setup(() => html(ddgFixture('results.html')));
    await model.generate(userCall('node.js latest version'));
    const system = inner.calls[0]?.system ?? [];
    expect(system).toHaveLength(2);
    expect(system[0]).toEqual({ text: 'You are helpful.', cacheable: true });
    expect(system[1]?.cacheable).toBe(false);
    const block = system[1]?.text ?? '';
    expect(block).toContain('Web search results for "node.js latest version"');
    expect(block).toContain('cite it as [n]');
    expect(block).toContain('[1] Node.js — Node.js Releases — https://nodejs.org/en/about/previous-releases\n    Major Node.js versions');
    expect(block).toContain('[4] Node.js | endoflife.date — https://endoflife.date/nodejs');
    expect(inner.calls[0]?.messages).toEqual([{ role: 'user', content: 'node.js latest version' }]);
  });

  it('emits search-start and search-end with count, latency and cached flag', async () => {
    const { model, events } = await setup(() => html(ddgFixture('results.html')));
    await model.generate(userCall('node.js latest version'));
    expect(events[0]).toEqual({ type: 'search-start', provider: 'ddg', query: 'node.js latest version' });
    expect(events[1]).toMatchObject({ type: 'search-end', provider: 'ddg', query: 'node.js latest version', results: 4, cached: false });
    const end = events[1];
    expect(end?.type === 'search-end' && end.latencyMs >= 0).toBe(true);
  });

  it('answers a repeated query from the run cache without hitting the server', async () => {
    const { model, inner, events, server } = await setup(() => html(ddgFixture('results.html')));
    await model.generate(userCall('node.js latest version'));
    await model.generate(userCall('node.js latest version'));
    expect(server.requests).toHaveLength(1);
    expect(inner.calls[1]?.system).toEqual(inner.calls[0]?.system);
    expect(events.filter((event) => event.type === 'search-end').map((event) => event.type === 'search-end' && event.cached)).toEqual([false, true]);
  });

  it('still calls the model when search fails, and emits search-failed', async () => {
    const { model, inner, events } = await setup(() => html(ddgFixture('anomaly.html'), 202));
    const result = await model.generate(userCall('news today'));
    expect(result.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(inner.calls[0]?.system).toEqual([{ text: 'You are helpful.', cacheable: true }]);
    const failed = events.find((event) => event.type === 'search-failed');
    expect(failed).toMatchObject({ type: 'search-failed', provider: 'ddg', query: 'news today' });
    expect(failed?.type === 'search-failed' && failed.error).toMatch(/^rate_limited: /);
  });

  it('lets a caller abort stop the call instead of degrading to no results', async () => {
    const { model, inner, events } = await setup(() => ({ status: 200, hang: true }));
    const controller = new AbortController();
    const call = model.generate({ ...userCall('latest news'), abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(call).rejects.toMatchObject({ errorClass: 'aborted' });
    expect(inner.calls).toHaveLength(0);
    expect(events.some((event) => event.type === 'search-failed')).toBe(false);
  });

  it('does not search after tool results (later calls of the agent loop)', async () => {
    const { model, inner, events, server } = await setup(() => html(ddgFixture('results.html')));
    const toolTurn: Message[] = [
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 't1', toolName: 'read', input: {} }] },
      { role: 'tool', results: [{ toolCallId: 't1', toolName: 'read', output: 'file text' }] },
    ];
    await model.generate(userCall('latest news', toolTurn));
    expect(server.requests).toHaveLength(0);
    expect(events).toEqual([]);
    expect(inner.calls[0]?.system).toHaveLength(1);
  });

  it('in auto mode searches only when the heuristic says so', async () => {
    const { model, server } = await setup(() => html(ddgFixture('results.html')), { mode: 'auto' });
    await model.generate(userCall('Write a poem about the sea'));
    expect(server.requests).toHaveLength(0);
    await model.generate(userCall('What is the latest Node.js release?'));
    expect(server.requests).toHaveLength(1);
  });

  it('returns the model itself in never mode', async () => {
    const inner = recordingModel();
    const wrapped = withSearch(inner, settings({ mode: 'never' }), { provider: { name: 'x', type: 'x', search: async () => [] }, emit: () => {}, cache: createSearchCache() });
    expect(wrapped).toBe(inner);
  });

  it('caps the block at maxTokens (4 characters per token), shortening results to their title line', async () => {
    const { model, inner } = await setup(() => html(ddgFixture('results.html')), { maxTokens: 150 });
    await model.generate(userCall('node.js latest version'));
    const block = inner.calls[0]?.system[1]?.text ?? '';
    expect(block.length).toBeLessThanOrEqual(150 * 4);
    expect(block).toContain('[1] Node.js — Node.js Releases — https://nodejs.org/en/about/previous-releases\n    Major');
    expect(block).toContain('[2] Node.js - Wikipedia — https://en.wikipedia.org/wiki/Node.js\n[3] ');
    expect(block).not.toContain('[4] ');
  });

  it('adds no block when not even one title line fits', async () => {
    const { model, inner, events } = await setup(() => html(ddgFixture('results.html')), { maxTokens: 20 });
    await model.generate(userCall('node.js latest version'));
    expect(inner.calls[0]?.system).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'search-end', results: 4 });
  });

  it('augments streaming calls too', async () => {
    const { model, inner } = await setup(() => html(ddgFixture('results.html')));
    const parts: StreamPart[] = [];
    for await (const part of model.stream(userCall('node.js latest version'))) parts.push(part);
    expect(parts.map((part) => part.type)).toEqual(['text-delta', 'finish']);
    expect(inner.calls[0]?.system[1]?.text).toContain('[1] Node.js — Node.js Releases');
  });

  it('adds no block when the engine has no results', async () => {
    const { model, inner, events } = await setup(() => html(ddgFixture('no-results.html')));
    await model.generate(userCall('qzxjvkwpq flurbnatz 88123'));
    expect(inner.calls[0]?.system).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'search-end', results: 0 });
  });
});

describe('deriveQuery', () => {
  it('collapses whitespace and cuts long text at a word boundary within 300 characters', () => {
    expect(deriveQuery('  latest\n\n node   release ')).toBe('latest node release');
    const long = deriveQuery('word '.repeat(200));
    expect(long.length).toBeLessThanOrEqual(300);
    expect(long.endsWith('word')).toBe(true);
  });
});
