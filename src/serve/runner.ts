// serve's runner: submitted runs wait in a FIFO queue on the HTTP thread and at most `concurrency`
// run at once. Where they run is the executor's business: in run worker threads (`--workers N`,
// the default: one), so the HTTP event loop only does HTTP, or on the HTTP thread itself
// (`--workers 0`). Either way each run goes through the same library entry point as
// `agentpipe run` (startRun, in run-exec.ts), its events go to events.jsonl and to the EventHub
// for live followers, and the index row moves queued -> running -> succeeded|failed|interrupted|
// cancelled. A serve killed mid-run leaves rows queued or running: `recover()` at the next start
// re-queues them, resuming from run.json. A worker thread that dies mid-run (a crash, its heap
// limit) marks its runs interrupted, with their state kept for a resume, and is replaced.

import { unlink } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { RuntimePorts } from '../run/ports.js';
import { loadRunState, runFiles } from '../run/state.js';
import { prepareEventLog, type EventHub } from './event-hub.js';
import type { ServeProject } from './project.js';
import { abortReason, costsOf, executeRun, type RunJob, type RunOutcome } from './run-exec.js';
import type { FromWorker, RunWorkerData, ToWorker } from './run-protocol.js';
import type { IndexedRun, RunIndex } from './run-index.js';
import { redactSecrets } from '../tools/redact.js';
import { AgentpipeError, ExitCode } from '../errors.js';

export { costsOf, errorClass } from './run-exec.js';

interface Job {
  id: string;
  resume: boolean;
}

/** Where runs execute: this thread, or a pool of worker threads. */
export interface RunExecutor {
  /** Resolves when the executor can take runs (workers have loaded the project). */
  ready(): Promise<void>;
  /** Runs the job; `onLines` gets its events in order, all before the outcome resolves. Rejects only when the thread running it died. */
  start(job: RunJob, onLines: (lines: string[]) => void): Promise<RunOutcome>;
  abort(id: string, kind: 'cancel' | 'shutdown'): void;
  close(): Promise<void>;
}

export interface RunnerOptions {
  project: ServeProject;
  index: RunIndex;
  hub: EventHub;
  concurrency: number;
  executor: RunExecutor;
}

export class Runner {
  private readonly queue: Job[] = [];
  private readonly running = new Set<string>();
  private readonly settled = new Set<Promise<void>>();
  private stopping = false;
  private pumpScheduled = false;

  constructor(private readonly options: RunnerOptions) {}

  get queued(): number {
    return this.queue.length;
  }

  get active(): number {
    return this.running.size;
  }

  get executor(): RunExecutor {
    return this.options.executor;
  }

  /** Queues a new run already inserted in the index as `queued`. */
  enqueue(id: string): void {
    this.options.hub.open(id, 0);
    this.queue.push({ id, resume: false });
    this.schedulePump();
  }

  /** Queues a finished, failed or stopped run again; it continues from its run.json. */
  async resume(run: IndexedRun): Promise<void> {
    const base = await prepareEventLog(runFiles(this.options.project.root, run.id).events);
    this.options.index.setStatus(run.id, 'queued');
    this.options.hub.open(run.id, base);
    this.queue.push({ id: run.id, resume: true });
    this.schedulePump();
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
    if (!this.running.has(id)) return false;
    this.options.executor.abort(id, 'cancel');
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
    for (const id of this.running) this.options.executor.abort(id, 'shutdown');
    await Promise.all([...this.settled]);
    await this.options.executor.close();
  }

  /**
   * Starts queued runs once the current request is answered: a submit's 202 waits for its insert
   * into the index, not for the run's start (another index write, the message to a worker).
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (!this.stopping && this.running.size < this.options.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running.add(job.id);
      const done = this.execute(job).finally(() => {
        this.running.delete(job.id);
        this.settled.delete(done);
        this.pump();
      });
      this.settled.add(done);
    }
  }

  private async execute(job: Job): Promise<void> {
    const { index, hub, executor } = this.options;
    const run = index.get(job.id);
    if (!run) return hub.finish(job.id);
    const startedAt = Date.now();
    index.markRunning(job.id, new Date(startedAt).toISOString());
    try {
      const outcome = await executor.start(
        { id: run.id, resume: job.resume, target: run.target, inputs: run.inputs, costUsd: run.costUsd, ...(run.model ? { model: run.model } : {}), ...(run.maxCost !== undefined ? { maxCost: run.maxCost } : {}), ...(run.thread !== undefined ? { thread: run.thread } : {}) },
        (lines) => hub.pushLines(job.id, lines),
      );
      index.finish(job.id, outcome);
    } catch (error) {
      // The thread running it died: what run.json holds (every finished step, the cost so far) is kept.
      const state = await loadRunState(this.options.project.root, job.id).catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      index.finish(job.id, { status: 'interrupted', endedAt: new Date().toISOString(), durationMs: Date.now() - startedAt, costUsd: state?.costUsd ?? run.costUsd, errorClass: 'worker_exit', error: message, costs: state ? costsOf(state) : [] });
    } finally {
      hub.finish(job.id);
    }
  }
}

/** `--workers 0`: runs share the HTTP thread (and its event loop) with the requests. */
export class InlineExecutor implements RunExecutor {
  private readonly controllers = new Map<string, AbortController>();

  constructor(
    private readonly project: ServeProject,
    private readonly makePorts: (env: NodeJS.ProcessEnv, thread: string | undefined) => RuntimePorts,
  ) {}

  async ready(): Promise<void> {
    await import('../run/run.js');
  }

  async start(job: RunJob, onLines: (lines: string[]) => void): Promise<RunOutcome> {
    const controller = new AbortController();
    this.controllers.set(job.id, controller);
    try {
      return await executeRun({ project: this.project, ports: (env, thread) => this.makePorts(env, thread) }, job, controller.signal, (line) => onLines([line]));
    } finally {
      this.controllers.delete(job.id);
    }
  }

  abort(id: string, kind: 'cancel' | 'shutdown'): void {
    this.controllers.get(id)?.abort(abortReason(kind));
  }

  async close(): Promise<void> {}
}

interface Pending {
  onLines: (lines: string[]) => void;
  resolve: (outcome: RunOutcome) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  jobs: Map<string, Pending>;
  ready: Promise<void>;
  /** The last uncaught error of the thread, for the runs it takes down. */
  failure?: string;
  /** It said ready: only a thread that started once is replaced when it dies. */
  started: boolean;
}

/** The built worker script: next to this module in dist/, or dist/ itself when this runs from src/ (tests). */
export function runWorkerUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('../../dist/serve/run-worker.js', import.meta.url) : new URL('./run-worker.js', import.meta.url);
}

export interface WorkerPoolOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  threads: number;
  /** Heap limit of each worker thread (V8 old generation), MiB. */
  heapMb: number;
  simulated?: boolean;
}

/** `--workers N`: runs go to the least busy of N worker threads. */
export class WorkerPool implements RunExecutor {
  readonly slots: Slot[] = [];
  private closing = false;
  /** Threads that died and were replaced (for tests and the log). */
  replaced = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    for (let index = 0; index < options.threads; index++) this.slots.push(this.spawn());
  }

  /** Rejects when a thread could not start (it died before loading: a broken install, no dist/). */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.ready));
    const failed = this.slots.find((slot) => !slot.started);
    if (failed) throw new AgentpipeError(`serve: a run worker thread could not start (${failed.failure ?? 'it exited'}); check that agentpipe is installed completely (npm run build in a checkout), or run pipelines on the HTTP thread with --workers 0`, ExitCode.runFailed);
  }

  start(job: RunJob, onLines: (lines: string[]) => void): Promise<RunOutcome> {
    let slot = this.slots[0]!;
    for (const candidate of this.slots) if (candidate.jobs.size < slot.jobs.size) slot = candidate;
    return new Promise<RunOutcome>((resolve, reject) => {
      slot.jobs.set(job.id, { onLines, resolve, reject });
      slot.worker.postMessage({ type: 'run', job } satisfies ToWorker);
    });
  }

  /** Heap in use by each thread, bytes (NaN for one that cannot answer). */
  heapUsed(): Promise<number[]> {
    return Promise.all(this.slots.map((slot) => slot.worker.getHeapStatistics().then((stats) => stats.used_heap_size, () => Number.NaN)));
  }

  abort(id: string, kind: 'cancel' | 'shutdown'): void {
    for (const slot of this.slots) if (slot.jobs.has(id)) slot.worker.postMessage({ type: 'abort', id, kind } satisfies ToWorker);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Slot {
    const { root, env, heapMb, simulated } = this.options;
    const worker = new Worker(runWorkerUrl(), {
      workerData: { root, env, ...(simulated ? { simulated } : {}) } satisfies RunWorkerData,
      // Young generation as the HTTP thread's (bin/agentpipe.js): 16 MiB semi-spaces (V8 counts three
      // of them), not the 1 MiB it derives from a 128 MiB old generation.
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 48 },
      // The thread's own stdout/stderr go to the process's; nothing else of the parent is shared.
      env: { ...env },
    });
    let markReady: () => void = () => undefined;
    const slot: Slot = { worker, jobs: new Map(), started: false, ready: new Promise<void>((resolve) => (markReady = resolve)) };
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        slot.started = true;
        markReady();
      }
      else if (message.type === 'lines') slot.jobs.get(message.id)?.onLines(message.lines);
      else {
        const pending = slot.jobs.get(message.id);
        slot.jobs.delete(message.id);
        pending?.resolve(message.outcome);
      }
    });
    worker.on('error', (error) => (slot.failure = redactSecrets(error instanceof Error ? `${error.name}: ${error.message}` : String(error), env)));
    worker.on('exit', (code) => {
      markReady();
      if (this.closing && slot.jobs.size === 0) return;
      void this.died(slot, code);
    });
    return slot;
  }

  /** A thread ended with runs in flight: they end interrupted (their run.json keeps every finished step) and a new thread takes its place. */
  private async died(slot: Slot, code: number): Promise<void> {
    const position = this.slots.indexOf(slot);
    if (position >= 0 && !this.closing && slot.started) {
      this.slots[position] = this.spawn();
      this.replaced++;
    }
    const jobs = [...slot.jobs];
    slot.jobs.clear();
    for (const [id, pending] of jobs) {
      // The dead thread held the run lock for this process, which lives on: remove it, or a resume would find it "running".
      await unlink(runFiles(this.options.root, id).lock).catch(() => undefined);
      pending.reject(new Error(`the run worker thread exited (code ${code}${slot.failure ? `, ${slot.failure}` : ''}) while this run was in flight; its finished steps are saved: resume it with POST /v1/runs/${id}/resume`));
    }
  }
}
