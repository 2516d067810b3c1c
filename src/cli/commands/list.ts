// `agentpipe list [--json]`: agents, layers, templates, routes and models with prices.

import type { CAC } from 'cac';
import type { ProjectConfig } from '../../validate/types.js';
import type { CommandModule } from './index.js';

/** Catalogue metadata of an agent or template (tags, difficulty, category, names of its examples). */
export interface CatalogueMetadata {
  tags?: string[];
  difficulty?: 'beginner' | 'intermediate' | 'advanced';
  category?: string;
  examples?: string[];
}

export interface ProjectListing {
  agents: Array<{ name: string; model: string; description?: string; file: string } & CatalogueMetadata>;
  layers: Array<{ name: string; description?: string; file: string }>;
  templates: Array<{ name: string; steps: number; description?: string; file: string } & CatalogueMetadata>;
  routes: Record<string, string[]>;
  models: Array<{ id: string; input: number; output: number; context_window?: number }>;
}

export function catalogueMetadata(value: { tags?: string[]; difficulty?: CatalogueMetadata['difficulty']; category?: string; examples?: Record<string, unknown> }): CatalogueMetadata {
  return {
    ...(value.tags ? { tags: value.tags } : {}),
    ...(value.difficulty ? { difficulty: value.difficulty } : {}),
    ...(value.category ? { category: value.category } : {}),
    ...(value.examples ? { examples: Object.keys(value.examples) } : {}),
  };
}

/** `[engineering] intermediate #review #security`: the catalogue column of `list`. */
function metadataCell(metadata: CatalogueMetadata): string {
  return [metadata.category ? `[${metadata.category}]` : '', metadata.difficulty ?? '', ...(metadata.tags ?? []).map((tag) => `#${tag}`)].filter(Boolean).join(' ');
}

export function listProject(config: ProjectConfig): ProjectListing {
  const described = (description: string | undefined): { description?: string } => (description === undefined ? {} : { description });
  const providers = config.providers.value;
  return {
    agents: [...config.agents].map(([name, { value, source }]) => ({ name, model: value.model, ...described(value.description), file: source.file, ...catalogueMetadata(value) })),
    layers: [...config.layers].map(([name, { value, source }]) => ({ name, ...described(value.description), file: source.file })),
    templates: [...config.templates].map(([name, { value, source }]) => ({ name, steps: value.steps.length, ...described(value.description), file: source.file, ...catalogueMetadata(value) })),
    routes: Object.fromEntries(Object.entries(providers.routes ?? {}).map(([name, models]) => [name, models ?? []])),
    models: Object.entries(providers.models ?? {}).flatMap(([id, model]) =>
      model ? [{ id, input: model.pricing.input, output: model.pricing.output, ...(model.context_window === undefined ? {} : { context_window: model.context_window }) }] : [],
    ),
  };
}

function table(rows: string[][]): string[] {
  const widths = rows.reduce<number[]>((max, row) => row.map((cell, index) => Math.max(cell.length, max[index] ?? 0)), []);
  return rows.map((row) => `  ${row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join('  ')}`.trimEnd());
}

export function formatListing(listing: ProjectListing): string {
  const usd = (value: number): string => `$${value.toFixed(2)}`;
  const sections: Array<[string, string[][]]> = [
    ['agents', listing.agents.map((agent) => [agent.name, agent.model, metadataCell(agent), agent.description ?? ''])],
    ['layers', listing.layers.map((layer) => [layer.name, layer.description ?? ''])],
    ['templates', listing.templates.map((template) => [template.name, `${template.steps} steps`, metadataCell(template), template.description ?? ''])],
    ['routes', Object.entries(listing.routes).map(([name, models]) => [name, models.join(' -> ')])],
    ['models (USD per 1M tokens in / out)', listing.models.map((model) => [model.id, `${usd(model.input)} / ${usd(model.output)}`, model.context_window ? `${model.context_window} ctx` : ''])],
  ];
  return `${sections.map(([title, rows]) => [`${title}:`, ...(rows.length ? table(rows) : ['  (none)'])].join('\n')).join('\n')}\n`;
}

export async function list(flags: { json?: boolean }): Promise<number> {
  const { loadProject } = await import('../../load/index.js');
  const { validateProjectOrThrow } = await import('../../validate/index.js');
  const config = await validateProjectOrThrow(await loadProject(), { mode: 'lint' });
  const listing = listProject(config);
  process.stdout.write(flags.json ? `${JSON.stringify(listing, null, 2)}\n` : formatListing(listing));
  return 0;
}

export const listCommand: CommandModule = {
  register(cli: CAC): void {
    cli.command('list', 'List agents, layers, templates, routes and models').option('--json', 'Print JSON').action((flags: { json?: boolean }) => list(flags));
  },
};
