// Renders an EstimateReport as text (terminal), markdown (a PR comment) or JSON.

import type { EstimateReport } from './estimate.js';
import type { Tier } from './estimate-math.js';

export type EstimateFormat = 'text' | 'json' | 'markdown';

import { formatUsd as formatDollars } from './format-usd.js';

/** Dollars for estimates: a tenth of a cent under $10, two significant digits under a cent. */
export const formatUsd = (value: number): string => formatDollars(value, true);

function table(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows.reduce<number[]>((max, row) => row.map((cell, index) => Math.max(cell.length, max[index] ?? 0)), []);
  return rows.map((row) => row.map((cell, index) => (rightAligned.has(index) ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0))).join('  ').trimEnd());
}

const header = ['step', 'agent', 'model', 'items', 'calls l/e/w', 'tokens in (exp)', 'low', 'expected', 'worst', 'source'];

function rows(report: EstimateReport): string[][] {
  const stepRows = report.steps.map((step) => [
    step.id,
    step.agent,
    `${step.models[0] ?? ''}${step.models.length > 1 ? ` (+${step.models.length - 1} fallback)` : ''}`,
    String(step.items),
    `${step.calls.low}/${step.calls.expected}/${step.calls.worst}`,
    `${step.inputTokens.expected}${step.prompt.exact ? '' : '~'}`,
    formatUsd(step.costUsd.low),
    formatUsd(step.costUsd.expected),
    formatUsd(step.costUsd.worst),
    step.source,
  ]);
  return [...stepRows, ['total', '', '', '', '', '', formatUsd(report.totalUsd.low), formatUsd(report.totalUsd.expected), formatUsd(report.totalUsd.worst), '']];
}

/**
 * With --max-cost, the gated tier against it. Against the file's own limits.max_cost, the expected
 * cost: the run stops at that budget, so the worst case is capped by it and is no error.
 */
function budgetLine(report: EstimateReport, gate: { maxCostUsd?: number; tier: Tier }): string | undefined {
  if (gate.maxCostUsd !== undefined) {
    const value = report.totalUsd[gate.tier];
    return `${gate.tier} ${formatUsd(value)} ${value > gate.maxCostUsd ? 'is OVER' : 'is within'} the --max-cost budget of ${formatUsd(gate.maxCostUsd)}`;
  }
  const limit = report.budgetUsd;
  if (limit === undefined) return undefined;
  const expected = report.totalUsd.expected;
  const stop = report.totalUsd.worst > limit ? `; a run stops at it, so worst is ${formatUsd(report.totalUsd.worst)} (the budget plus the calls in flight)` : '';
  return `expected ${formatUsd(expected)} ${expected > limit ? 'is OVER' : 'is within'} the limits.max_cost budget of ${formatUsd(limit)}${stop}`;
}

export function formatEstimate(report: EstimateReport, format: EstimateFormat, gate: { maxCostUsd?: number; tier: Tier } = { tier: 'worst' }): string {
  if (format === 'json') return `${JSON.stringify({ ...report, gate: { tier: gate.tier, maxCostUsd: gate.maxCostUsd ?? report.budgetUsd ?? null } }, null, 2)}\n`;
  const budget = budgetLine(report, gate);
  const fallbacks = report.byModel.filter((entry) => entry.costUsd.expected === 0 && entry.costUsd.worst > 0).map((entry) => `${entry.model} ${formatUsd(entry.costUsd.worst)}`);
  const notes = [
    ...(report.steps.some((step) => !step.prompt.exact) ? ['~ approximate token count (not an OpenAI model).'] : []),
    'low = a floor (one call per item, one-token answers, cache hits, the cheapest model); worst = a ceiling (max_tokens x max_iterations per item, every fallback model, no cache hits, capped by max_cost).',
    ...(fallbacks.length ? [`worst case includes fallbacks: ${fallbacks.join(', ')}`] : []),
    ...report.steps.flatMap((step) =>
      step.knowledge
        ? [
            `knowledge of ${step.agent}: up to ${step.knowledge.retrievalTokens} retrieval tokens per item (${step.knowledge.mode}), ${step.knowledge.queryTokens} query tokens embedded by ${step.knowledge.embeddingModel}; ` +
              `a full index embeds ${step.knowledge.index.tokens} tokens in ${step.knowledge.index.chunks} chunks of ${step.knowledge.index.files} files (${formatUsd(step.knowledge.index.costUsd)}, once, not in the total)`,
          ]
        : [],
    ),
  ];
  if (format === 'markdown') {
    const all = rows(report);
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    const body = all.map((cells, index) => line(index === all.length - 1 ? cells.map((cell) => (cell ? `**${cell}**` : '')) : cells));
    return [`### agentpipe estimate: \`${report.name}\``, '', line(header), line(header.map((_cell, index) => (index >= 3 ? '---:' : '---'))), ...body, '', ...(budget ? [`**${budget}**`, ''] : []), ...notes.map((note) => `<sub>${note}</sub>`), ''].join('\n');
  }
  const title = `estimate for ${report.kind} ${report.name} (USD)`;
  return [title, ...table([header, ...rows(report)], new Set([3, 5, 6, 7, 8])).map((row) => `  ${row}`), ...(budget ? [budget] : []), ...notes, ''].join('\n');
}
