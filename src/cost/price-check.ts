// Compares providers.yaml prices with the catalogue (catalogue.ts): which differ, which have an
// as_of older than the catalogue's last recorded change, which the catalogue does not know. Used by
// `models --check-prices`, `models --update-prices` and lint (warnings). Offline by construction.

import type { ProvidersFile } from '../validate/types.gen.js';
import { catalogueProviderId, findModel, priceOn, type Catalogue, type CataloguePrice } from './catalogue.js';

export const priceFields = [
  ['input', 'input'],
  ['output', 'output'],
  ['cache_read', 'cacheRead'],
  ['cache_write', 'cacheWrite'],
] as const;

export type PriceField = (typeof priceFields)[number][0];

export interface PriceDifference {
  field: PriceField;
  ours?: number;
  catalogue: number;
}

export interface PriceCheck {
  model: string;
  status: 'same' | 'differs' | 'stale' | 'unknown' | 'local';
  differences: PriceDifference[];
  asOf?: string;
  /** The date the catalogue's current price took effect, when it records one. */
  changedOn?: string;
  catalogue?: CataloguePrice;
  source: string;
  /** `check_catalogue: false`: the difference is deliberate; lint and --update-prices leave it. */
  acknowledged?: boolean;
}

const close = (left: number, right: number) => Math.abs(left - right) <= 1e-9 * Math.max(1, Math.abs(right));

export function checkPrices(providers: ProvidersFile, catalogue: Catalogue, today = new Date().toISOString().slice(0, 10)): PriceCheck[] {
  const checks: PriceCheck[] = [];
  for (const [id, model] of Object.entries(providers.models ?? {})) {
    if (!model) continue;
    const slash = id.indexOf('/');
    const providerName = id.slice(0, slash);
    const provider = providers.providers[providerName];
    const asOf = model.pricing.as_of;
    const base = { model: id, source: catalogue.source, ...(asOf ? { asOf } : {}), ...(model.pricing.check_catalogue === false ? { acknowledged: true } : {}) };
    const catalogueId = provider ? catalogueProviderId(provider.type, providerName, catalogue) : undefined;
    if (!provider || provider.type === 'ollama' || (catalogueId === undefined && model.pricing.input === 0 && model.pricing.output === 0)) {
      checks.push({ ...base, status: provider?.type === 'ollama' || model.pricing.input === 0 ? 'local' : 'unknown', differences: [] });
      continue;
    }
    const entry = catalogueId ? findModel(catalogue, catalogueId, id.slice(slash + 1)) : undefined;
    if (!entry) {
      checks.push({ ...base, status: 'unknown', differences: [] });
      continue;
    }
    const price = priceOn(entry, today);
    const differences: PriceDifference[] = [];
    for (const [field, key] of priceFields) {
      const theirs = price[key];
      const ours = model.pricing[field];
      if (theirs === undefined || (ours !== undefined && close(ours, theirs))) continue;
      differences.push({ field, ...(ours !== undefined ? { ours } : {}), catalogue: theirs });
    }
    const stale = price.changedOn !== undefined && (asOf === undefined || asOf < price.changedOn);
    checks.push({ ...base, status: differences.length > 0 ? 'differs' : stale ? 'stale' : 'same', differences, catalogue: price, ...(price.changedOn ? { changedOn: price.changedOn } : {}) });
  }
  return checks;
}

/** One line per difference, for the CLI and lint: `input $0.28 (catalogue $0.27)`. */
export function describeDifferences(check: PriceCheck): string {
  return check.differences.map((difference) => `${difference.field} ${difference.ours === undefined ? 'not set' : `$${difference.ours}`} (catalogue $${difference.catalogue})`).join(', ');
}
