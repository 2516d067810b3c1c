// Load, validate and compile in one call, for the read-only verbs (render, explain, estimate,
// models). Validation runs in lint mode: an unset env var is a warning here, since these verbs
// call no provider; `run` validates in run mode (src/run/prepare.ts).

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
