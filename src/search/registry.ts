// The one place that maps a search provider type to its implementation.

import type { SearchProviderSpec } from '../compile/ir.js';
import { createBraveProvider } from './brave.js';
import { createDuckDuckGoProvider } from './duckduckgo.js';
import { createSearxngProvider } from './searxng.js';
import { SearchError } from './errors.js';
import type { RetryPolicy } from './http.js';
import type { SearchProvider } from './types.js';

type Factory = (spec: SearchProviderSpec, env: NodeJS.ProcessEnv, retry?: RetryPolicy) => SearchProvider;

const factories: Record<string, Factory> = {
  duckduckgo: createDuckDuckGoProvider,
  brave: createBraveProvider,
  searxng: createSearxngProvider,
};

/** Supported provider types, derived from the factory map (used by validation and `explain`). */
export const searchProviderTypes = Object.keys(factories);

/**
 * Builds the provider for a compiled spec. `env` is read here, at construction, never at import.
 * `retry` overrides the backoff policy (tests inject `sleep`). Throws SearchError for an unsupported
 * type or a missing API key.
 */
export function createSearchProvider(spec: SearchProviderSpec, env: NodeJS.ProcessEnv = process.env, retry?: RetryPolicy): SearchProvider {
  const factory = factories[spec.type];
  if (!factory) throw new SearchError('invalid_input', spec.name, `search provider type '${spec.type}' is not supported (supported: ${searchProviderTypes.join(', ')})`);
  return factory(spec, env, retry);
}
