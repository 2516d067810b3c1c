// Checks of `run` flags that need the project: problems are the user's command line, so they are
// UsageErrors (exit 2) that name the flag, never a file:line in a config file they did not touch.

import { resolveTarget } from '../compile/compile.js';
import { CompileDiagnostics } from '../compile/diagnostics.js';
import { resolveModelChain } from '../compile/models.js';
import { UsageError } from '../errors.js';
import type { SourceFile } from '../load/types.js';
import type { ProjectConfig } from '../validate/types.js';
import type { RunState } from './state.js';

/** `--model` must be a route or a provider/model that providers.yaml defines and prices. */
export function checkModelOverride(config: ProjectConfig, model: string, env: NodeJS.ProcessEnv): void {
  const diagnostics = new CompileDiagnostics();
  // resolveModelChain reports at a file position; the flag has none, and only the messages are used.
  const flag = { file: '--model', locate: () => ({ line: 1, col: 1 }) } as unknown as SourceFile;
  resolveModelChain(model, config.providers, env, diagnostics, { source: flag, path: [] });
  const problems = diagnostics.list.filter((diagnostic) => diagnostic.severity === 'error');
  if (problems.length === 0) return;
  const fix = problems.find((problem) => problem.fix)?.fix;
  throw new UsageError(`--model ${model}: ${problems.map((problem) => problem.message).join('; ')}${fix ? ` (fix: ${fix})` : ''}`);
}

/**
 * `--resume` continues the run as it started: a file argument must be the run's own target, and
 * inputs cannot be given again (the run keeps the ones in its run.json).
 */
export function checkResumeFlags(config: ProjectConfig, resume: RunState, given: { file?: string; inputFlags?: string | string[]; inputFile?: string; cwd: string }): void {
  const again = `agentpipe run --resume ${resume.runId}`;
  if (given.inputFlags !== undefined || given.inputFile !== undefined) {
    const flag = given.inputFile !== undefined ? '--input-file' : '--input';
    throw new UsageError(`${flag} cannot be used with --resume: run ${resume.runId} keeps the inputs it started with; resume with \`${again}\`, or start a new run to change them`);
  }
  if (given.file === undefined) return;
  let target: string;
  try {
    target = resolveTarget(config, given.file, given.cwd).file.source.file;
  } catch {
    target = given.file;
  }
  if (target === resume.target) return;
  throw new UsageError(`run ${resume.runId} is a run of ${resume.target}, not ${given.file}; resume it with \`${again}\`, or start a new run of ${given.file} without --resume`);
}
