// Search augmentation as a LanguageModel wrapper: the agent loop and the fallback chain see a
// normal model. On the first call of a loop (last message from the user) it may search and add
// a numbered source block to the system prompt; later calls (after tool results) pass through.

import type { SearchSettings } from '../compile/ir.js';
import type { CallOptions, LanguageModel, StreamPart } from '../providers/types.js';
import type { EventSink } from '../run/events.js';
import { SearchError } from './errors.js';
import { formatSourceBlock } from './format.js';
import { needsSearch } from './heuristic.js';
import type { SearchCache, SearchProvider, SearchResult } from './types.js';

export interface WithSearchDependencies {
  provider: SearchProvider;
  emit: EventSink;
  /** One per run: identical queries are answered from it. */
  cache: SearchCache;
}

/** Longest query sent to an engine, in characters; DuckDuckGo ignores much beyond ~500. */
export const maxQueryChars = 300;

/** The search query for a user message: whitespace collapsed, cut at a word boundary within maxQueryChars. */
export function deriveQuery(userText: string): string {
  const collapsed = userText.replace(/\s+/g, ' ').trim();
  if (collapsed.length <= maxQueryChars) return collapsed;
  const cut = collapsed.slice(0, maxQueryChars);
  const lastSpace = cut.lastIndexOf(' ');
  return lastSpace > 0 ? cut.slice(0, lastSpace) : cut;
}

export function withSearch(model: LanguageModel, settings: SearchSettings, dependencies: WithSearchDependencies): LanguageModel {
  if (settings.mode === 'never') return model;
  const augment = (options: CallOptions): Promise<CallOptions> => augmentCall(options, settings, dependencies);
  return {
    provider: model.provider,
    modelId: model.modelId,
    async generate(options) {
      return model.generate(await augment(options));
    },
    async *stream(options): AsyncIterable<StreamPart> {
      yield* model.stream(await augment(options));
    },
  };
}

async function augmentCall(options: CallOptions, settings: SearchSettings, dependencies: WithSearchDependencies): Promise<CallOptions> {
  const last = options.messages.at(-1);
  if (last?.role !== 'user') return options;
  if (settings.mode === 'auto' && !needsSearch(last.content)) return options;
  const query = deriveQuery(last.content);
  if (!query) return options;
  const results = await searchOrNothing(query, settings.maxResults, dependencies, options.abortSignal);
  const block = formatSourceBlock(query, results, settings.maxTokens);
  if (!block) return options;
  // Appended last and not cacheable: it changes per request, and anything after it would lose the provider's prompt cache.
  return { ...options, system: [...options.system, { text: block, cacheable: false }] };
}

/** Never throws for a search failure: it emits `search-failed` and the call goes on without sources. */
async function searchOrNothing(query: string, maxResults: number, dependencies: WithSearchDependencies, signal?: AbortSignal): Promise<SearchResult[]> {
  const { provider, emit, cache } = dependencies;
  const key = searchCacheKey(provider, query, maxResults);
  emit({ type: 'search-start', provider: provider.name, query });
  const started = performance.now();
  const cached = cache.get(key);
  if (cached) {
    emit({ type: 'search-end', provider: provider.name, query, results: cached.length, latencyMs: 0, cached: true });
    return cached;
  }
  try {
    const results = await provider.search(query, { maxResults, signal });
    cache.set(key, results);
    emit({ type: 'search-end', provider: provider.name, query, results: results.length, latencyMs: Math.round(performance.now() - started), cached: false });
    return results;
  } catch (error) {
    // A caller's abort is not a search failure: let the run stop.
    if (signal?.aborted) throw error;
    emit({ type: 'search-failed', provider: provider.name, query, error: describeError(error) });
    return [];
  }
}

export const searchCacheKey = (provider: SearchProvider, query: string, maxResults: number): string =>
  JSON.stringify([provider.name, maxResults, query]);

const describeError = (error: unknown): string =>
  error instanceof SearchError ? `${error.errorClass}: ${error.message}` : error instanceof Error ? error.message : String(error);
