// One line of text per run event, for the plain (non-TTY) display and the TTY step lines.

import type { RunEvent } from '../../run/events.js';
import type { Usage } from '../../providers/types.js';
import { describeScope } from '../../run/budget.js';

import { formatUsd } from '../../cost/format-usd.js';

export const formatCost = (usd: number): string => formatUsd(usd);

export const totalTokens = (usage: Usage): number => usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;

export const formatDuration = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

/** Undefined for events not worth a line of their own (text deltas, usage). */
export function describeEvent(event: RunEvent): string | undefined {
  const where = event.stepId ? `[${event.stepId}] ` : '';
  switch (event.type) {
    case 'run-start':
      return `run ${event.runId}: ${event.kind} ${event.target}${event.resumed ? ' (resumed)' : ''}`;
    case 'run-end':
      return `run ${event.status}: ${formatCost(event.costUsd)} in ${formatDuration(event.durationMs)}`;
    case 'step-start':
      return `${where}started: agent ${event.agent} on ${event.model}`;
    case 'step-end': {
      if (event.status === 'skipped') return `${where}skipped${event.reason ? ` (${event.reason})` : ''}`;
      const error = event.error ? `: ${event.error}` : '';
      return `${where}${event.status}: ${totalTokens(event.usage)} tokens, ${formatCost(event.costUsd)}, ${formatDuration(event.durationMs)}${error}`;
    }
    case 'tool-call':
      return `${where}tool ${event.tool} ${JSON.stringify(event.input).slice(0, 120)}`;
    case 'tool-result':
      return `${where}tool ${event.tool} ${event.decision}${event.isError ? ' (error)' : ''}, ${event.outputBytes} bytes`;
    case 'model-call':
      return `${where}calling ${event.model} (attempt ${event.attempt})`;
    case 'model-retry':
      return `${where}retry ${event.model} after ${event.errorClass}${event.status ? ` ${event.status}` : ''}, waiting ${event.delayMs} ms`;
    case 'model-fallback':
      return `${where}fallback ${event.from} -> ${event.to} (${event.errorClass}${event.status ? ` ${event.status}` : ''})`;
    case 'model-skipped':
      return `${where}skipped ${event.model}: ${event.reason}`;
    case 'rate-limit-wait':
      return `${where}rate limit (${event.reason}) on ${event.provider}: waiting ${event.waitMs} ms`;
    case 'budget-warning':
      return `${where}budget warning: ${describeScope(event.scope)} has spent ${formatCost(event.spentUsd)} of its ${formatCost(event.limitUsd)} limit`;
    case 'search-start':
      return `${where}searching ${event.provider}: ${event.query}`;
    case 'search-end':
      return `${where}search: ${event.results} results${event.cached ? ' (cached)' : ''}`;
    case 'search-failed':
      return `${where}search failed (${event.provider}): ${event.error}`;
    case 'knowledge-retrieved':
      return `${where}knowledge: ${event.chunks} passage(s)${event.sources.length ? ` from ${event.sources.slice(0, 3).join(', ')}${event.sources.length > 3 ? ', …' : ''}` : ''}`;
    case 'thread-summarized':
      return `${where}thread ${event.thread}: ${event.turns} older turn(s) folded into the summary by ${event.model}`;
    case 'warning':
      return `${where}warning: ${event.message}`;
    case 'text-delta':
    case 'usage':
      return undefined;
  }
}
