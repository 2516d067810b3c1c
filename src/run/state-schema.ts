// run.json is read back on resume and by `runs`, so it is input like any other: a hand-edited,
// truncated or corrupted file must be refused in one line, never crash a resume, and never let a
// broken ledger (costUsd "NaN") through to a budget check that then lets paid calls happen.

import Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { RunState } from './state.js';

const money = { type: 'number', minimum: 0, maximum: 1e9 };
const count = { type: 'number', minimum: 0, maximum: 1e15 };
const text = { type: 'string', maxLength: 1_000_000 };
const usage = {
  type: 'object',
  required: ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens'],
  properties: { inputTokens: count, outputTokens: count, cacheReadTokens: count, cacheWriteTokens: count },
};
const item = {
  type: 'object',
  required: ['status', 'costUsd', 'usage', 'durationMs'],
  properties: { status: { enum: ['succeeded', 'failed'] }, costUsd: money, usage, durationMs: count, error: text },
};
const step = {
  type: 'object',
  required: ['status', 'agent', 'costUsd', 'usage', 'durationMs'],
  properties: {
    status: { enum: ['pending', 'running', 'succeeded', 'failed', 'skipped'] },
    agent: text,
    model: text,
    costUsd: money,
    usage,
    durationMs: count,
    error: text,
    stopped: { enum: ['budget', 'interrupted'] },
    blockedBy: text,
    itemCount: { type: 'integer', minimum: 0, maximum: 1e7 },
    items: { type: 'object', propertyNames: { pattern: '^(0|[1-9][0-9]{0,7})$' }, additionalProperties: item },
  },
};
const ledgerEntry = {
  type: 'object',
  required: ['runId', 'stepId', 'agent', 'provider', 'model', 'usage', 'costUsd', 'time'],
  properties: { runId: text, stepId: text, agent: text, provider: text, model: text, usage, costUsd: money, time: text },
};

export const runStateSchema = {
  type: 'object',
  required: ['version', 'runId', 'target', 'kind', 'name', 'status', 'createdAt', 'updatedAt', 'inputs', 'steps', 'costUsd'],
  properties: {
    version: { const: 1 },
    runId: { type: 'string', pattern: '^[0-9]{8}-[0-9]{6}-[0-9]{3}-[0-9a-f]{6}$' },
    target: { type: 'string', minLength: 1, maxLength: 4096 },
    kind: { enum: ['agent', 'template'] },
    name: text,
    status: { enum: ['running', 'succeeded', 'failed', 'budget-exceeded', 'interrupted'] },
    createdAt: text,
    updatedAt: text,
    inputs: { type: 'object' },
    modelOverride: text,
    steps: { type: 'object', propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_-]{0,199}$' }, additionalProperties: step },
    costUsd: money,
    ledger: { type: 'object', required: ['version', 'entries'], properties: { version: { const: 1 }, entries: { type: 'array', items: ledgerEntry } } },
    outputs: { type: 'object' },
    error: text,
  },
} as const;

let validator: ValidateFunction | undefined;

function describe(error: ErrorObject): string {
  const where = error.instancePath || 'the top level';
  return `${where}: ${error.message ?? 'is invalid'}`;
}

/** Undefined when `value` is a well-formed run state of run `runId`, else what is wrong, in a few words. */
export function runStateProblem(value: unknown, runId: string): string | undefined {
  validator ??= new Ajv2020.default({ allErrors: false, strict: false }).compile(runStateSchema);
  if (!validator(value)) return describe(validator.errors?.[0] ?? ({ instancePath: '', message: 'is invalid' } as ErrorObject));
  const state = value as RunState;
  if (state.runId !== runId) return `runId is ${state.runId}, but the folder is ${runId}`;
  return undefined;
}
