// `agentpipe models [--json]`: providers (type, base URL, key env var and whether it is set, never
// the key), models with prices and context windows, and routes.

import type { CAC } from 'cac';
import type { CommandModule } from './index.js';

export interface ModelsListing {
  providers: Array<{ name: string; type: string; baseUrl?: string; keyEnv?: string; keySet: boolean | null }>;
  models: Array<{ id: string; provider: string; input: number; output: number; cacheRead?: number; cacheWrite?: number; contextWindow?: number; asOf?: string }>;
  routes: Record<string, string[]>;
}

export interface ModelsFlags {
  json?: boolean;
  checkPrices?: boolean;
  updatePrices?: boolean;
}

export async function models(flags: ModelsFlags): Promise<number> {
  if (flags.checkPrices || flags.updatePrices) {
    const { pricesCommand } = await import('./models-prices.js');
    return pricesCommand(flags);
  }
  const [{ loadConfig }, { resolveProvider, toPricing }, { parseModelRef }, { providerKeyStatus }] = await Promise.all([
    import('../../compile/project.js'),
    import('../../compile/models.js'),
    import('../../providers/types.js'),
    import('../../providers/registry.js'),
  ]);
  const { config, env } = await loadConfig();
  const providers = config.providers.value;
  const listing: ModelsListing = { providers: [], models: [], routes: {} };
  for (const name of Object.keys(providers.providers)) {
    const spec = resolveProvider(name, providers, env);
    if (!spec) continue;
    const status = providerKeyStatus(spec, env);
    const keyEnv = status.source ?? status.envVars[0];
    listing.providers.push({ name, type: spec.type, ...(status.baseUrl ? { baseUrl: status.baseUrl } : {}), ...(keyEnv ? { keyEnv } : {}), keySet: status.required ? status.isSet : null });
  }
  for (const [id, model] of Object.entries(providers.models ?? {})) {
    if (!model) continue;
    const { source: _source, ...pricing } = toPricing(model.pricing);
    const contextWindow = model.context_window;
    listing.models.push({ id, provider: parseModelRef(id)?.provider ?? '', ...pricing, ...(contextWindow !== undefined ? { contextWindow } : {}) });
  }
  for (const [name, ids] of Object.entries(providers.routes ?? {})) if (ids) listing.routes[name] = [...ids];
  process.stdout.write(flags.json ? `${JSON.stringify(listing, null, 2)}\n` : formatModels(listing));
  return 0;
}

function table(rows: string[][]): string[] {
  const widths = rows.reduce<number[]>((max, row) => row.map((cell, index) => Math.max(cell.length, max[index] ?? 0)), []);
  return rows.map((row) => `  ${row.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ')}`.trimEnd());
}

export function formatModels(listing: ModelsListing): string {
  const key = (provider: ModelsListing['providers'][number]) => (provider.keySet === null ? 'no key needed' : `${provider.keyEnv} ${provider.keySet ? 'set' : 'NOT set'}`);
  const usd = (value: number | undefined) => (value === undefined ? '-' : `$${value}`);
  const providerRows = [['provider', 'type', 'key', 'base url'], ...listing.providers.map((provider) => [provider.name, provider.type, key(provider), provider.baseUrl ?? '(vendor default)'])];
  const modelRows = [
    ['model', 'in', 'out', 'cache read', 'cache write', 'context', 'as of'],
    ...listing.models.map((model) => [model.id, usd(model.input), usd(model.output), usd(model.cacheRead), usd(model.cacheWrite), model.contextWindow !== undefined ? String(model.contextWindow) : '-', model.asOf ?? '-']),
  ];
  const routes = Object.entries(listing.routes).map(([name, ids]) => `  ${name}: ${ids.join(' -> ')}`);
  return [...table(providerRows), '', 'models (USD per 1M tokens):', ...table(modelRows), '', 'routes:', ...(routes.length ? routes : ['  (none)']), ''].join('\n');
}

export const modelsCommand: CommandModule = {
  register(cli: CAC): void {
    cli
      .command('models', 'List providers (and whether their key is set), models with prices, and routes')
      .option('--json', 'Print JSON')
      .option('--check-prices', 'Compare providers.yaml prices with the bundled catalogue (@pydantic/genai-prices), offline')
      .option('--update-prices', 'Rewrite differing or outdated prices in providers.yaml from the catalogue, with source and as_of, keeping comments')
      .action((flags: ModelsFlags) => models(flags));
  },
};
