// The end of a run on the terminal: a table of steps (status, tokens, cost, time) on stderr, and the
// final output (the answer, or the template's outputs) on stdout.

import type { RunResult } from '../../run/run.js';
import type { StepState } from '../../run/state.js';
import { formatCost, formatDuration, totalTokens } from './format.js';

/** A step's status as the summary shows it. */
export function stepStatusText(step: StepState): string {
  if (step.status === 'pending') return step.stopped ?? 'not run';
  if (step.status === 'skipped' && step.blockedBy !== undefined) return 'skipped (needs failed)';
  return step.status;
}

export function formatSummary(result: RunResult, simulated = false): string {
  const rows = Object.entries(result.state.steps).map(([id, step]) => [
    id,
    stepStatusText(step),
    step.model ? `${step.model}${simulated ? ' (simulated)' : ''}` : '',
    `${totalTokens(step.usage)} tok`,
    formatCost(step.costUsd),
    formatDuration(step.durationMs),
  ]);
  const widths = rows.reduce<number[]>((max, row) => row.map((cell, index) => Math.max(cell.length, max[index] ?? 0)), []);
  const lines = rows.map((row) => `  ${row.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ')}`.trimEnd());
  const status = result.status === 'succeeded' ? 'done' : result.status;
  lines.push(`${simulated ? 'simulated run ' : ''}${status}: ${formatCost(result.costUsd)}${simulated ? ' (no model was called)' : ''} in ${formatDuration(result.durationMs)} (run ${result.runId})`);
  if (result.status !== 'succeeded' && result.error) lines.push(`agentpipe: ${result.error.message}`);
  // A simulated run resumes simulated (a real resume of it is refused: src/cli/commands/run.ts).
  if (result.status !== 'succeeded') lines.push(`resume with: agentpipe run --resume ${result.runId}${simulated ? ' --sim' : ''}`);
  return `${lines.join('\n')}\n`;
}

const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

/** One output prints as is; several print as `## name` sections. */
export function formatOutputs(outputs: Record<string, unknown>): string {
  const entries = Object.entries(outputs);
  if (entries.length === 0) return '';
  if (entries.length === 1) return `${asText(entries[0]![1]).replace(/\n?$/, '\n')}`;
  return entries.map(([name, value]) => `## ${name}\n\n${asText(value).replace(/\n?$/, '\n')}`).join('\n');
}
