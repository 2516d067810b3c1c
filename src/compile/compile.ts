// ProjectConfig + a target (an agent, a template, or a file path) -> CompiledPipeline, deep-frozen.
// A single agent is a one-step pipeline whose `with` maps each input to `{{inputs.NAME}}`.

import { isAbsolute, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { didYouMean } from '../validate/suggest.js';
import type { Checked, ProjectConfig } from '../validate/types.js';
import type { AgentFile, TemplateFile } from '../validate/types.gen.js';
import { compileAgent, compileInputs, compileLimits, withModel, type CompileContext } from './agent.js';
import { CompileDiagnostics, sourceRef } from './diagnostics.js';
import type { CompiledPipeline, CompiledStep } from './ir.js';
import { checkReferences } from './prompt-parts.js';
import { LayerIndex } from './prompt-parts.js';
import { ancestorsOf, checkStepTemplates, completeWith, topologicalLevels } from './steps.js';
import { scanTemplate as analyzeTemplate } from '../prompt-language/scan.js';
import { resolveWorkspace } from './tools.js';
import { parseOptionalDuration } from './units.js';

export type CompileTarget = { kind: 'agent' | 'template'; name: string } | string;

export interface CompileOptions {
  env?: NodeJS.ProcessEnv;
  /** A route or provider/model replacing every step's model (`run --model`). */
  modelOverride?: string;
  /** Where relative file targets are resolved; default process.cwd(). */
  cwd?: string;
}

/** Steps (and for_each items) running at once when a template sets no `concurrency` (template schema). */
export const defaultConcurrency = 4;

/** A file path (absolute or relative to cwd or the root) or a bare agent/template name. */
export function resolveTarget(config: ProjectConfig, target: CompileTarget, cwd = process.cwd()): { kind: 'agent'; file: Checked<AgentFile> } | { kind: 'template'; file: Checked<TemplateFile> } {
  if (typeof target !== 'string') {
    const file = target.kind === 'agent' ? config.agents.get(target.name) : config.templates.get(target.name);
    if (!file) throw new UsageError(`no ${target.kind} named "${target.name}"`);
    return target.kind === 'agent' ? { kind: 'agent', file: file as Checked<AgentFile> } : { kind: 'template', file: file as Checked<TemplateFile> };
  }
  const candidates = new Set([isAbsolute(target) ? target : resolve(cwd, target), resolve(config.root, target)]);
  for (const file of config.agents.values()) if (candidates.has(file.source.absPath)) return { kind: 'agent', file };
  for (const file of config.templates.values()) if (candidates.has(file.source.absPath)) return { kind: 'template', file };
  const agent = config.agents.get(target);
  if (agent) return { kind: 'agent', file: agent };
  const template = config.templates.get(target);
  if (template) return { kind: 'template', file: template };
  // A file path is compared with the files (relative to the root), a bare name with the names.
  const asFile = target.includes('/') || target.endsWith('.yaml') || target.endsWith('.yml');
  const files = [...config.agents.values(), ...config.templates.values()].map((file) => file.source.file);
  const typed = asFile ? relative(config.root, isAbsolute(target) ? target : resolve(cwd, target)) : target;
  const hint = didYouMean(typed, asFile ? files : [...config.agents.keys(), ...config.templates.keys()]);
  throw new UsageError(`"${target}" is not an agent or template of this project (agents/*.yaml, templates/*.yaml, or a name)${hint ? `;${hint.slice(1)}` : '; `agentpipe list` shows them'}`);
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    // Data properties only: an accessor (a lazily located SourceRef line) is not read here.
    for (const descriptor of Object.values(Object.getOwnPropertyDescriptors(value))) if ('value' in descriptor) deepFreeze(descriptor.value);
  }
  return value;
}

export function compile(config: ProjectConfig, target: CompileTarget, options: CompileOptions = {}): CompiledPipeline {
  const diagnostics = new CompileDiagnostics();
  const context: CompileContext = {
    config,
    env: options.env ?? process.env,
    diagnostics,
    layers: new LayerIndex(config.layers, diagnostics),
    workspace: resolveWorkspace(config.root, config.tools, diagnostics),
    agents: new Map(),
  };
  const resolved = resolveTarget(config, target, options.cwd);
  const pipeline = resolved.kind === 'agent' ? agentPipeline(context, resolved.file, options.modelOverride) : templatePipeline(context, resolved.file, options.modelOverride);
  diagnostics.throwIfAny();
  return deepFreeze(pipeline);
}

function agentPipeline(context: CompileContext, file: Checked<AgentFile>, modelOverride: string | undefined): CompiledPipeline {
  let agent = compileAgent(context, file);
  if (modelOverride) agent = withModel(context, agent, modelOverride, { source: file.source, path: ['model'] });
  const id = agent.name;
  const step: CompiledStep = {
    id,
    source: agent.source,
    agent,
    needs: [],
    with: Object.fromEntries(Object.keys(agent.inputs).map((name) => [name, `{{inputs.${name}}}`])),
    concurrency: 1,
    limits: agent.limits,
  };
  const limits = { ...(agent.limits.maxCostUsd !== undefined ? { maxCostUsd: agent.limits.maxCostUsd } : {}), ...(agent.limits.timeoutMs !== undefined ? { timeoutMs: agent.limits.timeoutMs } : {}) };
  return { kind: 'agent', name: id, source: agent.source, inputs: agent.inputs, steps: [step], levels: [[id]], concurrency: 1, limits, outputs: { output: `{{steps.${id}.output}}` }, root: context.config.root };
}

function templatePipeline(context: CompileContext, template: Checked<TemplateFile>, modelOverride: string | undefined): CompiledPipeline {
  const { diagnostics, config } = context;
  const file = template.value;
  const concurrency = file.concurrency ?? defaultConcurrency;
  const ids = new Set<string>();
  const needsById = new Map<string, string[]>();
  file.steps.forEach((step, index) => {
    if (ids.has(step.id)) diagnostics.error(template.source, ['steps', index, 'id'], 'ref/step', `step id "${step.id}" is used twice`);
    ids.add(step.id);
    needsById.set(step.id, [...(step.needs ?? [])]);
  });
  const steps: CompiledStep[] = [];
  file.steps.forEach((step, index) => {
    (step.needs ?? []).forEach((need, position) => {
      if (!ids.has(need)) diagnostics.error(template.source, ['steps', index, 'needs', position], 'ref/step', `step "${step.id}" needs "${need}", which is not a step of this template`);
    });
    checkStepTemplates(template, index, ancestorsOf(step.id, needsById), diagnostics);
    const agentFile = config.agents.get(step.agent);
    if (!agentFile) {
      diagnostics.error(template.source, ['steps', index, 'agent'], 'ref/agent', `step "${step.id}" uses agent "${step.agent}", which is not in agents/`);
      return;
    }
    let agent = compileAgent(context, agentFile);
    const model = modelOverride ?? step.model;
    if (model) agent = withModel(context, agent, model, { source: template.source, path: modelOverride ? ['steps', index] : ['steps', index, 'model'] });
    const compiled: CompiledStep = {
      id: step.id,
      source: sourceRef(template.source, ['steps', index]),
      agent,
      needs: [...(step.needs ?? [])],
      with: completeWith(template, index, agent, diagnostics),
      concurrency: step.concurrency ?? concurrency,
      limits: compileLimits(step.limits, agent.limits),
    };
    if (step.for_each) {
      compiled.forEach = step.for_each;
      compiled.forEachSource = sourceRef(template.source, ['steps', index, 'for_each']);
    }
    if (step.when) compiled.when = step.when;
    steps.push(compiled);
  });
  const { levels, cyclic } = topologicalLevels(file.steps.map((step) => ({ id: step.id, needs: (step.needs ?? []).filter((need) => ids.has(need)) })));
  if (cyclic.length > 0) diagnostics.error(template.source, ['steps'], 'ref/cycle', `steps ${cyclic.join(', ')} need each other in a cycle`);
  const outputs: Record<string, string> = {};
  for (const [name, text] of Object.entries(file.outputs ?? {})) {
    if (text === undefined) continue;
    outputs[name] = text;
    const roots = { inputs: new Set(Object.keys(file.inputs ?? {})), steps: ids, run: undefined, today: new Set<string>() };
    checkReferences(analyzeTemplate(text), sourceRef(template.source, ['outputs', name]), roots, diagnostics, `output "${name}"`);
  }
  const timeoutMs = parseOptionalDuration(file.limits?.timeout);
  const limits = { ...(file.limits?.max_cost !== undefined ? { maxCostUsd: file.limits.max_cost } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
  return { kind: 'template', name: file.name, source: sourceRef(template.source, ['name']), inputs: compileInputs(file.inputs), steps, levels, concurrency, limits, outputs, root: config.root };
}
