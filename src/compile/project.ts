// Load, validate and compile in one call, for the read-only verbs (render, explain, estimate,
// models). Validation runs in lint mode: an unset env var is a warning here, since these verbs
// call no provider. `run` validates in lint mode too, then requireTargetEnv makes the unset vars
// its compiled target uses errors (src/run/prepare.ts).

import { ConfigError } from '../errors.js';
import type { MissingEnvVar, RawProject } from '../load/types.js';
import type { ProjectConfig } from '../validate/types.js';
import { compile, type CompileTarget } from './compile.js';
import type { CompiledPipeline } from './ir.js';

export interface LoadedProject {
  config: ProjectConfig;
  /** process env plus the project's .env (which never overrides). */
  env: NodeJS.ProcessEnv;
}

export async function loadConfig(options: { cwd?: string; file?: string; env?: NodeJS.ProcessEnv } = {}): Promise<LoadedProject> {
  const { loadProject } = await import('../load/index.js');
  const { validateProjectOrThrow } = await import('../validate/index.js');
  const raw = await loadProject({ cwd: options.cwd ?? process.cwd(), ...(options.file ? { file: options.file } : {}), env: options.env ?? process.env });
  const config = await validateProjectOrThrow(raw, { env: raw.env, mode: 'lint' });
  return { config, env: { ...raw.env } as NodeJS.ProcessEnv };
}

export async function loadAndCompile(target: CompileTarget, options: { cwd?: string; env?: NodeJS.ProcessEnv; modelOverride?: string } = {}): Promise<LoadedProject & { pipeline: CompiledPipeline }> {
  const cwd = options.cwd ?? process.cwd();
  const loaded = await loadConfig({ cwd, ...(typeof target === 'string' ? { file: target } : {}), ...(options.env ? { env: options.env } : {}) });
  const pipeline = compile(loaded.config, target, { env: loaded.env, cwd, ...(options.modelOverride ? { modelOverride: options.modelOverride } : {}) });
  return { ...loaded, pipeline };
}

/**
 * Before a run: an unset `${VAR}` (no default) that the compiled target uses is an error, reported
 * with every other unset one as a warning; one that only other agents, providers or tools use is
 * no reason to refuse this run. Throws ConfigError (exit 2).
 */
export async function requireTargetEnv(raw: Pick<RawProject, 'files' | 'missingEnv'>, pipeline: CompiledPipeline): Promise<void> {
  if ((raw.missingEnv ?? []).length === 0) return;
  const { missingEnvDiagnostics } = await import('../validate/env.js');
  const uses = targetUses(pipeline);
  const diagnostics = missingEnvDiagnostics(raw, (variable) => useOf(variable, uses));
  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) throw new ConfigError(diagnostics);
}

interface TargetUses {
  files: Set<string>;
  providers: Set<string>;
  models: Set<string>;
  routes: Set<string>;
  tools: Set<string>;
  searchProviders: Set<string>;
}

function targetUses(pipeline: CompiledPipeline): TargetUses {
  const uses: TargetUses = { files: new Set([pipeline.source.file]), providers: new Set(), models: new Set(), routes: new Set(), tools: new Set(), searchProviders: new Set() };
  for (const { agent } of pipeline.steps) {
    uses.files.add(agent.source.file);
    for (const part of agent.prompt.system) uses.files.add(part.source.file);
    for (const name of Object.keys(agent.prompt.partials)) uses.files.add(`agents/layers/${name}.yaml`);
    uses.routes.add(agent.chain.name);
    for (const model of agent.chain.models) {
      uses.providers.add(model.provider.name);
      uses.models.add(model.ref.id);
    }
    for (const tool of agent.toolSet.tools) {
      uses.tools.add(tool.name);
      if (tool.kind === 'builtin' && tool.builtin === 'web_search') uses.searchProviders.add(tool.searchProvider ?? agent.search.provider.name);
    }
    if (agent.search.mode !== 'never') uses.searchProviders.add(agent.search.provider.name);
  }
  return uses;
}

/** Why the target needs this variable, or undefined when it does not. */
function useOf(variable: MissingEnvVar, uses: TargetUses): string | undefined {
  const [section, name] = variable.path.map(String);
  if (variable.file === 'providers.yaml') {
    if (section === 'rate_limits' && name?.includes('/')) return uses.models.has(name) ? `the run uses model \`${name}\`` : undefined;
    if ((section === 'providers' || section === 'rate_limits') && name !== undefined) return uses.providers.has(name) ? `the run uses provider \`${name}\`` : undefined;
    if (section === 'models' && name !== undefined) return uses.models.has(name) ? `the run uses model \`${name}\`` : undefined;
    if (section === 'routes' && name !== undefined) return uses.routes.has(name) ? `the run uses route \`${name}\`` : undefined;
    if (section === 'search' && name !== undefined && name !== 'default') return uses.searchProviders.has(name) ? `the run searches with \`${name}\`` : undefined;
    if (section === 'search') return uses.searchProviders.size > 0 ? 'the run searches the web' : undefined;
    return 'every run uses it';
  }
  if (variable.file === 'tools.yaml') {
    if (section === 'tools' && name !== undefined) return uses.tools.has(name) ? `the run uses tool \`${name}\`` : undefined;
    return uses.tools.size > 0 ? 'the run uses tools' : undefined;
  }
  return uses.files.has(variable.file) ? `the run uses ${variable.file}` : undefined;
}
