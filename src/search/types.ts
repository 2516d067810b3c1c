// The search contract. Providers return plain results; the wrapper, the web_search tool and
// the estimate never know which engine answered.

export interface SearchResult {
  title: string;
  /** The destination URL (redirect wrappers already removed). */
  url: string;
  /** Plain text, no HTML; may be empty. */
  snippet: string;
}

export interface SearchOptions {
  /** Upper bound on returned results; providers may return fewer. */
  maxResults: number;
  signal?: AbortSignal;
}

export interface SearchProvider {
  /** Name from providers.yaml; used in events and cache keys. */
  readonly name: string;
  readonly type: string;
  /** Resolves to `[]` when the engine has no results; rejects with a SearchError otherwise. */
  search(query: string, options: SearchOptions): Promise<SearchResult[]>;
}

/** Results kept for one run, keyed by provider, result count and query. A `Map` satisfies it. */
export interface SearchCache {
  get(key: string): SearchResult[] | undefined;
  set(key: string, value: SearchResult[]): unknown;
}

export const createSearchCache = (): SearchCache => new Map<string, SearchResult[]>();
