// Template steps: references (agent, needs, for_each, `with`, when), the DAG check and parallel levels.

import type { Checked } from '../validate/types.js';
import type { TemplateFile } from '../validate/types.gen.js';
import { sourceRef, type CompileDiagnostics } from './diagnostics.js';
import type { CompiledAgent } from './ir.js';
import { checkReferences, reportTemplateProblems } from './prompt-parts.js';
import { scanTemplate as analyzeTemplate } from '../prompt-language/scan.js';

/**
 * Kahn's algorithm by rounds: level k holds the steps whose needs all sit in levels < k, in file
 * order. Steps left over are on a cycle (returned separately so the caller can report them).
 */
export function topologicalLevels(steps: ReadonlyArray<{ id: string; needs: readonly string[] }>): { levels: string[][]; cyclic: string[] } {
  const placed = new Set<string>();
  const levels: string[][] = [];
  let remaining = [...steps];
  while (remaining.length > 0) {
    const level = remaining.filter((step) => step.needs.every((need) => placed.has(need)));
    if (level.length === 0) break;
    for (const step of level) placed.add(step.id);
    levels.push(level.map((step) => step.id));
    remaining = remaining.filter((step) => !placed.has(step.id));
  }
  return { levels, cyclic: remaining.map((step) => step.id) };
}

/** Every step reachable backwards through `needs` (what a step's templates may read). */
export function ancestorsOf(id: string, needsById: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(needsById.get(id) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(needsById.get(next) ?? []));
  }
  return seen;
}

/**
 * The step's `with`, completed for agent inputs it leaves out: a template input of the same name,
 * then `{{item}}` for the first one in a for_each step, then the output of the single step it needs.
 * A required input still unfilled is an error.
 */
export function completeWith(template: Checked<TemplateFile>, index: number, agent: CompiledAgent, diagnostics: CompileDiagnostics): Record<string, string> {
  const step = template.value.steps[index];
  const given = Object.fromEntries(Object.entries(step?.with ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const templateInputs = template.value.inputs ?? {};
  let itemUsed = Object.values(given).some((value) => /\{\{\s*item\s*\}\}/.test(value));
  let needUsed = false;
  for (const name of Object.keys(given)) {
    if (!(name in agent.inputs)) {
      diagnostics.error(template.source, ['steps', index, 'with', name], 'ref/input', `agent "${agent.name}" has no input "${name}" (inputs: ${Object.keys(agent.inputs).join(', ') || 'none'})`);
    }
  }
  for (const [name, spec] of Object.entries(agent.inputs)) {
    if (name in given) continue;
    if (name in templateInputs) given[name] = `{{inputs.${name}}}`;
    else if (step?.for_each && !itemUsed && spec.required) (given[name] = '{{item}}'), (itemUsed = true);
    else if (step?.needs?.length === 1 && !needUsed && spec.required) (given[name] = `{{steps.${step.needs[0]}.output}}`), (needUsed = true);
    else if (spec.required) {
      diagnostics.error(template.source, ['steps', index], 'ref/input', `step "${step?.id}" gives agent "${agent.name}" no value for its required input "${name}"`, `add with: { ${name}: "..." }`);
    }
  }
  return given;
}

/** Checks `with`, `when` and `for_each` of one step against the template inputs and its ancestors. */
export function checkStepTemplates(template: Checked<TemplateFile>, index: number, ancestors: ReadonlySet<string>, diagnostics: CompileDiagnostics): void {
  const step = template.value.steps[index];
  if (!step) return;
  const inputs = new Set(Object.keys(template.value.inputs ?? {}));
  const roots: Record<string, ReadonlySet<string> | undefined> = { inputs, steps: ancestors, run: undefined, today: new Set() };
  if (step.for_each) Object.assign(roots, { item: undefined, item_index: new Set() });
  const what = `step "${step.id}"`;
  for (const [name, text] of Object.entries(step.with ?? {})) {
    if (text === undefined) continue;
    const source = sourceRef(template.source, ['steps', index, 'with', name]);
    const analysis = analyzeTemplate(text);
    reportTemplateProblems(analysis, source, diagnostics);
    checkReferences(analysis, source, roots, diagnostics, what);
  }
  if (step.when) {
    const source = sourceRef(template.source, ['steps', index, 'when']);
    const analysis = analyzeTemplate(step.when);
    reportTemplateProblems(analysis, source, diagnostics);
    checkReferences(analysis, source, roots, diagnostics, what);
  }
  if (step.for_each) {
    const [root, name] = step.for_each.split('.');
    const valid = (root === 'inputs' && name !== undefined && inputs.has(name)) || (root === 'steps' && name !== undefined && ancestors.has(name));
    if (!valid) {
      diagnostics.error(template.source, ['steps', index, 'for_each'], 'ref/for-each', `for_each "${step.for_each}" must be inputs.NAME or steps.ID.output... of a step this one needs`);
    }
  }
}
