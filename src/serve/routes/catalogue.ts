// The catalogue: agents and templates with their metadata (tags, difficulty, category), declared
// inputs and named sample inputs; template search; one template with its cost estimate; and
// POST /v1/estimate for any target and inputs (the `agentpipe estimate` report as JSON).

import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';
import type { LoadedServeProject } from '../project.js';
import { catalogueQuery, errorResponses, estimateBody, nameParams } from '../schemas.js';
import { checkInputs } from '../submit.js';

interface CatalogueFile {
  description?: string;
  tags?: string[];
  difficulty?: string;
  category?: string;
  examples?: Record<string, unknown>;
  inputs?: Record<string, { description?: string } | undefined>;
}

export interface CatalogueEntry {
  name: string;
  kind: 'agent' | 'template';
  file: string;
  description?: string;
  tags: string[];
  difficulty?: string;
  category?: string;
  inputs: Record<string, unknown>;
  examples: Record<string, unknown>;
  model?: string;
  steps?: Array<{ id: string; agent: string; needs: string[]; for_each?: string }>;
}

function entry(kind: 'agent' | 'template', name: string, file: string, value: CatalogueFile): CatalogueEntry {
  return {
    name,
    kind,
    file,
    ...(value.description ? { description: value.description } : {}),
    tags: value.tags ?? [],
    ...(value.difficulty ? { difficulty: value.difficulty } : {}),
    ...(value.category ? { category: value.category } : {}),
    inputs: value.inputs ?? {},
    examples: value.examples ?? {},
  };
}

export function catalogue(project: LoadedServeProject): { agents: CatalogueEntry[]; templates: CatalogueEntry[] } {
  const agents = [...project.config.agents].map(([name, { value, source }]) => ({ ...entry('agent', name, source.file, value as CatalogueFile), model: value.model }));
  const templates = [...project.config.templates].map(([name, { value, source }]) => ({
    ...entry('template', name, source.file, value as CatalogueFile),
    steps: value.steps.map((step) => ({ id: step.id, agent: step.agent, needs: step.needs ?? [], ...(step.for_each ? { for_each: step.for_each } : {}) })),
  }));
  return { agents, templates };
}

/** Words of the query that each must occur (as a word prefix) in the entry; ranked by how often. */
export function search(entries: CatalogueEntry[], query: { q?: string; tag?: string; difficulty?: string; category?: string }): CatalogueEntry[] {
  const words = (query.q ?? '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const scored: Array<[CatalogueEntry, number]> = [];
  for (const candidate of entries) {
    if (query.tag && !candidate.tags.includes(query.tag)) continue;
    if (query.difficulty && candidate.difficulty !== query.difficulty) continue;
    if (query.category && candidate.category?.toLowerCase() !== query.category.toLowerCase()) continue;
    const inputs = Object.entries(candidate.inputs).map(([name, spec]) => `${name} ${(spec as { description?: string } | undefined)?.description ?? ''}`);
    const text = [candidate.name.replace(/[-_]/g, ' '), candidate.description ?? '', candidate.category ?? '', ...candidate.tags, ...inputs, ...(candidate.steps ?? []).map((step) => `${step.id} ${step.agent}`)].join(' ').toLowerCase();
    const tokens = text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    let score = 0;
    let all = true;
    for (const word of words) {
      const hits = tokens.filter((token) => token.startsWith(word)).length;
      if (hits === 0) all = false;
      score += hits + (candidate.name.includes(word) ? 5 : 0);
    }
    if (all) scored.push([candidate, score]);
  }
  return scored.sort((a, b) => b[1] - a[1] || a[0].name.localeCompare(b[0].name)).map(([candidate]) => candidate);
}

export default async function catalogueRoutes(app: FastifyInstance, { context }: { context: ServeContext }): Promise<void> {
  const estimate = async (target: string, given: Record<string, unknown>, options: { model?: string; fanout?: number }) => {
    const { pipeline } = await context.project.pipeline(target, options.model);
    const inputs = checkInputs(pipeline, given, 'estimate');
    const { estimatePipeline } = await import('../../cost/estimate.js');
    return estimatePipeline(pipeline, { inputs, ...(options.fanout ? { fanout: options.fanout } : {}) });
  };

  app.get<{ Querystring: { q?: string; tag?: string; difficulty?: string; category?: string } }>(
    '/v1/agents',
    { config: { role: 'viewer' }, schema: { summary: 'Agents with metadata, inputs and sample inputs', tags: ['catalogue'], querystring: catalogueQuery } },
    async (request) => ({ agents: search(catalogue(await context.project.load()).agents, request.query) }),
  );

  app.get<{ Querystring: { q?: string; tag?: string; difficulty?: string; category?: string } }>(
    '/v1/templates',
    { config: { role: 'viewer' }, schema: { summary: 'Templates: full-text search, tag, difficulty and category filters', tags: ['catalogue'], querystring: catalogueQuery } },
    async (request) => ({ templates: search(catalogue(await context.project.load()).templates, request.query) }),
  );

  app.get<{ Params: { name: string } }>(
    '/v1/templates/:name',
    { config: { role: 'viewer' }, schema: { summary: 'One template with its cost estimate (first sample inputs, else placeholders)', tags: ['catalogue'], params: nameParams, response: errorResponses } },
    async (request, reply) => {
      const found = catalogue(await context.project.load()).templates.find((template) => template.name === request.params.name);
      if (!found) return reply.code(404).send({ error: `no template ${request.params.name}` });
      const sample = Object.values(found.examples)[0] as Record<string, unknown> | undefined;
      return { ...found, estimate: await estimate(found.file, sample ?? {}, {}) };
    },
  );

  app.post<{ Body: { target: string; inputs?: Record<string, unknown>; model?: string; fanout?: number } }>(
    '/v1/estimate',
    { config: { role: 'viewer' }, schema: { summary: 'Cost estimate (low / expected / worst) of a target with given inputs', tags: ['catalogue'], body: estimateBody, response: errorResponses } },
    async (request) => estimate(request.body.target, request.body.inputs ?? {}, { ...(request.body.model ? { model: request.body.model } : {}), ...(request.body.fanout ? { fanout: request.body.fanout } : {}) }),
  );
}
