// Public surface of search augmentation; other stages import from here only.

export type { SearchCache, SearchOptions, SearchProvider, SearchResult } from './types.js';
export { createSearchCache } from './types.js';
export { SearchError, SearchRateLimitedError, type SearchErrorClass } from './errors.js';
export type { RetryPolicy, Sleep } from './http.js';
export { createSearchProvider, searchProviderTypes } from './registry.js';
export { duckDuckGoDefaultUrl, duckDuckGoUrlEnv, resolveDuckDuckGoUrl } from './duckduckgo.js';
export { braveDefaultKeyEnv } from './brave.js';
export { needsSearch } from './heuristic.js';
export { withSearch, deriveQuery, type WithSearchDependencies } from './with-search.js';
export { webSearchTool, type WebSearchInput, type WebSearchTool } from './web-search-tool.js';
export { estimateSearchTokens, describeSearch } from './estimate.js';
export { approximateTokens, formatSourceBlock, formatResultList } from './format.js';
