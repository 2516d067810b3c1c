// The assertions of a test file's `expect:` list, evaluated against what one run did. Each returns
// the failures it found (an empty list when it holds), so that every failing assertion is reported.

import type { TestFile } from '../validate/types.gen.js';

export type Expectation = TestFile['expect'][number];

export interface RunFacts {
  status: string;
  /** The run's outputs: an agent's one output, or a template's named outputs. */
  outputs: Record<string, unknown>;
  toolCalls: Array<{ tool: string; input: unknown }>;
  modelCalls: number;
  costUsd: number;
  steps: Record<string, string>;
  error?: string;
}

const show = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 200 ? `${JSON.stringify(text.slice(0, 200))}…` : JSON.stringify(text);
};

/** `answer`, `$.sources[0]`, `items.2.name` -> the value there, or undefined. */
export function valueAt(value: unknown, path: string): unknown {
  const keys = path.replace(/^\$\.?/, '').split(/\.|\[(\d+)\]/).filter((key) => key !== undefined && key !== '');
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function parsed(output: unknown): unknown {
  if (typeof output !== 'string') return output;
  try {
    return JSON.parse(output) as unknown;
  } catch {
    return output;
  }
}

/** Does `actual` include every key and value of `expected` (recursively)? */
function includes(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return actual === expected || (typeof actual === 'string' && typeof expected !== 'string' && actual === String(expected));
  if (actual === null || typeof actual !== 'object') return false;
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.every((item, index) => includes(actual[index], item));
  return Object.entries(expected).every(([key, item]) => includes((actual as Record<string, unknown>)[key], item));
}

type Validate = (schema: Record<string, unknown>, value: unknown) => string | undefined;

function outputOf(facts: RunFacts, name: string | undefined): { value?: unknown; problem?: string } {
  const entries = Object.entries(facts.outputs);
  if (name !== undefined) return name in facts.outputs ? { value: facts.outputs[name] } : { problem: `the run has no output \`${name}\` (outputs: ${entries.map(([key]) => key).join(', ') || 'none'})` };
  if (entries.length === 1) return { value: entries[0]![1] };
  if (entries.length === 0) return { problem: `the run has no output (status ${facts.status}${facts.error ? `: ${facts.error}` : ''})` };
  return { problem: `the run has ${entries.length} outputs (${entries.map(([key]) => key).join(', ')}): name one with \`output: <name>\`` };
}

function checkOutput(match: NonNullable<Expectation['output']>, facts: RunFacts, validate: Validate): string[] {
  const { value: raw, problem } = outputOf(facts, match.output);
  if (problem) return [problem];
  const where = match.path !== undefined ? `output at ${match.path}` : 'output';
  const value = match.path !== undefined ? valueAt(parsed(raw), match.path) : raw;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const failures: string[] = [];
  if ('equals' in match) {
    const equal = match.path !== undefined || typeof match.equals !== 'string' ? JSON.stringify(value) === JSON.stringify(match.equals) : text === match.equals;
    if (!equal) failures.push(`${where} should equal ${show(match.equals)}, got ${show(value)}`);
  }
  if (match.contains !== undefined && !(text ?? '').includes(match.contains)) failures.push(`${where} should contain ${show(match.contains)}, got ${show(value)}`);
  if (match.not_contains !== undefined && (text ?? '').includes(match.not_contains)) failures.push(`${where} should not contain ${show(match.not_contains)}`);
  if (match.regex !== undefined && !new RegExp(match.regex).test(text ?? '')) failures.push(`${where} should match /${match.regex}/, got ${show(value)}`);
  if (match.schema !== undefined) {
    const error = validate(match.schema, parsed(value));
    if (error) failures.push(`${where} is not valid against the schema: ${error}`);
  }
  return failures;
}

type ToolMatch = NonNullable<Expectation['tool_called']>;

function checkTool(match: ToolMatch, facts: RunFacts, called: boolean): string[] {
  const { name, args, times } = typeof match === 'string' ? { name: match, args: undefined, times: undefined } : match;
  const matching = facts.toolCalls.filter((call) => call.tool === name && (args === undefined || includes(call.input, args)));
  const what = `tool \`${name}\`${args !== undefined ? ` with ${JSON.stringify(args)}` : ''}`;
  const seen = facts.toolCalls.length ? facts.toolCalls.map((call) => `${call.tool} ${JSON.stringify(call.input)}`).join('; ') : 'none';
  if (!called) return matching.length > 0 ? [`${what} should not be called; it was called ${matching.length} time(s)`] : [];
  if (times !== undefined) return matching.length === times ? [] : [`${what} should be called ${times} time(s), was called ${matching.length} (calls: ${seen})`];
  return matching.length > 0 ? [] : [`${what} should be called; calls: ${seen}`];
}

function checkRange(label: string, actual: number, range: { min?: number; max?: number; equals?: number }, format: (value: number) => string): string[] {
  const failures: string[] = [];
  if (range.equals !== undefined && actual !== range.equals) failures.push(`${label} should be ${format(range.equals)}, was ${format(actual)}`);
  if (range.min !== undefined && actual < range.min) failures.push(`${label} should be at least ${format(range.min)}, was ${format(actual)}`);
  if (range.max !== undefined && actual > range.max) failures.push(`${label} should be at most ${format(range.max)}, was ${format(actual)}`);
  return failures;
}

export function checkExpectation(expectation: Expectation, facts: RunFacts, validate: Validate): string[] {
  // A run that ended without outputs is reported once, by the runner.
  if (expectation.output) return facts.status !== 'succeeded' && Object.keys(facts.outputs).length === 0 ? [] : checkOutput(expectation.output, facts, validate);
  if (expectation.tool_called !== undefined) return checkTool(expectation.tool_called, facts, true);
  if (expectation.tool_not_called !== undefined) return checkTool(expectation.tool_not_called, facts, false);
  if (expectation.calls) return checkRange('model calls', facts.modelCalls, expectation.calls, String);
  if (expectation.cost) return checkRange('cost', facts.costUsd, expectation.cost, (value) => `$${value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')}`);
  if (expectation.status) return facts.status === expectation.status ? [] : [`the run should end ${expectation.status}, it ended ${facts.status}${facts.error ? `: ${facts.error}` : ''}`];
  if (expectation.steps) {
    const failures: string[] = [];
    for (const status of ['succeeded', 'failed', 'skipped'] as const) {
      for (const id of expectation.steps[status] ?? []) {
        const actual = facts.steps[id];
        if (actual !== status) failures.push(`step \`${id}\` should have ${status}, it ${actual ? `${actual}` : 'did not run'}`);
      }
    }
    return failures;
  }
  return [];
}
