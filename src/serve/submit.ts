// POST /v1/runs and POST /v1/estimate share this: resolve the target (a path or a name) in the
// served project, check the inputs against its declarations the way `agentpipe run` does (same
// messages, as UsageError/ConfigError), and for a run, index it as queued and hand it to the runner.

import type { CompiledPipeline } from '../compile/ir.js';
import { resolveInputs } from '../compile/inputs.js';
import { UsageError } from '../errors.js';
import { checkThreadFlag } from '../memory/thread-id.js';
import { newRunId } from '../run/ids.js';
import type { LoadedServeProject, ServeProject } from './project.js';
import type { RunIndex } from './run-index.js';
import type { Runner } from './runner.js';

export interface RunRequest {
  target: string;
  inputs?: Record<string, unknown>;
  model?: string;
  max_cost?: number;
  thread?: string;
}

/**
 * Inputs as `run --input-file` takes them (resolveInputs checks every JSON type), except that a
 * number or true/false where a string is declared is refused: a file may say `1` for a string, an
 * API client should send "1".
 */
export function checkInputs(pipeline: CompiledPipeline, given: Record<string, unknown>, mode: 'run' | 'estimate'): Record<string, unknown> {
  for (const [name, value] of Object.entries(given)) {
    if (Object.hasOwn(pipeline.inputs, name) && pipeline.inputs[name]!.type === 'string' && (typeof value === 'number' || typeof value === 'boolean')) throw new UsageError(`input "${name}" must be a string, got a ${typeof value}`);
  }
  return resolveInputs(pipeline.inputs, given, { mode });
}

/** The catalogue tags of the target's file (runs are filtered by them). */
export function targetTags(project: LoadedServeProject, pipeline: CompiledPipeline): string[] {
  const files = pipeline.kind === 'agent' ? project.config.agents : project.config.templates;
  return [...((files.get(pipeline.name)?.value as { tags?: string[] } | undefined)?.tags ?? [])];
}

export async function submitRun(parts: { project: ServeProject; index: RunIndex; runner: Runner }, request: RunRequest): Promise<{ id: string; status: 'queued' }> {
  const { pipeline, project } = await parts.project.pipeline(request.target, request.model);
  const inputs = checkInputs(pipeline, request.inputs ?? {}, 'run');
  // The id and the kind of target; whether the thread belongs to this agent is checked when the run starts.
  checkThreadFlag(pipeline, request.thread, 'thread');
  const id = newRunId();
  parts.index.insert({
    id,
    target: pipeline.source.file,
    name: pipeline.name,
    kind: pipeline.kind,
    status: 'queued',
    tags: targetTags(project, pipeline),
    inputs,
    ...(request.model ? { model: request.model } : {}),
    ...(request.max_cost !== undefined ? { maxCost: request.max_cost } : {}),
    ...(request.thread !== undefined ? { thread: request.thread } : {}),
    createdAt: new Date().toISOString(),
  });
  parts.runner.enqueue(id);
  return { id, status: 'queued' };
}
