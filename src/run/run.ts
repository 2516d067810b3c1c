// Starts or resumes a run: takes the run lock, sets up its folder, event log, audit log, ledger and
// budget, restores what an earlier attempt finished, executes the pipeline, saves the final state and
// releases the lock. The library entry point the CLI calls; it never exits the process.

import { appendFile } from 'node:fs/promises';
import type { CompiledPipeline } from '../compile/ir.js';
import { CostLedger } from '../cost/ledger.js';
import { RunFailedError } from '../errors.js';
import { AuditLog } from '../tools/audit.js';
import { redactSecrets } from '../tools/redact.js';
import { Budget } from './budget.js';
import { createEventLog, type EventListener } from './event-log.js';
import { newRunId } from './ids.js';
import { executePipeline, type PipelineResult } from './pipeline.js';
import type { RuntimePorts } from './ports.js';
import { budgetScopes, createItemRunner } from './step-runner.js';
import type { RunState } from './state.js';
import { fileRunStore, type RunStore } from './store.js';
import { tracingRequested } from '../telemetry/requested.js';
import type { RunTracer } from '../telemetry/tracing.js';
import type { EventSink } from './events.js';

export interface RunOptions {
  pipeline: CompiledPipeline;
  /** The agent or template file, relative to the project root (kept in run.json for resume). */
  target: string;
  inputs: Record<string, unknown>;
  modelOverride?: string;
  /** The conversation thread (`--thread`), kept in run.json so a resume continues it. */
  thread?: string;
  ports: RuntimePorts;
  /** The project's environment (process env plus .env): keys for providers, values to redact. */
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  onEvent?: EventListener;
  /** Tests: trace the run into this exporter (otherwise OTEL_EXPORTER_OTLP_ENDPOINT decides). */
  traceExporter?: import('@opentelemetry/sdk-trace').SpanExporter;
  /** State of the run to resume (from loadRunState; read again once the lock is held); a new run when absent. */
  resume?: RunState;
  /** Where state is kept: the run folder by default; Redis for queue workers. */
  store?: RunStore;
  /** The id of a new run, when the caller chose it (a queued job carries its run id). */
  runId?: string;
}

export interface RunResult extends PipelineResult {
  runId: string;
  state: RunState;
  costUsd: number;
  durationMs: number;
  /** A run that finished although an answer it kept took it past a max_cost: the message (exit 3). */
  budgetReached?: string;
}

export async function startRun(options: RunOptions): Promise<RunResult> {
  const runId = options.resume?.runId ?? options.runId ?? newRunId();
  const store = options.store ?? fileRunStore(options.pipeline.root);
  const lock = await store.own(runId);
  try {
    // Read the state again once owned: the copy passed in was loaded before, perhaps while
    // another process was still finishing steps.
    const resume = options.resume ? ((await store.load(runId)) ?? options.resume) : undefined;
    if (resume) await store.beforeResume(runId);
    return await runLocked(options, store, runId, resume, lock.takeover);
  } finally {
    await options.ports.dispose?.().catch(() => undefined);
    await lock.release();
  }
}

async function runLocked(options: RunOptions, store: RunStore, runId: string, resume: RunState | undefined, takeover: string | undefined): Promise<RunResult> {
  const { pipeline, env } = options;
  const files = store.files(runId);
  const started = performance.now();
  const now = new Date().toISOString();
  const state: RunState = resume ?? {
    version: 1,
    runId,
    target: options.target,
    kind: pipeline.kind,
    name: pipeline.name,
    status: 'running',
    createdAt: now,
    updatedAt: now,
    inputs: options.inputs,
    ...(options.modelOverride ? { modelOverride: options.modelOverride } : {}),
    ...(options.thread ? { thread: options.thread } : {}),
    steps: {},
    costUsd: 0,
    ledger: undefined,
    ...(options.ports.simulated ? { simulated: true as const } : {}),
  };
  state.status = 'running';
  delete state.error;
  // A queue worker's events go to the Redis stream only (no local run folder per job).
  const local = store.kind === 'file';
  const log = createEventLog(state.runId, local ? files.events : undefined, env, store.eventFlushMs === undefined ? {} : { flushMs: store.eventFlushMs });
  const mirror = store.eventListener?.(state.runId);
  if (mirror) log.subscribe(mirror);
  if (options.onEvent) log.subscribe(options.onEvent);
  const tracer = options.traceExporter || tracingRequested(env) ? await startTracing(options, log.emit) : undefined;
  if (tracer) log.subscribe(tracer.onEvent);
  const ledger = state.ledger === undefined ? new CostLedger() : CostLedger.fromJSON(state.ledger);
  indexedEntries.set(ledger, ledger.entries.length);
  const spent = () => ledger.total().costUsd;
  const writer = store.writer(runId, env, (current) => {
    current.ledger = ledger.toJSON();
    current.costUsd = spent();
  });
  const audit = new AuditLog(files.audit, env);
  const budget = new Budget(log.emit);
  const restoredOutputs = await restore(state, pipeline, budget, (stepId, index) => store.readOutput(runId, stepId, index));

  log.emit({ type: 'run-start', target: state.target, kind: pipeline.kind, resumed: resume !== undefined, ...(options.ports.simulated ? { simulated: true } : {}) });
  if (takeover) log.emit({ type: 'warning', message: takeover });
  await writer.save(state);
  // Every local run has an audit log, empty until a tool is called (a worker's is made on its first call).
  if (local) await appendFile(files.audit, '');
  const timeout = pipeline.limits.timeoutMs ? AbortSignal.timeout(pipeline.limits.timeoutMs) : undefined;
  const signal = timeout ? AbortSignal.any([options.signal, timeout]) : options.signal;
  const prompts = new Map<string, string>();
  const runItem = createItemRunner({ runId: state.runId, pipeline, ports: options.ports, budget, ledger, audit, emit: log.emit, env, onPrompt: (label, text) => prompts.set(label, text), ...(tracer ? { onRequest: tracer.onRequest } : {}) });
  // The final state, saved once the outcome is known (the pipeline saves its last step with it).
  let settled: PipelineResult | undefined;
  const finish = async (outcome: PipelineResult): Promise<void> => {
    settled = outcome;
    if (timeout?.aborted && !options.signal.aborted && outcome.status === 'interrupted') {
      settled = { ...outcome, status: 'failed', error: new RunFailedError(`run timed out after ${pipeline.limits.timeoutMs} ms (limits.timeout); finished steps are saved`) };
    }
    state.status = settled.status;
    if (settled.status === 'succeeded') state.outputs = settled.outputs;
    if (settled.error) state.error = redactSecrets(settled.error.message, env);
    await writer.save(state);
  };
  try {
    await executePipeline({ pipeline, state, restoredOutputs, writer, emit: log.emit, signal, finish, ports: { runItem, render: options.ports.render, evaluateWhen: options.ports.evaluateWhen, ...(options.ports.firstUsableModel ? { firstUsableModel: options.ports.firstUsableModel } : {}) } });
  } catch (error) {
    // The final save itself failed: the run cannot say it finished.
    if (settled) throw error;
    // A bug or an unexpected throw still leaves a saved, resumable state behind.
    await finish({ status: 'failed', outputs: {}, error: error instanceof Error ? error : new Error(String(error)) });
  }
  const result = settled!;
  const reached = result.status === 'succeeded' ? budget.reachedMessage() : undefined;
  if (reached) log.emit({ type: 'warning', message: reached });
  const durationMs = Math.round(performance.now() - started);
  log.emit({ type: 'run-end', status: result.status, costUsd: spent(), durationMs });
  await Promise.all([log.close(), audit.flush(), writer.flush(), tracer?.flush(), indexRun(pipeline, state, ledger, prompts).catch(() => undefined)]);
  return { ...result, runId: state.runId, state, costUsd: spent(), durationMs, ...(reached ? { budgetReached: reached } : {}) };
}

/**
 * Appends this attempt's calls to the ledger index (src/cost/ledger-index.ts) for `estimate` and
 * `runs stats`. Counts only; a failure to write it never fails the run.
 */
async function indexRun(pipeline: CompiledPipeline, state: RunState, ledger: CostLedger, prompts: ReadonlyMap<string, string>): Promise<void> {
  // A simulated run (`run --sim`) costs nothing and says nothing about real usage.
  if (state.simulated) return;
  const { appendIndex, promptHash, summariseRun } = await import('../cost/ledger-index.js');
  const providerTypes = new Map<string, string>();
  for (const step of pipeline.steps) for (const model of step.agent.chain.models) providerTypes.set(model.ref.id, model.provider.type);
  const sizes = new Map([...prompts].map(([label, text]) => [label, { chars: text.length, hash: promptHash(text) }]));
  const lines = summariseRun({
    runId: state.runId,
    status: state.status,
    steps: pipeline.steps.map((step) => ({ id: step.id, agent: step.agent.name, fanout: step.forEach !== undefined, search: step.agent.search.mode !== 'never', durationMs: state.steps[step.id]?.durationMs ?? 0 })),
    // A resumed run indexes only what this attempt called; earlier attempts indexed theirs.
    entries: ledger.entries.slice(indexedEntries.get(ledger) ?? 0),
    providerTypes,
    prompts: sizes,
  });
  await appendIndex(pipeline.root, lines);
}

const indexedEntries = new WeakMap<CostLedger, number>();

/** Reads the outputs of finished steps and items back (kept in the state, or in the store), and re-charges their cost to the budget scopes. */
async function restore(state: RunState, pipeline: CompiledPipeline, budget: Budget, readOutput: (stepId: string, itemIndex?: number) => Promise<unknown>): Promise<Map<string, unknown>> {
  const outputs = new Map<string, unknown>();
  for (const step of pipeline.steps) {
    const saved = state.steps[step.id];
    if (!saved) continue;
    if (saved.status === 'succeeded') {
      const output = saved.output !== undefined ? saved.output : await readOutput(step.id).catch(() => undefined);
      if (output === undefined) saved.status = 'pending';
      else outputs.set(step.id, output);
    }
    for (const [index, item] of Object.entries(saved.items ?? {})) {
      if (item.status !== 'succeeded') continue;
      const output = item.output !== undefined ? item.output : await readOutput(step.id, Number(index)).catch(() => undefined);
      if (output !== undefined) outputs.set(`${step.id}[${index}]`, output);
    }
    // Every attempt of the step counts against its limits, the step's and its agent's (a step keeps
    // what it spent across attempts); the run's total is restored below.
    for (const scope of budgetScopes(pipeline, step, step.id).slice(1)) budget.restore(scope.name, saved.costUsd);
  }
  budget.restore('run', state.costUsd);
  return outputs;
}

async function startTracing(options: RunOptions, emit: EventSink): Promise<RunTracer | undefined> {
  const { createRunTracer } = await import('../telemetry/tracing.js');
  return createRunTracer({
    env: options.env,
    redact: (text) => redactSecrets(text, options.env),
    ...(options.traceExporter ? { exporter: options.traceExporter } : {}),
    warn: (message) => emit({ type: 'warning', message }),
  });
}
