// One side of a diff: the project loaded and validated, and the agents and templates compiled on
// demand into comparable "views": everything that changes what a run does (rendered prompts with
// placeholder inputs, model chains with prices, tools and effective permissions, params, limits),
// with source positions and absolute paths left out so that a comment or a moved line is no change.

import { ConfigError, type Diagnostic } from '../errors.js';
import type { CompiledAgent, CompiledPipeline, Permissions, ToolSpec } from '../compile/ir.js';
import type { RenderedPart } from '../compile/prompt.js';
import type { ProjectConfig } from '../validate/types.js';
import { relevantPermissions } from './permissions.js';

export interface ToolView {
  name: string;
  /** Everything but the name, description and source: equal fingerprints mean the same capability. */
  fingerprint: string;
  definition: Record<string, unknown>;
}

export interface AgentView {
  name: string;
  file: string;
  /** Files whose change can change this agent: its file, its layers, providers.yaml, tools.yaml. */
  dependencies: string[];
  parts: RenderedPart[];
  chain: { name: string; models: string[] };
  tools: ToolView[];
  permissions: Permissions;
  limits: CompiledAgent['limits'];
  /** Canonical JSON of all of the above but file, sources and dependencies. */
  fingerprint: string;
  /** The same, per concern, to say which changed file had an effect (`via`). */
  sections: { prompt: string; models: string; tools: string };
}

export interface StepView {
  id: string;
  agent: string;
  chain: { name: string; models: string[] };
  fingerprint: string;
}

export interface TemplateView {
  name: string;
  file: string;
  agents: string[];
  steps: StepView[];
  fingerprint: string;
  pipeline: CompiledPipeline;
}

/** Sorted-key JSON: equal values give equal strings whatever the key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return entry;
    return Object.fromEntries(Object.entries(entry as Record<string, unknown>).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));
  });
}

function toolView(tool: ToolSpec): ToolView {
  const { name: _name, source: _source, description: _description, ...definition } = tool as ToolSpec & { description?: string };
  return { name: tool.name, fingerprint: canonical(definition), definition };
}

/** The date every rendered prompt uses, so that neither side's `{{today}}` differs. */
const renderDay = '2026-01-01';

export class Snapshot {
  private readonly agentViews = new Map<string, AgentView>();
  private readonly templateViews = new Map<string, TemplateView>();
  private readonly pipelines = new Map<string, CompiledPipeline>();

  private constructor(
    readonly label: string,
    readonly root: string,
    readonly config: ProjectConfig,
    readonly env: NodeJS.ProcessEnv,
    /** Relative path -> text of every config file. */
    readonly files: ReadonlyMap<string, string>,
    private readonly modules: Modules,
  ) {}

  /** `cache`: shared by the two sides of a diff, so that unchanged files are parsed once. */
  static async load(label: string, root: string, cache?: import('../load/index.js').LoadCache, memory?: ReadonlyMap<string, Buffer>): Promise<Snapshot> {
    const modules = await loadModules();
    const raw = await modules.loadProject({ cwd: root, env: process.env, ...(cache ? { cache } : {}), ...(memory ? { files: memory } : {}) });
    const result = await modules.validateProject(raw, { env: raw.env, mode: 'lint' });
    if (!result.config) {
      const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
      throw new ConfigError(errors, `${label} does not lint, so it cannot be compared:\n${errors.map(modules.formatDiagnostic).join('\n')}\n(fix: \`agentpipe lint\` on that revision)`);
    }
    const files = new Map(raw.files.map((file) => [file.file, file.text]));
    return new Snapshot(label, raw.root, result.config, { ...raw.env } as NodeJS.ProcessEnv, files, modules);
  }

  /** A compiled one-step pipeline for an agent, or a template's pipeline. */
  pipeline(kind: 'agent' | 'template', name: string): CompiledPipeline {
    const key = `${kind}:${name}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      try {
        pipeline = this.modules.compile(this.config, { kind, name }, { env: this.env, cwd: this.root });
      } catch (error) {
        if (error instanceof ConfigError) throw new ConfigError(error.diagnostics, `${this.label}: ${error.message}`);
        throw error;
      }
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  agent(name: string): AgentView | undefined {
    if (!this.config.agents.has(name)) return undefined;
    const cached = this.agentViews.get(name);
    if (cached) return cached;
    const agent = this.pipeline('agent', name).steps[0]!.agent;
    const view = this.viewOf(agent);
    this.agentViews.set(name, view);
    return view;
  }

  private viewOf(agent: CompiledAgent): AgentView {
    const inputs = this.modules.resolveInputs(agent.inputs, {}, { mode: 'estimate' });
    const prompt = this.modules.renderPrompt(agent, { inputs, today: renderDay });
    const layerFiles = Object.keys(agent.prompt.partials).map((layer) => this.config.layers.get(layer)?.source.file).filter((file): file is string => file !== undefined);
    const tools = agent.toolSet.tools.map(toolView);
    const chain = { name: agent.chain.name, models: agent.chain.models.map((model) => model.ref.id) };
    const comparable = {
      parts: prompt.parts.map((part) => ({ kind: part.kind, name: part.name, text: part.text, cacheable: part.cacheable })),
      chain: agent.chain.models.map((model) => ({ id: model.ref.id, pricing: { ...model.pricing, source: undefined }, contextWindow: model.contextWindow, maxOutputTokens: model.maxOutputTokens })),
      chainName: agent.chain.name,
      retry: agent.chain.retry,
      fallbackOn: agent.chain.fallbackOn,
      params: agent.params,
      tools: tools.map((tool) => [tool.name, tool.fingerprint]),
      permissions: relevantPermissions(tools, agent.toolSet.permissions),
      search: { mode: agent.search.mode, maxResults: agent.search.maxResults, provider: agent.search.provider.name },
      limits: agent.limits,
      outputSchema: agent.outputSchema,
      inputs: agent.inputs,
    };
    return {
      name: agent.name,
      file: agent.source.file,
      dependencies: [agent.source.file, ...layerFiles, 'providers.yaml', 'tools.yaml'],
      parts: prompt.parts,
      chain,
      tools,
      permissions: agent.toolSet.permissions,
      limits: agent.limits,
      fingerprint: canonical(comparable),
      sections: {
        prompt: canonical(comparable.parts),
        models: canonical([comparable.chain, comparable.chainName, comparable.retry, comparable.fallbackOn, comparable.search]),
        tools: canonical([comparable.tools, comparable.permissions]),
      },
    };
  }

  template(name: string): TemplateView | undefined {
    if (!this.config.templates.has(name)) return undefined;
    const cached = this.templateViews.get(name);
    if (cached) return cached;
    const pipeline = this.pipeline('template', name);
    const steps = pipeline.steps.map((step) => {
      const agent = this.viewOf(step.agent);
      const comparable = { agent: agent.fingerprint, needs: step.needs, with: step.with, forEach: step.forEach, when: step.when, concurrency: step.concurrency, limits: step.limits };
      return { id: step.id, agent: step.agent.name, chain: agent.chain, fingerprint: canonical(comparable) };
    });
    const comparable = { steps: steps.map((step) => [step.id, step.fingerprint]), levels: pipeline.levels, concurrency: pipeline.concurrency, limits: pipeline.limits, outputs: pipeline.outputs, inputs: pipeline.inputs };
    const view: TemplateView = {
      name,
      file: pipeline.source.file,
      agents: [...new Set(pipeline.steps.map((step) => step.agent.name))],
      steps,
      fingerprint: canonical(comparable),
      pipeline,
    };
    this.templateViews.set(name, view);
    return view;
  }

  /** Agent names of a template as written (without compiling it). */
  templateAgents(name: string): string[] {
    return (this.config.templates.get(name)?.value.steps ?? []).map((step) => step.agent);
  }
}

interface Modules {
  loadProject: typeof import('../load/index.js').loadProject;
  validateProject: typeof import('../validate/index.js').validateProject;
  compile: typeof import('../compile/compile.js').compile;
  renderPrompt: typeof import('../compile/prompt.js').renderPrompt;
  resolveInputs: typeof import('../compile/inputs.js').resolveInputs;
  formatDiagnostic: (diagnostic: Diagnostic) => string;
}

async function loadModules(): Promise<Modules> {
  const [load, validate, compile, prompt, inputs, errors] = await Promise.all([
    import('../load/index.js'),
    import('../validate/index.js'),
    import('../compile/compile.js'),
    import('../compile/prompt.js'),
    import('../compile/inputs.js'),
    import('../errors.js'),
  ]);
  return { loadProject: load.loadProject, validateProject: validate.validateProject, compile: compile.compile, renderPrompt: prompt.renderPrompt, resolveInputs: inputs.resolveInputs, formatDiagnostic: errors.formatDiagnostic };
}
