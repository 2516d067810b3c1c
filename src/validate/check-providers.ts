// providers.yaml: models belong to known providers, routes name known models, rate limits name a
// known provider or model; and the shared check
// that an agent's or step's `model:` names a route or a known provider/model.

import type { SourceFile, ValuePath } from '../load/types.js';
import { report, type ValidationContext } from './context.js';
import { didYouMean } from './suggest.js';

export function checkProviders(context: ValidationContext): void {
  const checked = context.providers;
  if (!checked) return;
  const { value, source } = checked;
  const providerNames = Object.keys(value.providers);
  for (const id of Object.keys(value.models ?? {})) {
    const provider = id.slice(0, id.indexOf('/'));
    if (!(provider in value.providers)) {
      report(context, source, ['models', id], 'ref/provider', `model \`${id}\` belongs to unknown provider \`${provider}\`${didYouMean(provider, providerNames)}`, { key: true, fix: `add \`${provider}\` under providers:, or fix the model id` });
    }
  }
  const models = Object.keys(value.models ?? {});
  // rate_limits: a provider name, or a provider/model id listed under models.
  for (const key of Object.keys(value.rate_limits ?? {})) {
    if (key.includes('/')) {
      if (!models.includes(key)) report(context, source, ['rate_limits', key], 'ref/model', `rate limit for unknown model \`${key}\`${didYouMean(key, models)}`, { key: true, fix: 'use a provider/model id listed under models:, or a provider name for the whole provider' });
    } else if (!(key in value.providers)) {
      report(context, source, ['rate_limits', key], 'ref/provider', `rate limit for unknown provider \`${key}\`${didYouMean(key, providerNames)}`, { key: true, fix: `use a provider from providers: (${providerNames.join(', ')}) or a provider/model id` });
    }
  }
  for (const [route, entries] of Object.entries(value.routes ?? {})) {
    entries?.forEach((id, index) => {
      if (!models.includes(id)) {
        report(context, source, ['routes', route, index], 'ref/model', `route \`${route}\` names unknown model \`${id}\`${didYouMean(id, models)}`, { fix: 'add the model (with its pricing) under models:, or remove it from the route' });
      }
    });
  }
}

/** An agent's or step's `model:`: a route, or a provider/model listed under models. */
export function checkModelReference(context: ValidationContext, source: SourceFile, path: ValuePath, reference: string): void {
  const providers = context.providers?.value;
  if (!providers) return;
  const routes = Object.keys(providers.routes ?? {});
  if (routes.includes(reference)) return;
  const models = Object.keys(providers.models ?? {});
  const slash = reference.indexOf('/');
  if (slash === -1) {
    report(context, source, path, 'ref/route', `unknown route \`${reference}\`${didYouMean(reference, routes)}`, { fix: `use a route from providers.yaml (${routes.join(', ') || 'none defined'}) or a provider/model id` });
    return;
  }
  const provider = reference.slice(0, slash);
  if (!(provider in providers.providers)) {
    report(context, source, path, 'ref/provider', `unknown provider \`${provider}\` in \`${reference}\`${didYouMean(provider, Object.keys(providers.providers))}`, { fix: 'use a provider defined in providers.yaml' });
  } else if (!models.includes(reference)) {
    report(context, source, path, 'ref/model', `unknown model \`${reference}\`: it is not listed under models in providers.yaml${didYouMean(reference, models)}`, { fix: 'add it under models: with its pricing, or use a route' });
  }
}
