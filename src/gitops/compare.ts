// Two snapshots -> the semantic change report of `agentpipe diff` (its JSON is the stable shape,
// documented in docs/diff.md). Only agents and templates that a changed file can reach are compiled,
// so a one-layer change in a large repo compiles the agents of that layer, not every agent.

import type { Tiers } from '../cost/estimate-math.js';
import { comparePermissions, type PermissionChange } from './permissions.js';
import { diffPrompts, type PromptDiff } from './prompt-diff.js';
import { canonical, type AgentView, type Snapshot } from './snapshot.js';

export type { PermissionChange } from './permissions.js';
export type { PromptDiff } from './prompt-diff.js';

export type Change = 'added' | 'removed' | 'modified';

export interface Affected {
  kind: 'agent' | 'template';
  name: string;
  change: Change;
  /** The changed files that have an effect on it. */
  via: string[];
}

export interface ModelChange {
  /** route: a route's models; agent: the chain an agent uses; step: a template step's chain; price: a model's price. */
  kind: 'route' | 'agent' | 'step' | 'price';
  /** Route name, agent name, `template.step`, or model id. */
  name: string;
  change: Change | 'fallback order' | 'models';
  /** Model ids in fallback order (route, agent, step) or the price (USD per 1M tokens, with as_of); null when absent. */
  before: string[] | PriceView | null;
  after: string[] | PriceView | null;
}

export interface PriceView {
  input: number;
  output: number;
  cache_read?: number;
  cache_write?: number;
  as_of?: string;
}

export interface CostChange {
  target: string;
  kind: 'agent' | 'template';
  before: Tiers | null;
  after: Tiers | null;
  delta: Tiers;
}

export interface DiffReport {
  /** The shape's version: fields are only ever added. */
  version: 1;
  base: string;
  head: string;
  baseCommit?: string;
  headCommit?: string;
  /** Config files whose text differs. */
  changedFiles: string[];
  /** False when files changed but nothing any run does: "no effective change". */
  effective: boolean;
  affected: Affected[];
  prompts: PromptDiff[];
  models: ModelChange[];
  permissions: PermissionChange[];
  cost: CostChange[];
  summary: { agents: number; templates: number; widenings: number; costDelta: Tiers };
}

const partial = /\{\{~?>\s*([\w./-]+)/g;
const partialsIn = (text: string | undefined): string[] => (text && text.includes('{{') ? [...text.matchAll(partial)].map((match) => match[1]!) : []);

/** Layer names an agent can reach as written (an over-approximation: it only picks what to compile). */
function layerClosure(snapshot: Snapshot, agent: string): string[] {
  const file = snapshot.config.agents.get(agent)?.value;
  if (!file) return [];
  const queue = [...(file.prompt.layers ?? []), ...partialsIn(file.prompt.system), ...partialsIn(file.prompt.user)];
  const seen = new Set<string>();
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...partialsIn(snapshot.config.layers.get(name)?.value.text));
  }
  return [...seen].map((name) => snapshot.config.layers.get(name)?.source.file ?? `agents/layers/${name}.yaml`);
}

function changedFiles(base: Snapshot, head: Snapshot): string[] {
  const names = new Set([...base.files.keys(), ...head.files.keys()]);
  return [...names].filter((file) => base.files.get(file) !== head.files.get(file)).sort();
}

const tiersDelta = (before: Tiers | null, after: Tiers | null): Tiers => ({
  low: (after?.low ?? 0) - (before?.low ?? 0),
  expected: (after?.expected ?? 0) - (before?.expected ?? 0),
  worst: (after?.worst ?? 0) - (before?.worst ?? 0),
});

function agentVia(name: string, before: AgentView | undefined, after: AgentView | undefined, changed: Set<string>): string[] {
  if (!before || !after) return [(after ?? before)!.file];
  const via = new Set<string>();
  if (changed.has(after.file)) via.add(after.file);
  if (before.sections.prompt !== after.sections.prompt) {
    for (const file of [...before.dependencies, ...after.dependencies]) if (file.startsWith('agents/layers/') && changed.has(file)) via.add(file);
  }
  if (before.sections.models !== after.sections.models && changed.has('providers.yaml')) via.add('providers.yaml');
  if (before.sections.tools !== after.sections.tools && changed.has('tools.yaml')) via.add('tools.yaml');
  if (via.size === 0) via.add(changed.has('providers.yaml') ? 'providers.yaml' : changed.has('tools.yaml') ? 'tools.yaml' : after.file);
  void name;
  return [...via].sort();
}

function priceOf(value: Record<string, unknown> | undefined): PriceView | null {
  const pricing = value?.pricing as Record<string, unknown> | undefined;
  if (!pricing) return null;
  const view: PriceView = { input: Number(pricing.input), output: Number(pricing.output) };
  if (pricing.cache_read !== undefined) view.cache_read = Number(pricing.cache_read);
  if (pricing.cache_write !== undefined) view.cache_write = Number(pricing.cache_write);
  if (pricing.as_of !== undefined) view.as_of = String(pricing.as_of instanceof Date ? pricing.as_of.toISOString().slice(0, 10) : pricing.as_of);
  return view;
}

function compareRoutesAndPrices(base: Snapshot, head: Snapshot): ModelChange[] {
  const out: ModelChange[] = [];
  const routesBefore = (base.config.providers.value.routes ?? {}) as Record<string, string[]>;
  const routesAfter = (head.config.providers.value.routes ?? {}) as Record<string, string[]>;
  for (const name of [...new Set([...Object.keys(routesBefore), ...Object.keys(routesAfter)])].sort()) {
    const [before, after] = [routesBefore[name], routesAfter[name]];
    if (canonical(before) === canonical(after)) continue;
    const sameSet = before && after && canonical([...before].sort()) === canonical([...after].sort());
    out.push({ kind: 'route', name, change: !before ? 'added' : !after ? 'removed' : sameSet ? 'fallback order' : 'models', before: before ?? null, after: after ?? null });
  }
  const modelsBefore = (base.config.providers.value.models ?? {}) as unknown as Record<string, Record<string, unknown>>;
  const modelsAfter = (head.config.providers.value.models ?? {}) as unknown as Record<string, Record<string, unknown>>;
  for (const id of [...new Set([...Object.keys(modelsBefore), ...Object.keys(modelsAfter)])].sort()) {
    const [before, after] = [priceOf(modelsBefore[id]), priceOf(modelsAfter[id])];
    if (canonical(before) === canonical(after)) continue;
    out.push({ kind: 'price', name: id, change: !before ? 'added' : !after ? 'removed' : 'modified', before, after });
  }
  return out;
}

export interface CompareOptions {
  /** Skip the cost section (no tokenizer); the benchmark of the rest uses it. */
  cost?: boolean;
}

export async function compareSnapshots(base: Snapshot, head: Snapshot, sides: { base: { label: string; commit?: string }; head: { label: string; commit?: string } }, options: CompareOptions = {}): Promise<DiffReport> {
  const changedList = changedFiles(base, head);
  const changed = new Set(changedList);
  const everything = changed.has('providers.yaml') || changed.has('tools.yaml');
  const labels = { base: sides.base.label, head: sides.head.label };

  // Agents: compile only those a changed file can reach.
  const affected: Affected[] = [];
  const agentChange = new Map<string, { before?: AgentView; after?: AgentView; change: Change }>();
  const agentNames = [...new Set([...base.config.agents.keys(), ...head.config.agents.keys()])].sort();
  for (const name of agentNames) {
    const inBase = base.config.agents.has(name);
    const inHead = head.config.agents.has(name);
    if (inBase && inHead && !everything) {
      const reach = [base.config.agents.get(name)!.source.file, ...layerClosure(base, name), ...layerClosure(head, name)];
      if (!reach.some((file) => changed.has(file))) continue;
    }
    const before = base.agent(name);
    const after = head.agent(name);
    if (before && after && before.fingerprint === after.fingerprint) continue;
    const change: Change = !before ? 'added' : !after ? 'removed' : 'modified';
    agentChange.set(name, { ...(before ? { before } : {}), ...(after ? { after } : {}), change });
    affected.push({ kind: 'agent', name, change, via: agentVia(name, before, after, changed) });
  }

  // Templates: compiled when their file changed or one of their agents is affected.
  const templateChange = new Map<string, Change>();
  const templateNames = [...new Set([...base.config.templates.keys(), ...head.config.templates.keys()])].sort();
  const usedByTemplates = new Set<string>();
  for (const name of templateNames) {
    const agents = new Set([...base.templateAgents(name), ...head.templateAgents(name)]);
    for (const agent of agents) usedByTemplates.add(agent);
    const file = (head.config.templates.get(name) ?? base.config.templates.get(name))!.source.file;
    if (!everything && !changed.has(file) && ![...agents].some((agent) => agentChange.has(agent))) continue;
    const before = base.template(name);
    const after = head.template(name);
    if (before && after && before.fingerprint === after.fingerprint) continue;
    const change: Change = !before ? 'added' : !after ? 'removed' : 'modified';
    templateChange.set(name, change);
    const via = new Set<string>();
    if (changed.has(file)) via.add(file);
    for (const agent of agents) for (const entry of affected.find((item) => item.kind === 'agent' && item.name === agent)?.via ?? []) via.add(entry);
    if (via.size === 0) via.add(changed.has('providers.yaml') ? 'providers.yaml' : file);
    affected.push({ kind: 'template', name, change, via: [...via].sort() });
  }

  const prompts: PromptDiff[] = [];
  const permissions: PermissionChange[] = [];
  const models = compareRoutesAndPrices(base, head);
  const changedRoutes = new Set(models.filter((model) => model.kind === 'route').map((model) => model.name));
  for (const [name, { before, after }] of agentChange) {
    const prompt = diffPrompts(name, before?.parts, after?.parts, labels);
    if (prompt) prompts.push(prompt);
    permissions.push(...comparePermissions(name, before, after));
    // An agent that moved to another route or model (a route's own change is listed once, above).
    if (before && after && canonical(before.chain) !== canonical(after.chain) && (before.chain.name !== after.chain.name || !changedRoutes.has(after.chain.name))) {
      models.push({ kind: 'agent', name, change: 'models', before: before.chain.models, after: after.chain.models });
    }
  }
  for (const name of templateChange.keys()) {
    const before = base.template(name);
    const after = head.template(name);
    const ids = [...new Set([...(before?.steps ?? []).map((step) => step.id), ...(after?.steps ?? []).map((step) => step.id)])];
    for (const id of ids) {
      const old = before?.steps.find((step) => step.id === id);
      const now = after?.steps.find((step) => step.id === id);
      if (old && now && (canonical(old.chain) === canonical(now.chain) || (old.chain.name === now.chain.name && changedRoutes.has(now.chain.name)))) continue;
      models.push({ kind: 'step', name: `${name}.${id}`, change: !old ? 'added' : !now ? 'removed' : 'models', before: old?.chain.models ?? null, after: now?.chain.models ?? null });
    }
  }

  const cost: CostChange[] = [];
  if (options.cost !== false && (agentChange.size > 0 || templateChange.size > 0)) {
    const [{ estimatePipeline }, { preloadTokenizer, TokenCounter }] = await Promise.all([import('../cost/estimate.js'), import('../cost/tokens.js')]);
    await preloadTokenizer();
    const counter = new TokenCounter();
    const estimate = async (snapshot: Snapshot, kind: 'agent' | 'template', name: string): Promise<Tiers | null> => {
      const exists = kind === 'agent' ? snapshot.config.agents.has(name) : snapshot.config.templates.has(name);
      if (!exists) return null;
      const report = await estimatePipeline(snapshot.pipeline(kind, name), { today: '2026-01-01', counter });
      return report.totalUsd;
    };
    const targets: Array<['agent' | 'template', string]> = [...[...templateChange.keys()].map((name) => ['template', name] as ['template', string]), ...[...agentChange.keys()].map((name) => ['agent', name] as ['agent', string])];
    for (const [kind, name] of targets) {
      const before = await estimate(base, kind, name);
      const after = await estimate(head, kind, name);
      cost.push({ target: name, kind, before, after, delta: tiersDelta(before, after) });
    }
  }
  // The headline sums templates, plus agents that no template runs (an agent in a template is counted there).
  const costDelta = cost
    .filter((entry) => entry.kind === 'template' || !usedByTemplates.has(entry.target))
    .reduce((sum, entry) => ({ low: sum.low + entry.delta.low, expected: sum.expected + entry.delta.expected, worst: sum.worst + entry.delta.worst }), { low: 0, expected: 0, worst: 0 });
  permissions.sort((left, right) => (left.agent === right.agent ? 0 : left.agent < right.agent ? -1 : 1));
  const effective = affected.length > 0 || models.length > 0;
  return {
    version: 1,
    base: sides.base.label,
    head: sides.head.label,
    ...(sides.base.commit ? { baseCommit: sides.base.commit } : {}),
    ...(sides.head.commit ? { headCommit: sides.head.commit } : {}),
    changedFiles: changedList,
    effective,
    affected,
    prompts,
    models,
    permissions,
    cost,
    summary: {
      agents: affected.filter((entry) => entry.kind === 'agent').length,
      templates: affected.filter((entry) => entry.kind === 'template').length,
      widenings: permissions.filter((entry) => entry.widening).length,
      costDelta,
    },
  };
}
