// Everything before a batch spends anything: load and compile the target once, read the rows,
// check each against the target's inputs (a bad row is `rows.jsonl:3: ...`, never fatal unless
// --strict), name the batch (its id keys the ledger that makes a re-run resume), and price it.

import { createHash } from 'node:crypto';
import { relative, resolve } from 'node:path';
import { resolveInputs } from '../compile/inputs.js';
import { estimatePipeline } from '../cost/estimate.js';
import { TokenCounter } from '../cost/tokens.js';
import { prepareRun, type PreparedRun } from '../run/prepare.js';
import { readInputRows, type InputRow } from './inputs.js';
import type { RowResult } from './row.js';

export interface ValidRow {
  line: number;
  hash: string;
  inputs: Record<string, unknown>;
}

export interface BatchPlan {
  prepared: PreparedRun;
  /** The inputs file as the user wrote it, for messages. */
  inputsName: string;
  batchId: string;
  valid: ValidRow[];
  /** Rows that cannot run, as result lines (status `invalid`), with `file:line: problem` errors. */
  invalid: RowResult[];
  total: number;
}

export interface PlanOptions {
  file: string;
  inputs: string;
  modelOverride?: string;
  /** The client of a queue calls nothing itself: the workers need the keys, not it. */
  callsNothing?: boolean;
  /** `--sim`: a batch of its own, so simulated rows never count as done for a real batch. */
  simulated?: boolean;
  cwd?: string;
}

export async function planBatch(options: PlanOptions): Promise<BatchPlan> {
  const cwd = options.cwd ?? process.cwd();
  const prepared = await prepareRun({ file: options.file, mode: 'estimate', callsNothing: options.callsNothing === true, cwd, ...(options.modelOverride ? { modelOverride: options.modelOverride } : {}) });
  const inputsPath = resolve(cwd, options.inputs);
  const rows = await readInputRows(inputsPath);
  const inputsName = options.inputs;
  const valid: ValidRow[] = [];
  const invalid: RowResult[] = [];
  for (const row of rows) {
    const problem = row.problem ?? checkRow(prepared, row);
    if (problem !== undefined) invalid.push({ line: row.line, status: 'invalid', error: `${inputsName}:${row.line}: ${problem}`, errorClass: 'invalid-row', costUsd: 0 });
    else valid.push({ line: row.line, hash: row.hash, inputs: resolveInputs(prepared.pipeline.inputs, row.values ?? {}, { mode: 'run' }) });
  }
  const identity = [prepared.root, prepared.target, relative(prepared.root, inputsPath), options.modelOverride ?? '', ...(options.simulated ? ['simulated'] : [])].join('\0');
  const batchId = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  return { prepared, inputsName, batchId, valid, invalid, total: rows.length };
}

function checkRow(prepared: PreparedRun, row: InputRow): string | undefined {
  try {
    resolveInputs(prepared.pipeline.inputs, row.values ?? {}, { mode: 'run' });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.replace(/ \(pass --input .*\)$/, '') : String(error);
  }
}

export interface BatchEstimate {
  rows: number;
  /** Estimated from `sampled` rows, scaled to `rows`. */
  sampled: number;
  expectedUsd: number;
  worstUsd: number;
}

/** Prices a sample of rows (at most `sample`, spread over the batch) and scales it to every row. */
export async function estimateBatch(plan: BatchPlan, rows: ValidRow[], sample = 20): Promise<BatchEstimate> {
  if (rows.length === 0) return { rows: 0, sampled: 0, expectedUsd: 0, worstUsd: 0 };
  const step = Math.max(1, Math.floor(rows.length / sample));
  const picked = rows.filter((_, index) => index % step === 0).slice(0, sample);
  let expected = 0;
  let worst = 0;
  // One counter for every sampled row: the layers and prompts they share are counted once.
  const counter = new TokenCounter();
  for (const row of picked) {
    const report = await estimatePipeline(plan.prepared.pipeline, { inputs: row.inputs, counter });
    expected += report.totalUsd.expected;
    worst += report.totalUsd.worst;
  }
  const scale = rows.length / picked.length;
  return { rows: rows.length, sampled: picked.length, expectedUsd: expected * scale, worstUsd: worst * scale };
}
