// `estimate`: renders every step's prompt from given or placeholder inputs, counts its tokens per
// model and prices the agent loop of each fan-out item in three tiers with different promises
// (README, "How estimate counts"):
// - low is a floor: one call per item, the request as it will be sent counted low, a one-token
//   answer, cached parts read from the cache, the cheapest model of the chain. With history it is
//   never above the cheapest item ever seen.
// - expected is a point estimate: the medians of past runs of the same agent and model when there
//   are any (the ledger index, else the committed stats file), else a prior.
// - worst is a ceiling: max_iterations calls of max_tokens on every model of the chain, no cache
//   hits, narrowed by history but never past the structure, and capped by max_cost budgets (a run
//   stops at its budget, so it spends at most the budget plus the calls already in flight).
// Always low <= expected <= worst.

import type { CompiledPipeline, CompiledStep, ModelSpec, SearchMode } from '../compile/ir.js';
import { resolveInputs } from '../compile/inputs.js';
import { renderPrompt } from '../compile/prompt.js';
import type { Usage } from '../providers/types.js';
import { estimateSearchTokens } from '../search/estimate.js';
import { needsSearch } from '../search/heuristic.js';
import { callCounts, loopCost, loopUsage, outputTokens, tiers, toolResultTokens, type LoopShape, type Tier, type Tiers } from './estimate-math.js';
import { placeholderStepOutputs, stepReferences } from './estimate-refs.js';
import { calibrateFromIndex, linesForStep, providerRatios, type Calibration, type Spread } from './history.js';
import type { IndexLine } from './ledger-index.js';
import { promptHash } from './ledger-index.js';
import { priceUsage } from './price.js';
import { calibrateFromStats, type StatsFile } from './stats.js';
import { approximationFactors, framingTokensPerCall, tierFactors, TokenCounter, tokenizerFor, toolDefinitionFloorShare } from './tokens.js';
import { estimateKnowledge, type KnowledgeEstimate } from '../knowledge/estimate.js';

/** for_each items when neither --fanout nor a sample array input says how many. */
export const defaultFanout = 3;

/** Past runs to calibrate on: index lines (newest first) and the committed stats file. */
export interface EstimateHistory {
  lines: readonly IndexLine[];
  stats?: StatsFile;
}

export interface EstimateOptions {
  /** Given input values (strings from --input are typed by the declared input type). */
  inputs?: Record<string, unknown>;
  /** Items of every for_each step; overrides the sample input's length. */
  fanout?: number;
  today?: string;
  /** Omitted (or --no-history): the prior alone. */
  history?: EstimateHistory;
  /** Token counts shared between estimates (`agentpipe diff` prices a hundred agents with one layer in common). */
  counter?: TokenCounter;
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
  /** Items of the expected case (1 without for_each). */
  items: number;
  /** `prior`, `history: 7 runs` or `stats file: 12 runs`. */
  source: string;
  search: SearchMode;
  prompt: PromptTokens;
  calls: Tiers;
  inputTokens: Tiers;
  outputTokens: Tiers;
  costUsd: Tiers;
  /** The worst case split over the chain: the primary and each fallback model. */
  worstByModel: Array<{ model: string; costUsd: number }>;
  /** Why worst is lower than the structure alone: a max_cost budget stops the run. */
  cappedBy?: string;
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
  /** Whether past runs were looked at (false with --no-history). */
  history: boolean;
}

const zero = (): Tiers => ({ low: 0, expected: 0, worst: 0 });
const sumOf = (values: number[]) => values.reduce((sum, value) => sum + value, 0);

/** Items per tier: certain when --fanout or a given array says; otherwise from history or the sample. */
function itemsOf(step: CompiledStep, inputs: Record<string, unknown>, options: EstimateOptions, calibration?: Calibration): Tiers {
  if (!step.forEach) return { low: 1, expected: 1, worst: 1 };
  if (options.fanout !== undefined) return { low: options.fanout, expected: options.fanout, worst: options.fanout };
  const [root, name] = step.forEach.split('.');
  const given = root === 'inputs' && name !== undefined ? options.inputs?.[name] : undefined;
  if (Array.isArray(given)) return { low: given.length, expected: given.length, worst: given.length };
  const sample = root === 'inputs' && name !== undefined ? inputs[name] : undefined;
  const prior = Array.isArray(sample) ? sample.length : defaultFanout;
  const seen = calibration?.items;
  // Unknown until the run: the floor assumes one item, the ceiling the most seen or sampled.
  return { low: 1, expected: seen ? Math.round(seen.p50) : prior, worst: Math.max(prior, seen?.max ?? 0) };
}

/**
 * The most items a for_each over a step's output can have: the array's maxItems in that step's
 * output schema, else what its longest possible output can hold (an item takes at least two
 * tokens: a value and a separator). A for_each over an input keeps the given or sampled length.
 */
function maxItemsFromStep(pipeline: CompiledPipeline, step: CompiledStep, produced: ReadonlyMap<string, Tiers>): number | undefined {
  const parts = step.forEach?.split('.') ?? [];
  if (parts[0] !== 'steps' || parts[2] !== 'output' || parts[1] === undefined) return undefined;
  const upstream = pipeline.steps.find((candidate) => candidate.id === parts[1]);
  let schema: unknown = upstream?.agent.outputSchema;
  for (const key of parts.slice(3)) schema = (schema as { properties?: Record<string, unknown> } | undefined)?.properties?.[key];
  const maxItems = (schema as { maxItems?: unknown } | undefined)?.maxItems;
  if (typeof maxItems === 'number') return maxItems;
  const worstOutput = produced.get(parts[1])?.worst;
  return worstOutput === undefined ? undefined : Math.max(1, Math.ceil(worstOutput / 2));
}

interface TierFactors {
  low: number;
  expected: number;
  worst: number;
}

function priorFactors(model: ModelSpec): TierFactors {
  const exact = tokenizerFor(model).exact;
  const bounds = exact ? tierFactors.exact : tierFactors.approximate;
  return { low: bounds.low, expected: exact ? 1 : approximationFactors[model.provider.type], worst: bounds.worst };
}

/** Factors from reported usage: the floor rises only with what every run showed, the ceiling follows the largest seen. */
function calibratedFactors(prior: TierFactors, ratio: Spread | undefined): TierFactors {
  if (!ratio || ratio.p50 <= 0) return prior;
  return { low: Math.max(prior.low, 0.95 * ratio.min), expected: ratio.p50, worst: Math.max(1.1 * ratio.max, 0.95 * ratio.min) };
}

function lookupPath(root: Record<string, unknown>, path: string): unknown {
  let value: unknown = root;
  for (const key of path.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** The tightest max_cost applying to one agent call of a step (agent, step or run). */
function limitsOf(pipeline: CompiledPipeline, step: CompiledStep): { item?: number; step?: number; run?: number } {
  const run = pipeline.limits.maxCostUsd;
  const stepLimit = step.limits.maxCostUsd;
  const item = step.agent.limits.maxCostUsd;
  return { ...(item !== undefined ? { item } : {}), ...(stepLimit !== undefined ? { step: stepLimit } : {}), ...(run !== undefined ? { run } : {}) };
}

export async function estimatePipeline(pipeline: CompiledPipeline, options: EstimateOptions = {}): Promise<EstimateReport> {
  const inputs = resolveInputs(pipeline.inputs, options.inputs ?? {}, { mode: 'estimate' });
  const counter = options.counter ?? new TokenCounter();
  const [{ toolDefinitions }, { expandFromCache }] = await Promise.all([import('../tools/registry.js'), import('../mcp/cache.js')]);
  const history = options.history;
  const today = options.today ?? new Date().toISOString().slice(0, 10);

  // First pass: render each step's first request and count it, to calibrate on history.
  const priorItems = new Map(pipeline.steps.map((step) => [step.id, itemsOf(step, inputs, options).expected]));
  const steps = placeholderStepOutputs(pipeline, priorItems);
  const rendered = new Map<string, { prompt: ReturnType<typeof renderPrompt>; definitions: string; text: string; hash: string }>();
  for (const step of pipeline.steps) {
    const firstItem = step.forEach ? lookupPath({ inputs, steps }, step.forEach) : undefined;
    const item = Array.isArray(firstItem) ? firstItem[0] : undefined;
    const prompt = renderPrompt(step, { inputs, steps, item, itemIndex: 0, run: { id: 'estimate' }, today });
    const definitions = toolDefinitions(expandFromCache(step.agent.toolSet, pipeline.root)).map((definition) => JSON.stringify(definition)).join('\n');
    const text = requestText(prompt.system.map((part) => part.text), prompt.user, definitions);
    rendered.set(step.id, { prompt, definitions, text, hash: promptHash(text) });
  }
  const ownByHash = new Map<string, { ownTokens: number; chars: number }>();
  const calibrations = new Map<string, Calibration>();
  for (const step of pipeline.steps) {
    const view = rendered.get(step.id);
    const primary = step.agent.chain.models[0];
    if (!view || !primary) continue;
    const ownTokens = await counter.raw(primary, view.text);
    ownByHash.set(view.hash, { ownTokens, chars: view.text.length });
    const calibration = history ? calibrate(history, step, { ownTokens, chars: view.text.length, hash: view.hash }) : undefined;
    if (calibration) calibrations.set(step.id, calibration);
  }
  const ratios = history ? providerRatios(history.lines, ownByHash) : new Map<string, Spread>();

  /** Output tokens each finished step hands on, by tier (what later steps read as data). */
  const produced = new Map<string, Tiers>();
  const estimates = new Map<string, StepEstimate>();
  let inFlight = 0;
  let largestCall = 0;
  for (const level of pipeline.levels) {
    let levelInFlight = 0;
    for (const id of level) {
      const step = pipeline.steps.find((candidate) => candidate.id === id);
      const view = rendered.get(id);
      if (!step || !view) continue;
      const result = await estimateStep(pipeline, step, view, { counter, inputs, options, calibration: calibrations.get(id), ratios, produced });
      if (!result) continue;
      estimates.set(id, result.estimate);
      levelInFlight += result.inFlight;
      largestCall = Math.max(largestCall, result.largestCallUsd);
    }
    inFlight = Math.max(inFlight, levelInFlight);
  }
  const report = summarise(pipeline, inputs, pipeline.steps.flatMap((step) => estimates.get(step.id) ?? []), history !== undefined);
  applyRunBudget(report, pipeline, Math.min(inFlight, pipeline.concurrency > 0 ? pipeline.concurrency : inFlight) * largestCall);
  return report;
}

/**
 * A run stops at its budget: it spends at most the budget plus the calls already in flight, and
 * when any budget (run, step or agent) stops it, at least that budget.
 */
function applyRunBudget(report: EstimateReport, pipeline: CompiledPipeline, inFlightUsd: number): void {
  const { totalUsd } = report;
  const budget = pipeline.limits.maxCostUsd;
  if (budget !== undefined && budget + inFlightUsd < totalUsd.worst) totalUsd.worst = budget + inFlightUsd;
  const limits = [budget, ...pipeline.steps.flatMap((step) => [step.limits.maxCostUsd, step.agent.limits.maxCostUsd])].filter((limit): limit is number => limit !== undefined);
  totalUsd.low = Math.min(totalUsd.low, ...limits);
  totalUsd.expected = Math.min(Math.max(totalUsd.expected, totalUsd.low), totalUsd.worst);
}

/** The text of a first request: system parts, user message, tool definitions (what the index sizes too). */
export function requestText(system: readonly string[], user: string, definitions: string): string {
  return [...system, user, definitions].join('\n');
}

function calibrate(history: EstimateHistory, step: CompiledStep, current: { ownTokens: number; chars: number; hash: string }): Calibration | undefined {
  const models = step.agent.chain.models.map((model) => model.ref.id);
  const lines = linesForStep(history.lines, step.agent.name, step.id, models);
  const fromIndex = calibrateFromIndex(lines, current);
  if (fromIndex) return fromIndex;
  const entries = history.stats?.entries.filter((entry) => entry.agent === step.agent.name && models.includes(entry.model) && entry.runs > 0) ?? [];
  const best = entries.sort((left, right) => right.runs - left.runs)[0];
  return best ? calibrateFromStats(best) : undefined;
}

interface StepContext {
  counter: TokenCounter;
  inputs: Record<string, unknown>;
  options: EstimateOptions;
  calibration: Calibration | undefined;
  ratios: ReadonlyMap<string, Spread>;
  produced: Map<string, Tiers>;
}

interface Rendered {
  prompt: ReturnType<typeof renderPrompt>;
  definitions: string;
}

interface StepResult {
  estimate: StepEstimate;
  /** Agent calls of this step that can run at once, and the dearest single call. */
  inFlight: number;
  largestCallUsd: number;
}

async function estimateStep(pipeline: CompiledPipeline, step: CompiledStep, view: Rendered, context: StepContext): Promise<StepResult | undefined> {
  const { counter, calibration, produced } = context;
  const { agent } = step;
  const { prompt, definitions } = view;
  const [primary, ...fallbacks] = agent.chain.models;
  if (!primary) return undefined;
  const chain = [primary, ...fallbacks];
  const items = itemsOf(step, context.inputs, context.options, calibration);
  const [root, inputName] = step.forEach?.split('.') ?? [];
  const certain = context.options.fanout !== undefined || (root === 'inputs' && Array.isArray(context.options.inputs?.[inputName ?? '']));
  const ceilingItems = certain ? undefined : maxItemsFromStep(pipeline, step, produced);
  if (ceilingItems !== undefined) items.worst = Math.max(items.worst, ceilingItems);
  const references = stepReferences(step);
  const upstream = (tier: Tier, itemCount: number): number => {
    let total = 0;
    for (const reference of references.whole) total += produced.get(reference)?.[tier] ?? 0;
    if (references.fannedFrom) total += Math.ceil((produced.get(references.fannedFrom)?.[tier] ?? 0) / Math.max(1, itemCount));
    return total;
  };
  const hasTools = agent.toolSet.tools.length > 0;
  const structuralCalls = callCounts(hasTools, step.limits.maxIterations || agent.limits.maxIterations, agent.outputSchema !== undefined);
  const structuralOutput = outputTokens(agent.params.maxTokens);
  const maxTokens = agent.params.maxTokens;
  // History narrows the ceiling's calls, answers and tool results, never past the structure.
  const seen = calibration;
  const calls: Tiers = {
    low: 1,
    expected: seen ? Math.max(1, Math.round(seen.calls.p50)) : structuralCalls.expected,
    worst: seen ? Math.min(structuralCalls.worst, Math.max(seen.calls.max * 2, seen.calls.max + 1)) : structuralCalls.worst,
  };
  const output: Tiers = {
    low: structuralOutput.low,
    expected: seen ? Math.min(maxTokens, Math.round(seen.outputPerCall.p50)) : structuralOutput.expected,
    worst: seen ? Math.min(maxTokens, Math.max(256, 2 * seen.outputPerCall.max)) : structuralOutput.worst,
  };
  const toolResult: Tiers = {
    low: 0,
    expected: hasTools ? (seen ? Math.round(seen.toolResultPerCall.p50) : toolResultTokens.expected) : 0,
    worst: hasTools ? Math.max(toolResultTokens.worst, Math.round(1.5 * (seen?.toolResultPerCall.max ?? 0))) : 0,
  };
  const knowledge = agent.knowledge ? await estimateKnowledge(agent.knowledge, agent.toolSet, prompt.user) : undefined;
  // Retrieved chunks count like search results (injected before the first call, or returned by knowledge_search).
  const retrieved = knowledge?.retrievalTokens ?? 0;
  const searchTokens: Tiers = {
    // A search can fail or find nothing, and retrieval can find nothing, so the floor counts no sources.
    low: 0,
    expected: (agent.search.mode === 'always' || (agent.search.mode === 'auto' && needsSearch(prompt.user)) ? estimateSearchTokens(agent.search) : 0) + retrieved,
    worst: (agent.search.mode === 'never' ? 0 : agent.search.maxTokens) + retrieved,
  };
  const prefixEnd = prompt.parts.findIndex((part) => !part.cacheable || part.kind === 'user');

  const shapeFor = async (model: ModelSpec, tier: Tier): Promise<LoopShape> => {
    const raw = (text: string) => counter.raw(model, text);
    const systemCounts = await Promise.all(prompt.system.map((part) => raw(part.text)));
    const prefixRaw = sumOf(systemCounts.slice(0, Math.max(0, prefixEnd)));
    const restRaw = sumOf(systemCounts) - prefixRaw + (await raw(prompt.user)) + upstream(tier, items[tier]);
    const toolsRaw = await raw(definitions);
    const servedRatio = calibration?.ratio && calibration.model === model.ref.id ? calibration.ratio : context.ratios.get(model.provider.type);
    const factor = calibratedFactors(priorFactors(model), servedRatio)[tier];
    const toolsFactor = tier === 'low' ? factor * toolDefinitionFloorShare : factor;
    const framing = tier === 'worst' ? framingTokensPerCall : 0;
    const round = tier === 'low' ? Math.floor : Math.ceil;
    let cachedPrefix = round(prefixRaw * factor);
    let input = round(restRaw * factor + toolsRaw * toolsFactor) + searchTokens[tier] + framing;
    // The floor: a provider that caches on its own may serve the whole repeated request from cache.
    if (tier === 'low' && model.provider.type !== 'anthropic' && model.pricing.cacheRead !== undefined) {
      cachedPrefix += input;
      input = 0;
    }
    return { cachedPrefix, input, output: output[tier], toolResult: toolResult[tier], calls: calls[tier], items: 1 };
  };

  const costs = zero();
  const inputTokens = zero();
  const outputTotals = zero();
  const add = (tier: Tier, usage: Usage, costUsd: number, times: number) => {
    inputTokens[tier] += times * (usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens);
    outputTotals[tier] += times * usage.outputTokens;
    costs[tier] += times * costUsd;
  };
  const limits = limitsOf(pipeline, step);

  // low: the cheapest model of the chain, per item; never above an item history saw.
  let lowItem: { usage: Usage; costUsd: number } | undefined;
  for (const model of chain) {
    const candidate = loopCost(await shapeFor(model, 'low'), model, 'floor');
    if (!lowItem || candidate.costUsd < lowItem.costUsd) lowItem = candidate;
  }
  const servedModel = chain.find((model) => model.ref.id === calibration?.model) ?? primary;
  const seenItemCosts = (calibration?.itemUsages ?? []).map((usage) => priceUsage(usage, servedModel.pricing));
  if (lowItem && seenItemCosts.length > 0) {
    const cheapest = Math.min(...seenItemCosts);
    if (cheapest < lowItem.costUsd) lowItem = { usage: lowItem.usage, costUsd: cheapest };
  }
  if (lowItem) add('low', lowItem.usage, Math.min(lowItem.costUsd, limits.item ?? Infinity), items.low);

  // expected: the medians of history, else the prior loop on the first model.
  if (calibration) {
    add('expected', calibration.medianItem, priceUsage(calibration.medianItem, servedModel.pricing), items.expected);
  } else {
    const shape = { ...(await shapeFor(primary, 'expected')), items: items.expected };
    const { usage, costUsd } = loopCost(shape, primary, 'read');
    add('expected', usage, costUsd, 1);
  }

  // worst: every model of the chain, every call, no cache hit; an item stops at its agent's budget.
  const worstByModel: StepEstimate['worstByModel'] = [];
  let largestCall = 0;
  let worstItemTotal = 0;
  for (const model of chain) {
    const shape = await shapeFor(model, 'worst');
    const { usage, costUsd } = loopCost(shape, model, 'miss');
    const last = loopUsage({ ...shape, calls: 1, input: shape.input + (shape.calls - 1) * (shape.output + shape.toolResult) }, 'none', model.contextWindow);
    largestCall = Math.max(largestCall, priceUsage({ ...last, inputTokens: 0, cacheWriteTokens: last.inputTokens }, { ...model.pricing, cacheWrite: Math.max(model.pricing.cacheWrite ?? model.pricing.input, model.pricing.input) }));
    add('worst', usage, 0, items.worst);
    worstItemTotal += costUsd;
    worstByModel.push({ model: model.ref.id, costUsd: costUsd * items.worst });
  }
  let worstItem = worstItemTotal;
  if (seenItemCosts.length > 0) worstItem = Math.max(worstItem, Math.max(...seenItemCosts));
  let cappedBy: string | undefined;
  if (limits.item !== undefined && limits.item + largestCall < worstItem) {
    worstItem = limits.item + largestCall;
    cappedBy = `agent max_cost $${limits.item}`;
  }
  let worstStep = worstItem * items.worst;
  const inFlight = step.forEach ? Math.max(1, Math.min(items.worst, step.concurrency || items.worst)) : 1;
  for (const [name, limit] of [['step', limits.step], ['run', limits.run]] as const) {
    if (limit !== undefined && limit + inFlight * largestCall < worstStep) {
      worstStep = limit + inFlight * largestCall;
      cappedBy = `${name} max_cost $${limit}`;
    }
  }
  costs.worst = worstStep;
  // The question's embedding, once per item (not in the floor: knowledge_search may never be called).
  if (knowledge) {
    costs.expected += knowledge.queryCostUsd * items.expected;
    costs.worst += knowledge.queryCostUsd * items.worst;
  }
  // Split the (perhaps capped) worst over the chain in proportion, so byModel sums to it.
  const uncapped = sumOf(worstByModel.map((entry) => entry.costUsd));
  for (const entry of worstByModel) entry.costUsd = uncapped > 0 ? (entry.costUsd * worstStep) / uncapped : 0;

  // A step that stops at a budget has spent at least that budget: the floor never passes it.
  costs.low = Math.min(costs.low, limits.step ?? Infinity, limits.run ?? Infinity);
  // A step with `when` may be skipped: its floor is nothing.
  if (step.when !== undefined) costs.low = 0;
  costs.expected = Math.min(Math.max(costs.expected, costs.low), costs.worst);

  produced.set(step.id, {
    low: structuralOutput.low * items.low,
    expected: output.expected * items.expected,
    worst: output.worst * items.worst,
  });
  const systemTokens = await Promise.all(prompt.system.map((part) => counter.count(primary, part.text)));
  const estimate: StepEstimate = {
    id: step.id,
    agent: agent.name,
    models: chain.map((model) => model.ref.id),
    items: items.expected,
    source: calibration?.source ?? 'prior',
    search: agent.search.mode,
    prompt: {
      system: sumOf(systemTokens),
      cachedPrefix: sumOf(systemTokens.slice(0, Math.max(0, prefixEnd))),
      user: await counter.count(primary, prompt.user),
      tools: await counter.count(primary, definitions),
      search: searchTokens.expected,
      exact: tokenizerFor(primary).exact,
    },
    calls: { low: calls.low * items.low, expected: calls.expected * items.expected, worst: calls.worst * items.worst * chain.length },
    inputTokens,
    outputTokens: outputTotals,
    costUsd: costs,
    worstByModel,
    ...(cappedBy ? { cappedBy } : {}),
    ...(knowledge ? { knowledge } : {}),
  };
  return { estimate, inFlight, largestCallUsd: largestCall };
}

function summarise(pipeline: CompiledPipeline, inputs: Record<string, unknown>, steps: StepEstimate[], history: boolean): EstimateReport {
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
  const budget = pipeline.limits.maxCostUsd;
  const report: EstimateReport = { kind: pipeline.kind, name: pipeline.name, inputs, steps, totalUsd, byModel: [...byModel].map(([model, costUsd]) => ({ model, costUsd })), history };
  if (budget !== undefined) report.budgetUsd = budget;
  return report;
}
