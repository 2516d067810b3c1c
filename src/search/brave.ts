// Brave Search API (GET /res/v1/web/search, key in X-Subscription-Token). Shows that the
// SearchProvider contract is not shaped by DuckDuckGo: JSON, a key, and its own throttle codes.

import type { SearchProviderSpec } from '../compile/ir.js';
import { SearchError } from './errors.js';
import { htmlToText } from './text.js';
import { defaultSearchTimeoutMs, requestText, statusError, type RetryPolicy } from './http.js';
import { retryingProvider } from './provider-base.js';
import type { SearchProvider, SearchResult } from './types.js';

export const braveDefaultUrl = 'https://api.search.brave.com';
export const braveDefaultKeyEnv = 'BRAVE_API_KEY';
/** Brave rejects `count` above 20. */
const braveMaxCount = 20;

interface BraveResponse {
  web?: { results?: Array<{ title?: unknown; url?: unknown; description?: unknown }> };
}

/** Throws `missing_key` (naming the env var, never a value) when the key is not set. */
export function createBraveProvider(spec: SearchProviderSpec, env: NodeJS.ProcessEnv, retry?: RetryPolicy): SearchProvider {
  const name = spec.name;
  const keyEnv = spec.apiKeyEnv ?? braveDefaultKeyEnv;
  const apiKey = env[keyEnv];
  if (!apiKey) throw new SearchError('missing_key', name, `env var ${keyEnv} is not set`);
  const endpoint = new URL('res/v1/web/search', withTrailingSlash(spec.baseUrl || braveDefaultUrl));
  const timeoutMs = spec.timeoutMs ?? defaultSearchTimeoutMs;

  async function searchOnce(query: string, maxResults: number, signal: AbortSignal | undefined): Promise<SearchResult[]> {
    const url = new URL(endpoint);
    url.searchParams.set('q', query);
    url.searchParams.set('count', String(Math.min(Math.max(1, maxResults), braveMaxCount)));
    url.searchParams.set('safesearch', spec.safeSearch ?? 'moderate');
    if (spec.region) url.searchParams.set('country', spec.region);
    const headers = { accept: 'application/json', 'x-subscription-token': apiKey as string };
    const response = await requestText(name, url.href, { method: 'GET', headers }, timeoutMs, signal);
    const failure = statusError(name, response);
    if (failure) throw failure;
    let parsed: BraveResponse;
    try {
      parsed = JSON.parse(response.body) as BraveResponse;
    } catch (error) {
      throw new SearchError('invalid_response', name, 'response is not JSON', { status: response.status, cause: error });
    }
    return await toResults(parsed);
  }

  return retryingProvider(name, 'brave', searchOnce, retry);
}

/** Brave marks query terms with <strong> in titles and descriptions; we keep plain text. */
async function toResults(response: BraveResponse): Promise<SearchResult[]> {
  const results: SearchResult[] = [];
  const seen = new Set<string>();
  for (const item of response.web?.results ?? []) {
    if (typeof item.url !== 'string' || seen.has(item.url)) continue;
    seen.add(item.url);
    results.push({
      title: await htmlToText(typeof item.title === 'string' ? item.title : ''),
      url: item.url,
      snippet: await htmlToText(typeof item.description === 'string' ? item.description : ''),
    });
  }
  return results;
}

const withTrailingSlash = (base: string): string => (base.endsWith('/') ? base : `${base}/`);
