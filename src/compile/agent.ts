// One agent file -> CompiledAgent. Shared per-compile state (diagnostics, layer analyses, the
// workspace) travels in CompileContext so that each agent and route is resolved once.

import type { Checked, ProjectConfig } from '../validate/types.js';
import type { AgentFile, Inputs } from '../validate/types.gen.js';
import { sourceRef, type CompileDiagnostics } from './diagnostics.js';
import type { CompiledAgent, InputSpec, Limits } from './ir.js';
import { resolveModelChain } from './models.js';
import { compilePrompt, type LayerIndex } from './prompt-parts.js';
import { resolveSearch } from './search.js';
import { resolveToolSet } from './tools.js';
import { resolveKnowledge, resolveMemory } from './knowledge.js';
import { parseOptionalDuration } from './units.js';

/** Most output tokens per call when an agent sets no `params.max_tokens` (agent schema). */
export const defaultMaxTokens = 1024;
/** Most model calls in one agent loop when no limit is written (agent schema). */
export const defaultMaxIterations = 50;

export interface CompileContext {
  config: ProjectConfig;
  env: NodeJS.ProcessEnv;
  diagnostics: CompileDiagnostics;
  layers: LayerIndex;
  workspace: string;
  /** Compiled agents by `name` + model override, so steps sharing an agent share the object. */
  agents: Map<string, CompiledAgent>;
}

export function compileInputs(inputs: Inputs | undefined): Record<string, InputSpec> {
  const specs: Record<string, InputSpec> = {};
  for (const [name, input] of Object.entries(inputs ?? {})) {
    if (!input) continue;
    const spec: InputSpec = { type: input.type ?? 'string', required: input.required ?? input.default === undefined };
    if (input.description !== undefined) spec.description = input.description;
    if (input.default !== undefined) spec.default = structuredClone(input.default as unknown);
    if (input.example !== undefined) spec.example = structuredClone(input.example as unknown);
    specs[name] = spec;
  }
  return specs;
}

export function compileLimits(limits: { max_iterations?: number; max_cost?: number; timeout?: string } | undefined, base?: Limits): Limits {
  const result: Limits = { maxIterations: limits?.max_iterations ?? base?.maxIterations ?? defaultMaxIterations };
  const maxCostUsd = limits?.max_cost ?? base?.maxCostUsd;
  const timeoutMs = parseOptionalDuration(limits?.timeout) ?? base?.timeoutMs;
  if (maxCostUsd !== undefined) result.maxCostUsd = maxCostUsd;
  if (timeoutMs !== undefined) result.timeoutMs = timeoutMs;
  return result;
}

/** The agent as written. Cached by name: every step using it shares one object. */
export function compileAgent(context: CompileContext, agent: Checked<AgentFile>): CompiledAgent {
  const cached = context.agents.get(agent.value.name);
  if (cached) return cached;
  const { config, env, diagnostics } = context;
  const file = agent.value;
  const params = file.params ?? {};
  const compiled: CompiledAgent = {
    name: file.name,
    source: sourceRef(agent.source, ['name']),
    inputs: compileInputs(file.inputs),
    prompt: compilePrompt(agent, context.layers, diagnostics),
    chain: resolveModelChain(file.model, config.providers, env, diagnostics, { source: agent.source, path: ['model'] }),
    params: {
      maxTokens: params.max_tokens ?? defaultMaxTokens,
      ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
      ...(params.top_p !== undefined ? { topP: params.top_p } : {}),
      ...(params.stop !== undefined ? { stop: [...params.stop] } : {}),
    },
    toolSet: resolveToolSet(agent, config.tools, context.workspace, diagnostics),
    search: resolveSearch(file, config.providers.value, env),
    limits: compileLimits(file.limits),
  };
  if (file.description !== undefined) compiled.description = file.description;
  if (file.output?.schema !== undefined) compiled.outputSchema = structuredClone(file.output.schema) as Record<string, unknown>;
  if (file.provider_options !== undefined) compiled.providerOptions = structuredClone(file.provider_options) as Record<string, Record<string, unknown>>;
  const knowledge = resolveKnowledge(context, agent);
  if (knowledge) compiled.knowledge = knowledge;
  const memory = resolveMemory(context, agent, compiled.chain);
  if (memory) compiled.memory = memory;
  context.agents.set(agent.value.name, compiled);
  return compiled;
}

/**
 * The agent with its `model:` replaced (a step's `model:` or `run --model`). `at` is where the
 * override was written, for errors.
 */
export function withModel(context: CompileContext, agent: CompiledAgent, model: string, at: { source: Checked<unknown>['source']; path: Array<string | number> }): CompiledAgent {
  const key = `${agent.name}\u0000${model}`;
  const cached = context.agents.get(key);
  if (cached) return cached;
  const compiled = { ...agent, chain: resolveModelChain(model, context.config.providers, context.env, context.diagnostics, at) };
  context.agents.set(key, compiled);
  return compiled;
}
