// SearXNG (GET <instance>/search?format=json). A self-hosted metasearch engine: no key unless the
// instance sits behind a token, so the key env var is optional here (unlike Brave).

import type { SearchProviderSpec } from '../compile/ir.js';
import { SearchError } from './errors.js';
import { defaultSearchTimeoutMs, requestText, statusError, type RetryPolicy } from './http.js';
import { retryingProvider } from './provider-base.js';
import type { SearchProvider, SearchResult } from './types.js';

interface SearxngResponse {
  results?: Array<{ title?: unknown; url?: unknown; content?: unknown }>;
}

/** SearXNG's safesearch levels: 0 off, 1 moderate, 2 strict. */
const safeSearchLevel = { off: '0', moderate: '1', strict: '2' } as const;

export function createSearxngProvider(spec: SearchProviderSpec, env: NodeJS.ProcessEnv, retry?: RetryPolicy): SearchProvider {
  const name = spec.name;
  if (!spec.baseUrl) throw new SearchError('invalid_input', name, 'searxng needs base_url (the instance URL)');
  const token = spec.apiKeyEnv ? env[spec.apiKeyEnv] : undefined;
  if (spec.apiKeyEnv && !token) throw new SearchError('missing_key', name, `env var ${spec.apiKeyEnv} is not set`);
  const endpoint = new URL('search', spec.baseUrl.endsWith('/') ? spec.baseUrl : `${spec.baseUrl}/`);
  const timeoutMs = spec.timeoutMs ?? defaultSearchTimeoutMs;

  async function searchOnce(query: string, maxResults: number, signal: AbortSignal | undefined): Promise<SearchResult[]> {
    const url = new URL(endpoint);
    url.searchParams.set('q', query);
    url.searchParams.set('format', 'json');
    url.searchParams.set('safesearch', safeSearchLevel[spec.safeSearch ?? 'moderate']);
    if (spec.region) url.searchParams.set('language', spec.region);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers['authorization'] = `Bearer ${token}`;
    const response = await requestText(name, url.href, { method: 'GET', headers }, timeoutMs, signal);
    const failure = statusError(name, response);
    if (failure) throw failure;
    let parsed: SearxngResponse;
    try {
      parsed = JSON.parse(response.body) as SearxngResponse;
    } catch (error) {
      throw new SearchError('invalid_response', name, 'response is not JSON (is format=json enabled on the instance?)', { status: response.status, cause: error });
    }
    const results: SearchResult[] = [];
    const seen = new Set<string>();
    for (const item of parsed.results ?? []) {
      if (typeof item.url !== 'string' || seen.has(item.url)) continue;
      seen.add(item.url);
      results.push({ title: typeof item.title === 'string' ? item.title : '', url: item.url, snippet: typeof item.content === 'string' ? item.content : '' });
      if (results.length >= maxResults) break;
    }
    return results;
  }

  return retryingProvider(name, 'searxng', searchOnce, retry);
}
