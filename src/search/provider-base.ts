import { SearchError } from './errors.js';
import { withRetry, type RetryPolicy } from './http.js';
import type { SearchProvider, SearchResult } from './types.js';

export type SearchOnce = (query: string, maxResults: number, signal: AbortSignal | undefined) => Promise<SearchResult[]>;

/** The behaviour every HTTP provider shares: reject empty queries, retry with backoff, cap the count. */
export function retryingProvider(name: string, type: string, searchOnce: SearchOnce, retry?: RetryPolicy): SearchProvider {
  return {
    name,
    type,
    async search(query, options) {
      if (!query.trim()) throw new SearchError('invalid_input', name, 'empty query');
      const results = await withRetry(() => searchOnce(query, options.maxResults, options.signal), retry, options.signal);
      return results.slice(0, options.maxResults);
    },
  };
}
