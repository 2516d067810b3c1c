// The pipeline executor: runs the step DAG (a step starts when everything it needs has finished,
// up to the pipeline's concurrency), fans for_each steps out over their array, skips steps whose
// `when` is falsy, and feeds outputs to later steps. A failed step skips its dependants (they run
// on resume) and nothing else. A budget stop or an interrupt aborts everything in flight; finished
// work is saved first. A step's cost is charged as each call is paid, so a stopped step shows it.

import { BudgetExceededError, InterruptedError, AgentpipeError } from '../errors.js';
import type { CompiledPipeline, CompiledStep } from '../compile/ir.js';
import { emptyUsage, type Usage } from '../providers/types.js';
import { addUsage } from './agent-loop.js';
import type { EventSink, RunEventInput } from './events.js';
import { forEachList } from './for-each.js';
import { createLimiter, type Limiter } from './limiter.js';
import { newStepState, type ItemState, type RunState, type RunStatus, type StepState } from './state.js';
import type { RunStateWriter } from './store.js';

/** What templates see: `{{inputs.x}}`, `{{steps.id.output}}`, `{{item}}`. */
export interface TemplateContext {
  inputs: Record<string, unknown>;
  steps: Record<string, { output: unknown }>;
  item?: unknown;
  itemIndex?: number;
  run: { id: string };
  today: string;
}

export interface ItemOutcome {
  output: unknown;
  usage: Usage;
  costUsd: number;
  model?: string;
}

/** One paid model call of an item, reported as soon as it is priced. */
export interface ItemSpend {
  usage: Usage;
  costUsd: number;
  /** `provider/model` that answered. */
  model: string;
}

export interface PipelinePorts {
  /**
   * Runs the step's agent once (for one item of a for_each step, with the item in the context),
   * calling `onSpend` after each paid model call, also for an item that then fails or is stopped.
   */
  runItem(step: CompiledStep, label: string, context: TemplateContext, signal: AbortSignal, onSpend: (spend: ItemSpend) => void): Promise<ItemOutcome>;
  /** False when the step's `when` renders falsy. */
  evaluateWhen(step: CompiledStep, context: TemplateContext): boolean;
  /** Renders one of the template's `outputs`. */
  render(template: string, context: TemplateContext, source: CompiledPipeline['source']): string;
  /** The model a step will call first: the chain's first model that has its key and is not cooling down. */
  firstUsableModel?(chain: CompiledStep['agent']['chain']): string | undefined;
}

export interface ExecuteOptions {
  pipeline: CompiledPipeline;
  /** Fresh, or loaded from run.json on resume; updated in place and saved after every step and item. */
  state: RunState;
  /** Outputs of steps and items finished in an earlier attempt, keyed `id` and `id[index]`. */
  restoredOutputs: Map<string, unknown>;
  writer: RunStateWriter;
  ports: PipelinePorts;
  emit: EventSink;
  signal: AbortSignal;
  /**
   * Saves the run's final state once its outcome is known. When given, the step whose success ends
   * the run is not saved on its own: this save holds it (one write instead of two), and the step's
   * `step-end` event is emitted after it, so a step reported finished is always saved.
   */
  finish?(result: PipelineResult): Promise<void>;
}

export interface PipelineResult {
  status: Exclude<RunStatus, 'running'>;
  outputs: Record<string, unknown>;
  /** The error that stopped the run (budget, interrupt), or the first step failure. */
  error?: AgentpipeError | Error;
}

const finished = (status: StepState['status']) => status === 'succeeded' || status === 'failed' || status === 'skipped';

/** Failed, or skipped because something it needs failed: its dependants cannot run either. */
const blocks = (step: StepState | undefined) => step?.status === 'failed' || (step?.status === 'skipped' && step.blockedBy !== undefined);

export async function executePipeline(options: ExecuteOptions): Promise<PipelineResult> {
  const { pipeline, state, emit } = options;
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal.reason);
  options.signal.addEventListener('abort', onAbort, { once: true });
  // A stop that came while the run was being set up (lock, restore) fires no event any more.
  if (options.signal.aborted) onAbort();
  const context: TemplateContext = { inputs: state.inputs, steps: {}, run: { id: state.runId }, today: state.createdAt.slice(0, 10) };
  const limiter = createLimiter(pipeline.concurrency);
  let firstFailure: Error | undefined;

  for (const step of pipeline.steps) {
    const saved = state.steps[step.id];
    // A step that was running when the process died runs again (so does a failed one, and one skipped
    // because a need failed); its finished items and what it spent are kept.
    if (!saved || saved.status === 'running' || blocks(saved)) state.steps[step.id] = rerun(step.agent.name, saved);
    const current = state.steps[step.id]!;
    if (current.status === 'succeeded' || current.status === 'skipped') {
      context.steps[step.id] = { output: current.status === 'succeeded' ? options.restoredOutputs.get(step.id) : null };
      emit({ type: 'step-end', stepId: step.id, status: 'cached', costUsd: current.costUsd, usage: current.usage, durationMs: 0 });
    }
  }

  const running = new Map<string, Promise<void>>();
  /** The last step's step-end, emitted once `finish` has saved it. */
  const deferred: RunEventInput[] = [];
  // A step that succeeds or is skipped by its `when` saves the state itself; a failed, stopped or
  // blocked one changes it here, and the loop saves it then. The run's final save follows the loop.
  let unsaved = false;
  const launch = (step: CompiledStep) => {
    const started = performance.now();
    const work = runStep(step, options, context, limiter, controller.signal, deferred).catch((error: unknown) => {
      const stepState = state.steps[step.id]!;
      unsaved = true;
      if (isRunStop(error) || controller.signal.aborted) {
        if (!controller.signal.aborted) controller.abort(error);
        stepState.status = 'pending';
        stepState.stopped = toStopError(controller.signal.reason) instanceof BudgetExceededError ? 'budget' : 'interrupted';
        stepState.durationMs += Math.round(performance.now() - started);
        return;
      }
      stepState.status = 'failed';
      stepState.durationMs += Math.round(performance.now() - started);
      stepState.error = error instanceof Error ? error.message : String(error);
      firstFailure ??= error instanceof Error ? error : new Error(String(error));
      emit({ type: 'step-end', stepId: step.id, status: 'failed', costUsd: stepState.costUsd, usage: stepState.usage, durationMs: stepState.durationMs, error: stepState.error });
    });
    running.set(step.id, work.finally(() => running.delete(step.id)));
  };

  while (!controller.signal.aborted) {
    for (const step of pipeline.steps) {
      const stepState = state.steps[step.id]!;
      if (stepState.status !== 'pending' || running.has(step.id)) continue;
      const needs = step.needs.map((id) => state.steps[id]?.status ?? 'pending');
      if (!needs.every(finished)) continue;
      const failedNeed = step.needs.find((id) => blocks(state.steps[id]));
      if (failedNeed) {
        stepState.status = 'skipped';
        stepState.blockedBy = failedNeed;
        unsaved = true;
        emit({ type: 'step-end', stepId: step.id, status: 'skipped', costUsd: stepState.costUsd, usage: stepState.usage, durationMs: 0, reason: `needs ${failedNeed}, which ${state.steps[failedNeed]?.status === 'failed' ? 'failed' : 'was skipped'}` });
        continue;
      }
      launch(step);
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
    if (unsaved) {
      unsaved = false;
      await options.writer.save(state);
    }
  }
  await Promise.allSettled(running.values());
  options.signal.removeEventListener('abort', onAbort);

  const stop = controller.signal.aborted ? toStopError(controller.signal.reason) : undefined;
  const status: PipelineResult['status'] = stop instanceof BudgetExceededError ? 'budget-exceeded' : stop ? 'interrupted' : firstFailure ? 'failed' : 'succeeded';
  const outputs = status === 'succeeded' ? renderOutputs(pipeline, context, options.ports) : {};
  const result: PipelineResult = { status, outputs, ...(stop ? { error: stop } : firstFailure ? { error: firstFailure } : {}) };
  await options.finish?.(result);
  for (const event of deferred) emit(event);
  return result;
}

async function runStep(step: CompiledStep, options: ExecuteOptions, context: TemplateContext, limiter: Limiter, signal: AbortSignal, deferred: RunEventInput[]): Promise<void> {
  const { state, emit, writer } = options;
  const stepState = state.steps[step.id]!;
  stepState.status = 'running';
  delete stepState.stopped;
  const started = performance.now();
  if (step.when !== undefined && !options.ports.evaluateWhen(step, context)) {
    stepState.status = 'skipped';
    context.steps[step.id] = { output: null };
    emit({ type: 'step-end', stepId: step.id, status: 'skipped', costUsd: 0, usage: emptyUsage(), durationMs: 0 });
    await writer.save(state);
    return;
  }
  // The model it will really call first (a model without a key is skipped), not just the route's first.
  const firstModel = options.ports.firstUsableModel?.(step.agent.chain) ?? step.agent.chain.models[0]?.ref.id ?? step.agent.chain.name;
  emit({ type: 'step-start', stepId: step.id, agent: step.agent.name, model: firstModel });
  const charge = (spend: ItemSpend) => {
    stepState.costUsd += spend.costUsd;
    addUsage(stepState.usage, spend.usage);
    stepState.model = spend.model;
  };

  let output: unknown;
  if (step.forEach === undefined) {
    const outcome = await limiter.run(() => options.ports.runItem(step, step.id, context, signal, charge));
    output = outcome.output;
  } else {
    output = await runItems(step, options, context, limiter, signal, charge);
  }
  stepState.durationMs += Math.round(performance.now() - started);
  await writer.saveOutput(step.id, output);
  stepState.status = 'succeeded';
  context.steps[step.id] = { output };
  const end: RunEventInput = { type: 'step-end', stepId: step.id, status: 'succeeded', costUsd: stepState.costUsd, usage: stepState.usage, durationMs: stepState.durationMs };
  // Every other step is done: the run's final save (finish) follows at once and holds this one too.
  if (options.finish && options.pipeline.steps.every((other) => other.id === step.id || finished(state.steps[other.id]?.status ?? 'pending'))) {
    deferred.push(end);
    return;
  }
  await writer.save(state);
  emit(end);
}

async function runItems(
  step: CompiledStep,
  options: ExecuteOptions,
  context: TemplateContext,
  limiter: Limiter,
  signal: AbortSignal,
  charge: (spend: ItemSpend) => void,
): Promise<unknown[]> {
  const { state, writer } = options;
  const stepState = state.steps[step.id]!;
  const list = forEachList(step, context);
  stepState.itemCount = list.length;
  stepState.items ??= {};
  const items = stepState.items;
  const stepLimiter = createLimiter(step.concurrency);
  const outputs: unknown[] = new Array(list.length);
  const results = await Promise.allSettled(
    list.map(async (item, index) => {
      const label = `${step.id}[${index}]`;
      if (items[index]?.status === 'succeeded' && options.restoredOutputs.has(label)) {
        outputs[index] = options.restoredOutputs.get(label);
        return;
      }
      const started = performance.now();
      const itemContext: TemplateContext = { ...context, item, itemIndex: index };
      const outcome = await stepLimiter.run(() => limiter.run(() => options.ports.runItem(step, label, itemContext, signal, charge)));
      outputs[index] = outcome.output;
      const itemState: ItemState = { status: 'succeeded', costUsd: outcome.costUsd, usage: outcome.usage, durationMs: Math.round(performance.now() - started) };
      await writer.saveOutput(step.id, outcome.output, index);
      items[index] = itemState;
      await writer.save(state);
    }),
  );
  const rejected = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (rejected) throw rejected.reason;
  return outputs;
}

const isRunStop = (error: unknown) => error instanceof BudgetExceededError || error instanceof InterruptedError;

const toStopError = (reason: unknown): AgentpipeError => (reason instanceof AgentpipeError ? reason : new InterruptedError());

const keepSucceeded = (items: Record<string, ItemState>) => Object.fromEntries(Object.entries(items).filter(([, item]) => item.status === 'succeeded'));

/** A step to run (again): pending, with its finished items and what earlier attempts spent. */
function rerun(agent: string, saved: StepState | undefined): StepState {
  const fresh = newStepState(agent);
  if (!saved) return fresh;
  return { ...fresh, costUsd: saved.costUsd, usage: saved.usage, durationMs: saved.durationMs, ...(saved.model ? { model: saved.model } : {}), ...(saved.items ? { items: keepSucceeded(saved.items) } : {}) };
}

function renderOutputs(pipeline: CompiledPipeline, context: TemplateContext, ports: PipelinePorts): Record<string, unknown> {
  if (pipeline.kind === 'agent' || Object.keys(pipeline.outputs).length === 0) {
    const last = pipeline.steps.at(-1);
    return last ? { output: context.steps[last.id]?.output } : {};
  }
  return Object.fromEntries(Object.entries(pipeline.outputs).map(([name, template]) => [name, ports.render(template, context, pipeline.source)]));
}
