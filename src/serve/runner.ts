// serve's in-process runner: submitted runs wait in a FIFO queue and at most `concurrency` run at
// once, each through the same library entry point as `agentpipe run` (startRun), with its events
// going to events.jsonl and to the EventHub for live followers. The index row moves
// queued -> running -> succeeded|failed|interrupted|cancelled. A serve killed mid-run leaves rows
// queued or running: `recover()` at the next start re-queues them, resuming from run.json.

import type { CompiledPipeline } from '../compile/ir.js';
import { CostLedger } from '../cost/ledger.js';
import { InterruptedError } from '../errors.js';
import type { RuntimePorts } from '../run/ports.js';
import { runFiles, loadRunState, type RunState } from '../run/state.js';
import { redactSecrets } from '../tools/redact.js';
import { prepareEventLog, type EventHub } from './event-hub.js';
import type { ServeProject } from './project.js';
import type { ApiRunStatus, IndexedRun, RunCost, RunIndex } from './run-index.js';

/** Why a run was stopped through the API: tells a cancel from a serve shutdown in the result. */
class CancelledError extends InterruptedError {
  constructor() {
    super('cancelled through the API; run state saved');
  }
}

interface Job {
  id: string;
  resume: boolean;
}

export interface RunnerOptions {
  project: ServeProject;
  index: RunIndex;
  hub: EventHub;
  concurrency: number;
  /** Builds the model, tool and search ports; one set is shared by every run (SDK clients are reused). */
  ports: (env: NodeJS.ProcessEnv) => RuntimePorts;
}

export class Runner {
  private readonly queue: Job[] = [];
  private readonly running = new Map<string, AbortController>();
  private readonly settled = new Set<Promise<void>>();
  private ports: RuntimePorts | undefined;
  private stopping = false;

  constructor(private readonly options: RunnerOptions) {}

  get queued(): number {
    return this.queue.length;
  }

  get active(): number {
    return this.running.size;
  }

  /** Queues a new run already inserted in the index as `queued`. */
  enqueue(id: string): void {
    this.options.hub.open(id, 0);
    this.queue.push({ id, resume: false });
    this.pump();
  }

  /** Queues a finished, failed or stopped run again; it continues from its run.json. */
  async resume(run: IndexedRun): Promise<void> {
    const base = await prepareEventLog(runFiles(this.options.project.root, run.id).events);
    this.options.index.setStatus(run.id, 'queued');
    this.options.hub.open(run.id, base);
    this.queue.push({ id: run.id, resume: true });
    this.pump();
  }

  /** Stops a queued or running run. Returns false when it is neither. */
  cancel(id: string): boolean {
    const position = this.queue.findIndex((job) => job.id === id);
    if (position >= 0) {
      this.queue.splice(position, 1);
      this.options.index.finish(id, { status: 'cancelled', endedAt: new Date().toISOString(), durationMs: 0, costUsd: this.options.index.get(id)?.costUsd ?? 0, errorClass: 'cancelled', error: 'cancelled before it started', costs: [] });
      this.options.hub.finish(id);
      return true;
    }
    const controller = this.running.get(id);
    if (!controller) return false;
    controller.abort(new CancelledError());
    return true;
  }

  /** Picks up what a killed serve left: queued runs start, running ones resume from run.json. */
  async recover(): Promise<number> {
    const left = this.options.index.unfinished();
    for (const run of left) {
      if (run.attempts > 0) await this.resume(run);
      else this.enqueue(run.id);
    }
    return left.length;
  }

  /** Stops taking jobs and interrupts the running ones (their state is saved); resolves when they have. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const controller of this.running.values()) controller.abort(new InterruptedError('serve is shutting down; run state saved'));
    await Promise.all([...this.settled]);
  }

  private pump(): void {
    while (!this.stopping && this.running.size < this.options.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      const controller = new AbortController();
      this.running.set(job.id, controller);
      const done = this.execute(job, controller.signal).finally(() => {
        this.running.delete(job.id);
        this.settled.delete(done);
        this.pump();
      });
      this.settled.add(done);
    }
  }

  private async execute(job: Job, signal: AbortSignal): Promise<void> {
    const { index, hub, project } = this.options;
    const run = index.get(job.id);
    if (!run) return hub.finish(job.id);
    const startedAt = new Date().toISOString();
    index.markRunning(job.id, startedAt);
    let env: NodeJS.ProcessEnv = process.env;
    try {
      const resume = job.resume ? await loadRunState(project.root, job.id).catch(() => undefined) : undefined;
      const compiled = await project.pipeline(resume?.target ?? run.target, resume?.modelOverride ?? run.model);
      env = compiled.project.env;
      const pipeline = withMaxCost(compiled.pipeline, run.maxCost);
      const { startRun } = await import('../run/run.js');
      this.ports ??= this.options.ports(env);
      // Stopped while it was being prepared: nothing has run yet (startRun would not see an earlier abort).
      if (signal.aborted) throw signal.reason;
      const result = await startRun({
        pipeline,
        target: run.target,
        inputs: resume?.inputs ?? run.inputs,
        ...(run.model ? { modelOverride: run.model } : {}),
        ports: this.ports,
        env,
        signal,
        runId: job.id,
        onEvent: (event) => hub.push(job.id, event),
        ...(resume ? { resume } : {}),
      });
      const cancelled = signal.reason instanceof CancelledError && result.status === 'interrupted';
      const status: ApiRunStatus = cancelled ? 'cancelled' : result.status === 'budget-exceeded' ? 'failed' : result.status;
      const error = result.error ? redactSecrets(result.error.message, env) : undefined;
      index.finish(job.id, {
        status,
        endedAt: new Date().toISOString(),
        durationMs: result.durationMs,
        costUsd: result.costUsd,
        ...(status === 'succeeded' ? {} : { errorClass: cancelled ? 'cancelled' : errorClass(result.status, result.error) }),
        ...(error ? { error } : {}),
        costs: costsOf(result.state),
      });
    } catch (error) {
      // Config broken since submission, a lock held by another process, a bug: the run fails, serve lives on.
      const message = redactSecrets(error instanceof Error ? error.message : String(error), env);
      const status: ApiRunStatus = error instanceof CancelledError ? 'cancelled' : signal.aborted ? 'interrupted' : 'failed';
      index.finish(job.id, { status, endedAt: new Date().toISOString(), durationMs: Date.now() - Date.parse(startedAt), costUsd: run.costUsd, errorClass: status === 'cancelled' ? 'cancelled' : errorClass(status, error), error: message, costs: [] });
    } finally {
      hub.finish(job.id);
    }
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
