// One batch row (or one queued run): start or resume its run, and boil the run's result down to the
// line the results file holds. Shared by the local batch and the queue worker, so a row means the
// same thing wherever it ran.

import type { CompiledPipeline } from '../compile/ir.js';
import { CostLedger } from '../cost/ledger.js';
import { InterruptedError } from '../errors.js';
import type { EventListener } from '../run/event-log.js';
import type { RuntimePorts } from '../run/ports.js';
import { startRun, type RunResult } from '../run/run.js';
import type { RunState } from '../run/state.js';
import type { RunStore } from '../run/store.js';
import { redactSecrets, redactValue } from '../tools/redact.js';

/** `not-run`: the batch stopped (budget, Ctrl-C) before the row finished; a re-run resumes it. */
export type RowStatus = 'succeeded' | 'failed' | 'budget-exceeded' | 'interrupted' | 'invalid' | 'not-run';

/** One line of the results file (and of the ledgers). */
export interface RowResult {
  line: number;
  runId?: string;
  status: RowStatus;
  output?: unknown;
  error?: string;
  /** What kind of failure: a provider error class (rate_limited, timeout...), `budget`, `invalid-row`... */
  errorClass?: string;
  costUsd: number;
  durationMs?: number;
  /** Spend by provider/model. */
  costByModel?: Record<string, number>;
}

export interface RowRun {
  pipeline: CompiledPipeline;
  target: string;
  inputs: Record<string, unknown>;
  runId: string;
  /** The saved state of an earlier attempt, when there is one. */
  resume?: RunState;
  ports: RuntimePorts;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  store?: RunStore;
  modelOverride?: string;
  /** The conversation thread the run continues (kept in its state, so a resume continues it). */
  thread?: string;
  onEvent?: EventListener;
}

export async function runRow(line: number, row: RowRun): Promise<RowResult> {
  if (row.resume?.status === 'succeeded') return fromState(line, row.resume, row.env);
  const result = await startRun({
    pipeline: row.pipeline,
    target: row.target,
    inputs: row.inputs,
    ports: row.ports,
    env: row.env,
    signal: row.signal,
    runId: row.runId,
    ...(row.resume ? { resume: row.resume } : {}),
    ...(row.store ? { store: row.store } : {}),
    ...(row.modelOverride ? { modelOverride: row.modelOverride } : {}),
    ...(row.thread !== undefined ? { thread: row.thread } : {}),
    ...(row.onEvent ? { onEvent: row.onEvent } : {}),
  });
  return fromResult(line, result, row.env);
}

/** A template's outputs as one value: the agent's answer itself, or the named outputs. */
export function rowOutput(outputs: Record<string, unknown> | undefined): unknown {
  if (!outputs) return undefined;
  const names = Object.keys(outputs);
  return names.length === 1 && names[0] === 'output' ? outputs['output'] : outputs;
}

export function errorClassOf(error: unknown): string {
  if (error instanceof InterruptedError) return 'interrupted';
  if (error && typeof error === 'object' && 'errorClass' in error && typeof error.errorClass === 'string') return error.errorClass;
  if (error instanceof Error) return error.name === 'BudgetExceededError' ? 'budget' : error.name === 'Error' ? 'error' : error.name.replace(/Error$/, '').toLowerCase() || 'error';
  return 'error';
}

function costByModel(ledger: unknown): Record<string, number> {
  if (ledger === undefined) return {};
  const groups = CostLedger.fromJSON(ledger).groupBy('model');
  return Object.fromEntries([...groups].map(([model, totals]) => [model, totals.costUsd]));
}

function fromResult(line: number, result: RunResult, env: NodeJS.ProcessEnv): RowResult {
  const base: RowResult = { line, runId: result.runId, status: result.status, costUsd: result.costUsd, durationMs: result.durationMs, costByModel: costByModel(result.state.ledger) };
  if (result.status === 'succeeded') return { ...base, output: redactValue(rowOutput(result.outputs), env) };
  return { ...base, error: redactSecrets(result.error?.message ?? result.status, env), errorClass: errorClassOf(result.error) };
}

/** A run that finished before (a worker died between finishing it and recording it). */
function fromState(line: number, state: RunState, env: NodeJS.ProcessEnv): RowResult {
  const durationMs = Math.max(0, Date.parse(state.updatedAt) - Date.parse(state.createdAt));
  return { line, runId: state.runId, status: 'succeeded', output: redactValue(rowOutput(state.outputs), env), costUsd: state.costUsd, durationMs, costByModel: costByModel(state.ledger) };
}
