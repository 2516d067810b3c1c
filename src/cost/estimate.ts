// `estimate`: renders every step's prompt from given or placeholder inputs, counts its tokens per
// model and prices one agent loop per fan-out item in three tiers (see estimate-math.ts and the
// README section "How estimate counts"). Always low <= expected <= worst.

import type { CompiledPipeline, CompiledStep, ModelSpec, SearchMode } from '../compile/ir.js';
import { resolveInputs } from '../compile/inputs.js';
import { renderPrompt } from '../compile/prompt.js';
import { estimateSearchTokens } from '../search/estimate.js';
import { callCounts, loopCost, outputTokens, tiers, toolResultTokens, type LoopShape, type Tier, type Tiers } from './estimate-math.js';
import { placeholderStepOutputs, stepReferences } from './estimate-refs.js';
import { TokenCounter, tokenizerFor } from './tokens.js';
import { estimateKnowledge, type KnowledgeEstimate } from '../knowledge/estimate.js';

/** for_each items when neither --fanout nor a sample array input says how many. */
export const defaultFanout = 3;

export interface EstimateOptions {
  /** Given input values (strings from --input are typed by the declared input type). */
  inputs?: Record<string, unknown>;
  /** Items of every for_each step; overrides the sample input's length. */
  fanout?: number;
  today?: string;
}

export interface PromptTokens {
  /** Counted for the step's first model. */
  system: number;
  cachedPrefix: number;
  user: number;
  tools: number;
  search: number;
  /** True when the first model's count is exact (OpenAI), false when approximated. */
  exact: boolean;
}

export interface StepEstimate {
  id: string;
  agent: string;
  /** The chain, first model first. */
  models: string[];
  items: number;
  search: SearchMode;
  prompt: PromptTokens;
  calls: Tiers;
  inputTokens: Tiers;
  outputTokens: Tiers;
  costUsd: Tiers;
  /** The worst case split over the chain: the primary and each fallback model. */
  worstByModel: Array<{ model: string; costUsd: number }>;
  /** Retrieval and embedding tokens of an agent with knowledge: (the question's embedding is in costUsd). */
  knowledge?: KnowledgeEstimate;
}

export interface EstimateReport {
  kind: CompiledPipeline['kind'];
  name: string;
  inputs: Record<string, unknown>;
  steps: StepEstimate[];
  totalUsd: Tiers;
  byModel: Array<{ model: string; costUsd: Tiers }>;
  /** The pipeline's (or agent's) max_cost, when it has one. */
  budgetUsd?: number;
}

const zero = (): Tiers => ({ low: 0, expected: 0, worst: 0 });

function fanoutOf(step: CompiledStep, inputs: Record<string, unknown>, options: EstimateOptions): number {
  if (!step.forEach) return 1;
  if (options.fanout !== undefined) return options.fanout;
  const [root, name] = step.forEach.split('.');
  const sample = root === 'inputs' && name !== undefined ? inputs[name] : undefined;
  return Array.isArray(sample) ? sample.length : defaultFanout;
}

export async function estimatePipeline(pipeline: CompiledPipeline, options: EstimateOptions = {}): Promise<EstimateReport> {
  const inputs = resolveInputs(pipeline.inputs, options.inputs ?? {}, { mode: 'estimate' });
  const counter = new TokenCounter();
  const { toolDefinitions } = await import('../tools/registry.js');
  const items = new Map(pipeline.steps.map((step) => [step.id, fanoutOf(step, inputs, options)]));
  const steps = placeholderStepOutputs(pipeline, items);
  /** Total output tokens of each finished step, by tier (what later steps read as data). */
  const produced = new Map<string, Tiers>();
  const estimates = new Map<string, StepEstimate>();
  for (const id of pipeline.levels.flat()) {
    const step = pipeline.steps.find((candidate) => candidate.id === id);
    if (!step) continue;
    const stepItems = items.get(id) ?? 1;
    const firstItem = step.forEach ? lookupPath({ inputs, steps }, step.forEach) : undefined;
    const item = Array.isArray(firstItem) ? firstItem[0] : undefined;
    const prompt = renderPrompt(step, { inputs, steps, item, itemIndex: 0, run: { id: 'estimate' }, today: options.today ?? new Date().toISOString().slice(0, 10) });
    const agent = step.agent;
    const definitions = toolDefinitions(agent.toolSet).map((definition) => JSON.stringify(definition)).join('\n');
    const references = stepReferences(step);
    const upstream = (tier: Tier): number => {
      let total = 0;
      for (const reference of references.whole) total += produced.get(reference)?.[tier] ?? 0;
      if (references.fannedFrom) total += Math.ceil((produced.get(references.fannedFrom)?.[tier] ?? 0) / stepItems);
      return total;
    };
    const knowledge = agent.knowledge ? await estimateKnowledge(agent.knowledge, agent.toolSet, prompt.user) : undefined;
    // Retrieved chunks count like search results: injected before the first call (or returned by knowledge_search).
    const searchTokens = estimateSearchTokens(agent.search) + (knowledge?.retrievalTokens ?? 0);
    const hasTools = agent.toolSet.tools.length > 0;
    const calls = callCounts(hasTools, step.limits.maxIterations, agent.outputSchema !== undefined);
    const output = outputTokens(agent.params.maxTokens);
    const prefixEnd = prompt.parts.findIndex((part) => !part.cacheable || part.kind === 'user');
    const shapeFor = async (model: ModelSpec, tier: Tier): Promise<LoopShape> => {
      const count = (text: string) => counter.count(model, text);
      const systemCounts = await Promise.all(prompt.system.map((part) => count(part.text)));
      const cachedPrefix = systemCounts.slice(0, Math.max(0, prefixEnd)).reduce((sum, value) => sum + value, 0);
      const system = systemCounts.reduce((sum, value) => sum + value, 0);
      const searched = tier === 'low' ? agent.search.mode === 'always' : agent.search.mode !== 'never';
      const input = system - cachedPrefix + (await count(definitions)) + (await count(prompt.user)) + (searched ? searchTokens : 0) + upstream(tier);
      const toolResult = !hasTools || tier === 'low' ? 0 : toolResultTokens[tier];
      return { cachedPrefix, input, output: output[tier], toolResult, calls: calls[tier], items: stepItems };
    };
    const [primary, ...fallbacks] = agent.chain.models;
    if (!primary) continue;
    const inputTokens = zero();
    const outputTotals = zero();
    const costUsd = zero();
    const worstByModel: StepEstimate['worstByModel'] = [];
    for (const tier of tiers) {
      for (const model of tier === 'worst' ? [primary, ...fallbacks] : [primary]) {
        const { usage, costUsd: cost } = loopCost(await shapeFor(model, tier), model, tier === 'worst' ? 'miss' : 'read');
        inputTokens[tier] += usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
        outputTotals[tier] += usage.outputTokens;
        costUsd[tier] += cost;
        if (tier === 'worst') worstByModel.push({ model: model.ref.id, costUsd: cost });
      }
    }
    if (knowledge) for (const tier of tiers) costUsd[tier] += knowledge.queryCostUsd * stepItems;
    produced.set(id, { low: output.low * stepItems, expected: output.expected * stepItems, worst: output.worst * stepItems });
    const systemTokens = await Promise.all(prompt.system.map((part) => counter.count(primary, part.text)));
    estimates.set(id, {
      id,
      agent: agent.name,
      models: agent.chain.models.map((model) => model.ref.id),
      items: stepItems,
      search: agent.search.mode,
      prompt: {
        system: systemTokens.reduce((sum, value) => sum + value, 0),
        cachedPrefix: systemTokens.slice(0, Math.max(0, prefixEnd)).reduce((sum, value) => sum + value, 0),
        user: await counter.count(primary, prompt.user),
        tools: await counter.count(primary, definitions),
        search: searchTokens,
        exact: tokenizerFor(primary).exact,
      },
      calls: { low: calls.low * stepItems, expected: calls.expected * stepItems, worst: calls.worst * stepItems * agent.chain.models.length },
      inputTokens,
      outputTokens: outputTotals,
      costUsd,
      worstByModel,
      ...(knowledge ? { knowledge } : {}),
    });
  }
  return summarise(pipeline, inputs, pipeline.steps.flatMap((step) => estimates.get(step.id) ?? []));
}

function lookupPath(root: Record<string, unknown>, path: string): unknown {
  let value: unknown = root;
  for (const key of path.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

function summarise(pipeline: CompiledPipeline, inputs: Record<string, unknown>, steps: StepEstimate[]): EstimateReport {
  const totalUsd = zero();
  const byModel = new Map<string, Tiers>();
  for (const step of steps) {
    for (const tier of tiers) totalUsd[tier] += step.costUsd[tier];
    const primary = step.models[0] ?? '';
    const entry = byModel.get(primary) ?? zero();
    entry.low += step.costUsd.low;
    entry.expected += step.costUsd.expected;
    byModel.set(primary, entry);
    for (const { model, costUsd } of step.worstByModel) {
      const worst = byModel.get(model) ?? zero();
      worst.worst += costUsd;
      byModel.set(model, worst);
    }
  }
  const report: EstimateReport = { kind: pipeline.kind, name: pipeline.name, inputs, steps, totalUsd, byModel: [...byModel].map(([model, costUsd]) => ({ model, costUsd })) };
  const budget = pipeline.limits.maxCostUsd;
  if (budget !== undefined) report.budgetUsd = budget;
  return report;
}
