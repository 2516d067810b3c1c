// Everything before a run: find and load the project, validate it, resolve the target (or the run
// being resumed), read the inputs, and compile. Config problems throw ConfigError/UsageError (exit 2).

import { resolve } from 'node:path';
import { compile } from '../compile/compile.js';
import type { CompiledPipeline } from '../compile/ir.js';
import { requireTargetEnv } from '../compile/project.js';
import { parseInputFlags, readInputFile, resolveInputs, type InputMode } from '../compile/inputs.js';
import { UsageError } from '../errors.js';
import { loadProject } from '../load/index.js';
import { validateProjectOrThrow } from '../validate/index.js';
import { checkModelOverride, checkResumeFlags } from './flag-checks.js';
import { loadRunState, type RunState } from './state.js';

export interface PrepareOptions {
  /** Agent or template file (or name). Optional with `resume`. */
  file?: string;
  /** `--input k=v` flags as given. */
  inputFlags?: string | string[];
  inputFile?: string;
  modelOverride?: string;
  /** Run id to resume: target, inputs and model come from its run.json. */
  resume?: string;
  /** Placeholder inputs instead of failing on missing ones (`--dry-run`). */
  mode?: InputMode;
  /** `--dry-run` and `--replay` call no provider: unset env vars stay warnings for them. */
  callsNothing?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface PreparedRun {
  pipeline: CompiledPipeline;
  inputs: Record<string, unknown>;
  /** process env plus the project's .env (which never overrides). */
  env: NodeJS.ProcessEnv;
  root: string;
  /** Target relative to the root, as stored in run.json. */
  target: string;
  modelOverride?: string;
  resume?: RunState;
}

export async function prepareRun(options: PrepareOptions): Promise<PreparedRun> {
  const cwd = options.cwd ?? process.cwd();
  if (!options.file && !options.resume) throw new UsageError('`agentpipe run` needs an agent or template file (or --resume <run-id>)');
  const raw = await loadProject({ cwd, ...(options.file ? { file: options.file } : {}), env: options.env ?? process.env });
  const env = { ...raw.env } as NodeJS.ProcessEnv;
  // Unset env vars are warnings here; requireTargetEnv below makes the ones this target uses errors.
  const config = await validateProjectOrThrow(raw, { env: raw.env, mode: 'lint' });
  const resume = options.resume ? await loadRunState(raw.root, options.resume) : undefined;
  if (resume) checkResumeFlags(config, resume, { ...options, cwd });
  if (options.modelOverride) checkModelOverride(config, options.modelOverride, env);
  const modelOverride = options.modelOverride ?? resume?.modelOverride;
  const pipeline = compile(config, resume ? resume.target : options.file!, { env, cwd: resume ? raw.root : cwd, ...(modelOverride ? { modelOverride } : {}) });
  if (!options.callsNothing) await requireTargetEnv(raw, pipeline);
  let inputs: Record<string, unknown>;
  if (resume) inputs = resume.inputs;
  else {
    const fromFile = options.inputFile ? await readInputFile(resolve(cwd, options.inputFile), options.inputFile) : {};
    inputs = resolveInputs(pipeline.inputs, { ...fromFile, ...parseInputFlags(options.inputFlags) }, { mode: options.mode ?? 'run' });
  }
  return {
    pipeline,
    inputs,
    env,
    root: raw.root,
    target: pipeline.source.file,
    ...(modelOverride ? { modelOverride } : {}),
    ...(resume ? { resume } : {}),
  };
}
