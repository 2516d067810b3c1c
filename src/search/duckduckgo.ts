// DuckDuckGo through its no-JavaScript HTML endpoint: one POST, no vqd token, no key.
// Base URL precedence: `search.duckduckgo.base_url` in providers.yaml (spec.baseUrl) >
// env AGENTPIPE_DDG_URL > the public endpoint. Explicit config wins because it is reviewed and
// versioned with the project; the env var is for pointing a whole machine (CI, a proxy) elsewhere.

import type { SearchProviderSpec } from '../compile/ir.js';
import { SearchRateLimitedError } from './errors.js';
import { parseDuckDuckGoHtml } from './duckduckgo-html.js';
import { browserUserAgent, defaultSearchTimeoutMs, requestText, statusError, type RetryPolicy } from './http.js';
import { retryingProvider } from './provider-base.js';
import type { SearchProvider, SearchResult } from './types.js';

export const duckDuckGoDefaultUrl = 'https://html.duckduckgo.com/html/';
export const duckDuckGoUrlEnv = 'AGENTPIPE_DDG_URL';

/** DuckDuckGo's `kp` values. */
const safeSearchParam: Record<NonNullable<SearchProviderSpec['safeSearch']>, string> = { strict: '1', moderate: '-1', off: '-2' };

export function resolveDuckDuckGoUrl(spec: SearchProviderSpec, env: NodeJS.ProcessEnv): string {
  return spec.baseUrl || env[duckDuckGoUrlEnv] || duckDuckGoDefaultUrl;
}

export function createDuckDuckGoProvider(spec: SearchProviderSpec, env: NodeJS.ProcessEnv, retry?: RetryPolicy): SearchProvider {
  const url = resolveDuckDuckGoUrl(spec, env);
  const name = spec.name;
  const timeoutMs = spec.timeoutMs ?? defaultSearchTimeoutMs;

  async function searchOnce(query: string, _maxResults: number, signal: AbortSignal | undefined): Promise<SearchResult[]> {
    const form = new URLSearchParams({ q: query, b: '', kl: spec.region ?? 'wt-wt', kp: safeSearchParam[spec.safeSearch ?? 'moderate'] });
    const response = await requestText(
      name,
      url,
      {
        method: 'POST',
        body: form,
        headers: { 'user-agent': browserUserAgent, accept: 'text/html', 'accept-language': 'en-US,en;q=0.9' },
      },
      timeoutMs,
      signal,
    );
    // 202 is how the HTML endpoint throttles: a CAPTCHA page instead of results.
    if (response.status === 202) throw new SearchRateLimitedError(name, 'HTTP 202 bot check (anomaly page)', { status: 202 });
    const failure = statusError(name, response);
    if (failure) throw failure;
    const page = await parseDuckDuckGoHtml(response.body);
    if (page.kind === 'blocked') throw new SearchRateLimitedError(name, 'anomaly/CAPTCHA page instead of results', { status: response.status });
    return page.results;
  }

  return retryingProvider(name, 'duckduckgo', searchOnce, retry);
}
