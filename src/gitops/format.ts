// The four faces of a DiffReport: text (a terminal), markdown (one PR comment: the headline and the
// essentials first, details collapsed), json (the stable shape) and github (workflow commands).

import type { Tiers } from '../cost/estimate-math.js';
import type { DiffReport, ModelChange, PriceView } from './compare.js';

export const diffFormats = ['text', 'markdown', 'json', 'github'] as const;
export type DiffFormat = (typeof diffFormats)[number];

/** The first line of the sticky PR comment, so that a workflow can find and update it. */
export const commentMarker = '<!-- agentpipe-diff -->';

export function usd(value: number, signed = false): string {
  const sign = signed ? (value > 0 ? '+' : value < 0 ? '−' : '±') : value < 0 ? '−' : '';
  const size = Math.abs(value);
  // Cents when there are any; a sub-cent change keeps two significant digits rather than reading $0.00.
  const text = size === 0 || size >= 0.01 ? size.toFixed(2) : size.toPrecision(2);
  return `${sign}$${text}`;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

export function headline(report: DiffReport): string {
  if (!report.effective) return report.changedFiles.length ? `no effective change (${plural(report.changedFiles.length, 'file')} changed)` : 'no change';
  const { agents, templates, widenings, costDelta } = report.summary;
  const what = `${[agents > 0 || templates === 0 ? plural(agents, 'agent') : '', templates > 0 ? plural(templates, 'template') : ''].filter(Boolean).join(' and ')} affected`;
  const parts = [what, `cost ${usd(costDelta.expected, true)} expected`, plural(widenings, 'permission widening')];
  return parts.join(' · ');
}

const tiers = (value: Tiers | null): string => (value ? `${usd(value.low)} / ${usd(value.expected)} / ${usd(value.worst)}` : '—');
const tiersSigned = (value: Tiers): string => `${usd(value.low, true)} / ${usd(value.expected, true)} / ${usd(value.worst, true)}`;

function price(value: PriceView): string {
  const cache = value.cache_read !== undefined ? `, cache read $${value.cache_read}` : '';
  return `$${value.input} in / $${value.output} out${cache}${value.as_of ? ` (as_of ${value.as_of})` : ''}`;
}

export function describeModel(change: ModelChange): string {
  const side = (value: ModelChange['before']): string => (value === null ? '—' : Array.isArray(value) ? value.join(', ') : price(value));
  const label = change.kind === 'price' ? `price ${change.name}` : `${change.kind} ${change.name}`;
  return `${label} (${change.change}): ${side(change.before)} → ${side(change.after)}`;
}

function formatText(report: DiffReport): string {
  const lines = [`agentpipe diff ${report.base} → ${report.head}`, headline(report)];
  if (!report.effective) {
    if (report.changedFiles.length) lines.push(`changed: ${report.changedFiles.join(', ')}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push('', 'Impact');
  for (const entry of report.affected) lines.push(`  ${entry.kind} ${entry.name} (${entry.change}) via ${entry.via.join(', ')}`);
  if (report.prompts.length) {
    lines.push('', 'Prompts');
    for (const prompt of report.prompts) lines.push(...prompt.diff.trimEnd().split('\n').map((line) => `  ${line}`));
  }
  if (report.models.length) {
    lines.push('', 'Models');
    for (const change of report.models) lines.push(`  ${describeModel(change)}`);
  }
  if (report.permissions.length) {
    lines.push('', 'Permissions (! = widening)');
    for (const change of report.permissions) lines.push(`  ${change.widening ? '!' : ' '} ${change.agent}: ${change.tool}: ${change.change}`);
  }
  if (report.cost.length) {
    lines.push('', 'Cost (low / expected / worst, USD)');
    for (const entry of report.cost) lines.push(`  ${entry.kind} ${entry.target}: ${tiers(entry.before)} → ${tiers(entry.after)} (Δ ${tiersSigned(entry.delta)})`);
  }
  return `${lines.join('\n')}\n`;
}

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

/** At most `limit` rows, then one "and N more" row. */
function capped<T>(items: T[], limit: number, row: (item: T) => string, more: (count: number) => string): string[] {
  const shown = items.slice(0, limit).map(row);
  if (items.length > limit) shown.push(more(items.length - limit));
  return shown;
}

function formatMarkdown(report: DiffReport): string {
  const lines = [commentMarker, `### agentpipe diff: ${headline(report)}`, `${code(report.base)} → ${code(report.head)}`];
  if (!report.effective) {
    if (report.changedFiles.length) lines.push('', `Changed files with no effect on any agent or template: ${report.changedFiles.map(code).join(', ')}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push('', '| affected | change | via |', '| --- | --- | --- |');
  lines.push(...capped(report.affected, 12, (entry) => `| ${entry.kind} ${code(entry.name)} | ${entry.change} | ${entry.via.map(code).join(', ')} |`, (count) => `| … and ${count} more | | |`));
  const widenings = report.permissions.filter((change) => change.widening);
  if (widenings.length) {
    lines.push('', '**Permission widenings**');
    lines.push(...capped(widenings, 6, (change) => `- ⚠️ ${code(change.agent)} ${change.tool}: ${change.change}`, (count) => `- … and ${count} more (see Permissions below)`));
  }
  if (report.cost.length) {
    lines.push('', '| cost, expected | before | after | Δ |', '| --- | --- | --- | --- |');
    lines.push(...capped(report.cost, 6, (entry) => `| ${entry.kind} ${code(entry.target)} | ${entry.before ? usd(entry.before.expected) : '—'} | ${entry.after ? usd(entry.after.expected) : '—'} | ${usd(entry.delta.expected, true)} |`, (count) => `| … and ${count} more | | | |`));
  }
  const details = (summary: string, body: string[]): void => {
    lines.push('', `<details><summary>${summary}</summary>`, '', ...body, '', '</details>');
  };
  if (report.prompts.length) details(`Prompts: ${plural(report.prompts.length, 'agent')}`, report.prompts.flatMap((prompt) => ['```diff', prompt.diff.trimEnd(), '```']));
  if (report.models.length) details(`Models: ${plural(report.models.length, 'change')}`, report.models.map((change) => `- ${describeModel(change)}`));
  if (report.permissions.length) details(`Permissions: ${plural(report.permissions.length, 'change')}, ${plural(widenings.length, 'widening')}`, report.permissions.map((change) => `- ${change.widening ? '⚠️ ' : ''}${code(change.agent)} ${change.tool}: ${change.change}`));
  if (report.cost.length) {
    details('Cost: low / expected / worst', ['| target | before | after | Δ |', '| --- | --- | --- | --- |', ...report.cost.map((entry) => `| ${entry.kind} ${code(entry.target)} | ${tiers(entry.before)} | ${tiers(entry.after)} | ${tiersSigned(entry.delta)} |`)]);
  }
  return `${lines.join('\n')}\n`;
}

/** GitHub workflow commands: one notice with the headline, one warning per widening on the agent's file. */
function formatGithub(report: DiffReport): string {
  const escape = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const lines = [`::notice title=agentpipe diff::${escape(`${headline(report)} (${report.base} → ${report.head})`)}`];
  for (const change of report.permissions.filter((entry) => entry.widening)) {
    lines.push(`::warning file=agents/${change.agent}.yaml,title=permission widening::${escape(`${change.agent}: ${change.tool}: ${change.change}`)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatDiff(report: DiffReport, format: DiffFormat): string {
  switch (format) {
    case 'json': return `${JSON.stringify(report, null, 2)}\n`;
    case 'markdown': return formatMarkdown(report);
    case 'github': return formatGithub(report);
    default: return formatText(report);
  }
}
