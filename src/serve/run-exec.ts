// One run of serve, from a queued job to its outcome, the same whether it runs on the HTTP thread
// (`serve --workers 0`) or in a run worker thread (run-worker.ts): load or reuse the compiled
// target, resume from run.json when asked, startRun with its events going to `onEvent` as the
// lines events.jsonl holds, and sum up what the index needs. Nothing here touches the index or
// the event hub: the caller (Runner, on the HTTP thread) does.

import type { CompiledPipeline } from '../compile/ir.js';
import { CostLedger } from '../cost/ledger.js';
import { InterruptedError } from '../errors.js';
import type { RuntimePorts } from '../run/ports.js';
import { loadRunState, type RunState } from '../run/state.js';
import { redactSecrets } from '../tools/redact.js';
import type { ServeProject } from './project.js';
import type { ApiRunStatus, RunCost } from './run-index.js';

/** Why a run was stopped through the API: tells a cancel from a serve shutdown in the result. */
export class CancelledError extends InterruptedError {
  constructor() {
    super('cancelled through the API; run state saved');
  }
}

/** What a run needs from its index row (plain data: it crosses to a worker thread). */
export interface RunJob {
  id: string;
  resume: boolean;
  target: string;
  inputs: Record<string, unknown>;
  model?: string;
  maxCost?: number;
  /** The conversation thread the run continues. */
  thread?: string;
  /** Cost already spent by earlier attempts (kept when this one fails before it starts). */
  costUsd: number;
}

/** What the index records when a run ends. */
export interface RunOutcome {
  status: ApiRunStatus;
  endedAt: string;
  durationMs: number;
  costUsd: number;
  errorClass?: string;
  error?: string;
  costs: RunCost[];
}

export interface ExecuteDeps {
  project: ServeProject;
  /** Ports for one run (SDK clients are shared by the runs of this thread); `thread` continues that conversation. */
  ports: (env: NodeJS.ProcessEnv, thread: string | undefined) => RuntimePorts;
}

/** `stop` is how the caller aborts: 'cancel' (through the API) or 'shutdown'. */
export function abortReason(kind: 'cancel' | 'shutdown'): InterruptedError {
  return kind === 'cancel' ? new CancelledError() : new InterruptedError('serve is shutting down; run state saved');
}

export async function executeRun(deps: ExecuteDeps, job: RunJob, signal: AbortSignal, onLine: (text: string) => void): Promise<RunOutcome> {
  const { project } = deps;
  const startedAt = Date.now();
  let env: NodeJS.ProcessEnv = process.env;
  try {
    const resume = job.resume ? await loadRunState(project.root, job.id).catch(() => undefined) : undefined;
    const compiled = await project.pipeline(resume?.target ?? job.target, resume?.modelOverride ?? job.model);
    env = compiled.project.env;
    const pipeline = withMaxCost(compiled.pipeline, job.maxCost);
    const { startRun } = await import('../run/run.js');
    // A resumed run continues the thread it was started with (kept in run.json).
    const thread = resume?.thread ?? job.thread;
    const ports = deps.ports(env, thread);
    // Stopped while it was being prepared: nothing has run yet (startRun would not see an earlier abort).
    if (signal.aborted) throw signal.reason;
    const result = await startRun({
      pipeline,
      target: job.target,
      inputs: resume?.inputs ?? job.inputs,
      ...(job.model ? { modelOverride: job.model } : {}),
      ...(thread !== undefined ? { thread } : {}),
      ports,
      env,
      signal,
      runId: job.id,
      // Serialised exactly as event-log.ts writes events.jsonl: the hub sends these lines as they are.
      onEvent: (event) => onLine(JSON.stringify(event)),
      ...(resume ? { resume } : {}),
    });
    const cancelled = signal.reason instanceof CancelledError && result.status === 'interrupted';
    const status: ApiRunStatus = cancelled ? 'cancelled' : result.status === 'budget-exceeded' ? 'failed' : result.status;
    const error = result.error ? redactSecrets(result.error.message, env) : undefined;
    return {
      status,
      endedAt: new Date().toISOString(),
      durationMs: result.durationMs,
      costUsd: result.costUsd,
      ...(status === 'succeeded' ? {} : { errorClass: cancelled ? 'cancelled' : errorClass(result.status, result.error) }),
      ...(error ? { error } : {}),
      costs: costsOf(result.state),
    };
  } catch (error) {
    // Config broken since submission, a lock held by another process, a bug: the run fails, serve lives on.
    const message = redactSecrets(error instanceof Error ? error.message : String(error), env);
    const status: ApiRunStatus = error instanceof CancelledError ? 'cancelled' : signal.aborted ? 'interrupted' : 'failed';
    return { status, endedAt: new Date().toISOString(), durationMs: Date.now() - startedAt, costUsd: job.costUsd, errorClass: status === 'cancelled' ? 'cancelled' : errorClass(status, error), error: message, costs: [] };
  }
}

/** A run's `max_cost` from the API can only tighten the pipeline's own limit. */
function withMaxCost(pipeline: CompiledPipeline, maxCost: number | undefined): CompiledPipeline {
  if (maxCost === undefined) return pipeline;
  const current = pipeline.limits.maxCostUsd;
  return { ...pipeline, limits: { ...pipeline.limits, maxCostUsd: current === undefined ? maxCost : Math.min(current, maxCost) } };
}

/** A short stable label for analytics: the provider error class, `budget`, `timeout`, or the error's name. */
export function errorClass(status: string, error: unknown): string {
  if (status === 'budget-exceeded') return 'budget';
  if (status === 'interrupted') return 'interrupted';
  if (error && typeof error === 'object') {
    if ('errorClass' in error && typeof error.errorClass === 'string') return error.errorClass;
    const message = error instanceof Error ? error.message : '';
    if (/timed out/.test(message)) return 'timeout';
    if (error instanceof Error && error.name !== 'Error') return error.name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase() || 'error';
  }
  return 'step_failed';
}

export function costsOf(state: RunState): RunCost[] {
  if (state.ledger === undefined) return [];
  const groups = new Map<string, RunCost>();
  for (const entry of CostLedger.fromJSON(state.ledger).entries) {
    const key = `${entry.agent}\u0000${entry.provider}\u0000${entry.model}`;
    const group = groups.get(key) ?? { agent: entry.agent, provider: entry.provider, model: entry.model, costUsd: 0, calls: 0 };
    group.costUsd += entry.costUsd;
    group.calls += 1;
    groups.set(key, group);
  }
  return [...groups.values()];
}
