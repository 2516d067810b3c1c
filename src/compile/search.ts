// An agent's `search:` + providers.yaml `search:` -> SearchSettings.

import type { AgentFile, ProvidersFile } from '../validate/types.gen.js';
import type { SearchProviderSpec, SearchSettings } from './ir.js';
import { interpolateEnv } from './models.js';
import { parseOptionalDuration } from './units.js';

export const searchDefaults = { mode: 'never', maxResults: 5, maxTokens: 1500, provider: 'duckduckgo' } as const;
/** Brave's key variable when `api_key_env` is not written. */
const braveKeyEnv = 'BRAVE_API_KEY';

export function resolveSearchProvider(name: SearchProviderSpec['type'], providers: ProvidersFile, env: NodeJS.ProcessEnv): SearchProviderSpec {
  const config = providers.search?.[name];
  const spec: SearchProviderSpec = { name, type: name };
  if (config?.base_url) spec.baseUrl = interpolateEnv(config.base_url, env);
  if (config?.max_results !== undefined) spec.maxResults = config.max_results;
  const timeoutMs = parseOptionalDuration(config?.timeout);
  if (timeoutMs !== undefined) spec.timeoutMs = timeoutMs;
  if (config && 'api_key_env' in config && config.api_key_env) spec.apiKeyEnv = config.api_key_env;
  else if (name === 'brave') spec.apiKeyEnv = braveKeyEnv;
  if (name === 'duckduckgo' && providers.search?.duckduckgo) {
    const ddg = providers.search.duckduckgo;
    if (ddg.region) spec.region = ddg.region;
    if (ddg.safe_search) spec.safeSearch = ddg.safe_search;
  }
  return spec;
}

export function resolveSearch(agent: AgentFile, providers: ProvidersFile, env: NodeJS.ProcessEnv): SearchSettings {
  const search = agent.search;
  const providerName = search?.provider ?? providers.search?.default ?? searchDefaults.provider;
  const provider = resolveSearchProvider(providerName, providers, env);
  return {
    mode: search?.mode ?? searchDefaults.mode,
    maxResults: search?.max_results ?? provider.maxResults ?? searchDefaults.maxResults,
    provider,
    maxTokens: search?.max_tokens ?? searchDefaults.maxTokens,
  };
}
