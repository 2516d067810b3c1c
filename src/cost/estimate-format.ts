// Renders an EstimateReport as text (terminal), markdown (a PR comment) or JSON.

import type { EstimateReport } from './estimate.js';
import type { Tier } from './estimate-math.js';

export type EstimateFormat = 'text' | 'json' | 'markdown';

/** Dollars with enough digits that small calls do not show as $0.00. */
export function formatUsd(value: number): string {
  if (value === 0) return '$0';
  if (value < 0.01) return `$${value.toFixed(4)}`;
  return `$${value.toFixed(value < 10 ? 3 : 2)}`;
}

function table(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows.reduce<number[]>((max, row) => row.map((cell, index) => Math.max(cell.length, max[index] ?? 0)), []);
  return rows.map((row) => row.map((cell, index) => (rightAligned.has(index) ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0))).join('  ').trimEnd());
}

const header = ['step', 'agent', 'model', 'items', 'calls l/e/w', 'tokens in (exp)', 'low', 'expected', 'worst'];

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
  ]);
  return [...stepRows, ['total', '', '', '', '', '', formatUsd(report.totalUsd.low), formatUsd(report.totalUsd.expected), formatUsd(report.totalUsd.worst)]];
}

function budgetLine(report: EstimateReport, gate: { maxCostUsd?: number; tier: Tier }): string | undefined {
  const limit = gate.maxCostUsd ?? report.budgetUsd;
  if (limit === undefined) return undefined;
  const value = report.totalUsd[gate.tier];
  const origin = gate.maxCostUsd !== undefined ? '--max-cost' : 'limits.max_cost';
  return `${gate.tier} ${formatUsd(value)} ${value > limit ? 'is OVER' : 'is within'} the ${origin} budget of ${formatUsd(limit)}`;
}

export function formatEstimate(report: EstimateReport, format: EstimateFormat, gate: { maxCostUsd?: number; tier: Tier } = { tier: 'worst' }): string {
  if (format === 'json') return `${JSON.stringify({ ...report, gate: { tier: gate.tier, maxCostUsd: gate.maxCostUsd ?? report.budgetUsd ?? null } }, null, 2)}\n`;
  const budget = budgetLine(report, gate);
  const fallbacks = report.byModel.filter((entry) => entry.costUsd.expected === 0 && entry.costUsd.worst > 0).map((entry) => `${entry.model} ${formatUsd(entry.costUsd.worst)}`);
  const notes = [
    ...(report.steps.some((step) => !step.prompt.exact) ? ['~ approximate token count (not an OpenAI model).'] : []),
    'worst = max_tokens x max_iterations per item, every fallback model included, no cache hits.',
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
