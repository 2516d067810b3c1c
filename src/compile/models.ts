// Routes and provider/model ids -> ModelChain: ordered models with prices, provider specs and the
// retry/fallback/rate-limit policy. Default key env vars per provider type live in providers/key-env.ts.

import { parseModelRef } from '../providers/types.js';
import { didYouMean } from '../validate/suggest.js';
import type { Checked } from '../validate/types.js';
import type { Pricing as PricingFile, ProvidersFile } from '../validate/types.gen.js';
import type { CompileDiagnostics } from './diagnostics.js';
import type { ErrorClass, ModelChain, ModelSpec, Pricing, ProviderSpec, ProviderType, RateLimit, RetryPolicy } from './ir.js';
import { parseOptionalDuration } from './units.js';

export const defaultRetry: RetryPolicy = { attempts: 3, initialDelayMs: 500, maxDelayMs: 20_000, honorRetryAfter: true };
export const defaultFallbackOn: ErrorClass[] = ['rate_limited', 'overloaded', 'server_error', 'timeout', 'network', 'unavailable'];
/** Per-call timeout when a provider sets none. */
export const defaultProviderTimeoutMs = 120_000;

/** Replaces `${NAME}` / `${NAME:-default}` left in a value (the loader normally did it already). */
export function interpolateEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_match, name: string, fallback: string | undefined) => {
    const value = env[name];
    return value !== undefined && value !== '' ? value : (fallback ?? '');
  });
}

export function resolveProvider(name: string, providers: ProvidersFile, env: NodeJS.ProcessEnv): ProviderSpec | undefined {
  const provider = providers.providers[name];
  if (!provider) return undefined;
  // No default here: providers/key-env.ts knows each type's env vars (gemini has two).
  const apiKeyEnv = provider.api_key_env;
  const headers = provider.headers ? (Object.fromEntries(Object.entries(provider.headers).filter(([, value]) => value !== undefined)) as Record<string, string>) : undefined;
  return {
    name,
    type: provider.type,
    ...(provider.base_url ? { baseUrl: interpolateEnv(provider.base_url, env) } : {}),
    ...(apiKeyEnv ? { apiKeyEnv } : {}),
    ...(headers ? { headers } : {}),
    timeoutMs: parseOptionalDuration(provider.timeout) ?? defaultProviderTimeoutMs,
  };
}

/** providers.yaml pricing (snake_case) -> IR Pricing. */
export function toPricing(pricing: PricingFile): Pricing {
  return {
    input: pricing.input,
    output: pricing.output,
    ...(pricing.cache_read !== undefined ? { cacheRead: pricing.cache_read } : {}),
    ...(pricing.cache_write !== undefined ? { cacheWrite: pricing.cache_write } : {}),
    ...(pricing.source !== undefined ? { source: pricing.source } : {}),
    ...(pricing.as_of !== undefined ? { asOf: String(pricing.as_of) } : {}),
  };
}

/** One model id -> ModelSpec, or a diagnostic at `where` when the provider or the price is missing. */
function resolveModel(id: string, providersFile: Checked<ProvidersFile>, env: NodeJS.ProcessEnv, report: (message: string, fix?: string) => void): ModelSpec | undefined {
  const ref = parseModelRef(id);
  if (!ref) {
    const known = [...Object.keys(providersFile.value.routes ?? {}), ...Object.keys(providersFile.value.models ?? {})];
    return report(`"${id}" is neither a route nor a provider/model id${didYouMean(id, known)}`, 'name a route from providers.yaml or write provider/model'), undefined;
  }
  const providers = providersFile.value;
  const provider = resolveProvider(ref.provider, providers, env);
  if (!provider) return report(`model "${id}" names provider "${ref.provider}", which providers.yaml does not define`), undefined;
  const model = providers.models?.[id];
  if (!model) return report(`model "${id}" has no entry (price) under models: in providers.yaml`, `add models: { ${id}: { pricing: { input: ..., output: ... } } }`), undefined;
  return {
    ref,
    provider,
    pricing: toPricing(model.pricing),
    ...(model.context_window !== undefined ? { contextWindow: model.context_window } : {}),
    ...(model.max_output_tokens !== undefined ? { maxOutputTokens: model.max_output_tokens } : {}),
  };
}

/**
 * `modelOrRoute` is a route name or a provider/model id. Problems go to `diagnostics` at `at`
 * (the file and value path that named it); the chain is still returned, possibly with no models.
 */
export function resolveModelChain(
  modelOrRoute: string,
  providersFile: Checked<ProvidersFile>,
  env: NodeJS.ProcessEnv,
  diagnostics: CompileDiagnostics,
  at: { source: Checked<unknown>['source']; path: ReadonlyArray<string | number> },
): ModelChain {
  const providers = providersFile.value;
  const route = providers.routes?.[modelOrRoute];
  const ids: string[] = route ? [...route] : [modelOrRoute];
  const report = (message: string, fix?: string) => diagnostics.error(at.source, at.path, 'ref/model', message, fix);
  const models = ids.flatMap((id) => resolveModel(id, providersFile, env, report) ?? []);
  const retry = providers.retry;
  // Limits by provider name and by provider/model id: a call draws from both.
  const rateLimits: Record<string, RateLimit> = {};
  for (const model of models) {
    for (const key of [model.provider.name, model.ref.id]) {
      const limit = providers.rate_limits?.[key];
      if (limit) rateLimits[key] = { ...(limit.rpm !== undefined ? { rpm: limit.rpm } : {}), ...(limit.tpm !== undefined ? { tpm: limit.tpm } : {}) };
    }
  }
  return {
    name: modelOrRoute,
    models,
    retry: {
      attempts: retry?.attempts ?? defaultRetry.attempts,
      initialDelayMs: parseOptionalDuration(retry?.initial_delay) ?? defaultRetry.initialDelayMs,
      maxDelayMs: parseOptionalDuration(retry?.max_delay) ?? defaultRetry.maxDelayMs,
      honorRetryAfter: retry?.honor_retry_after ?? defaultRetry.honorRetryAfter,
    },
    fallbackOn: providers.fallback?.on ? [...providers.fallback.on] : [...defaultFallbackOn],
    rateLimits,
  };
}
