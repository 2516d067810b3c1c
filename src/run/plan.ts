// The dry-run plan: what a run would do, step by step in execution order, without calling anything.

import type { CompiledPipeline } from '../compile/ir.js';

export function describePlan(pipeline: CompiledPipeline, inputs: Record<string, unknown>): string {
  const lines = [`plan: ${pipeline.kind} ${pipeline.name} (${pipeline.source.file}), ${pipeline.steps.length} step(s), up to ${pipeline.concurrency} at once`];
  const inputNames = Object.keys(inputs);
  if (inputNames.length > 0) lines.push(`  inputs: ${inputNames.map((name) => `${name}=${preview(inputs[name])}`).join(', ')}`);
  const byId = new Map(pipeline.steps.map((step) => [step.id, step]));
  const levels = pipeline.levels.length > 0 ? pipeline.levels : [pipeline.steps.map((step) => step.id)];
  levels.forEach((level, index) => {
    lines.push(`  ${index + 1}. ${level.length > 1 ? 'in parallel: ' : ''}${level.join(', ')}`);
    for (const id of level) {
      const step = byId.get(id);
      if (!step) continue;
      const details = [
        `agent ${step.agent.name}`,
        `models ${step.agent.chain.models.map((model) => model.ref.id).join(' -> ') || '(none)'}`,
        step.needs.length > 0 ? `after ${step.needs.join(', ')}` : '',
        step.forEach ? `for each of ${step.forEach} (${step.concurrency} at once)` : '',
        step.when ? `when ${step.when}` : '',
        step.agent.toolSet.tools.length > 0 ? `tools ${step.agent.toolSet.tools.map((tool) => tool.name).join(', ')}` : '',
        step.limits.maxCostUsd !== undefined ? `max $${step.limits.maxCostUsd}` : '',
      ].filter(Boolean);
      lines.push(`     - ${id}: ${details.join('; ')}`);
    }
  });
  if (pipeline.limits.maxCostUsd !== undefined) lines.push(`  budget: $${pipeline.limits.maxCostUsd} for the run`);
  return lines.join('\n');
}

/** An input value as its type reads: a string quoted, a number or boolean bare, JSON for the rest; cut at 40 characters. */
function preview(value: unknown): string {
  if (typeof value === 'string') {
    const flat = value.replace(/\s+/g, ' ');
    return flat.length > 40 ? `${JSON.stringify(flat.slice(0, 37))}...` : JSON.stringify(flat);
  }
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
