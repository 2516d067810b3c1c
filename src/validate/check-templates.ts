// templates/*.yaml: the step graph (unique ids, known needs, no cycles), each step's agent, model,
// for_each and inputs, and the texts that feed steps and outputs.

import { checkForEach } from './check-for-each.js';
import { checkModelReference } from './check-providers.js';
import { checkText, type TextScope } from './check-variables.js';
import { nameMismatchFix, nameOf, report, type ValidationContext } from './context.js';
import { didYouMean } from './suggest.js';
import type { TemplateFile } from './types.gen.js';
import type { Checked } from './types.js';

export function checkTemplate(context: ValidationContext, checked: Checked<TemplateFile>): void {
  const { value: template, source } = checked;
  const fileName = nameOf(source);
  if (template.name !== fileName) {
    report(context, source, ['name'], 'ref/name', `template name \`${template.name}\` does not match its file name \`${fileName}.yaml\``, { fix: nameMismatchFix(template.name, fileName) });
  }
  const needs = new Map<string, string[]>();
  template.steps.forEach((step, index) => {
    if (needs.has(step.id)) report(context, source, ['steps', index, 'id'], 'steps/duplicate-id', `duplicate step id \`${step.id}\``, { fix: 'give every step a unique id' });
    else needs.set(step.id, step.needs ?? []);
  });
  const allSteps = new Set(needs.keys());
  template.steps.forEach((step, index) => {
    (step.needs ?? []).forEach((need, needIndex) => {
      if (!allSteps.has(need)) report(context, source, ['steps', index, 'needs', needIndex], 'ref/step', `step \`${step.id}\` needs unknown step \`${need}\`${didYouMean(need, allSteps)}`, { fix: 'use the id of a step in this template' });
    });
  });
  const cycle = findCycle(needs);
  if (cycle) {
    const index = template.steps.findIndex((step) => step.id === cycle[0]);
    report(context, source, ['steps', index, 'needs'], 'steps/cycle', `steps depend on each other in a cycle: ${cycle.join(' -> ')}`, { fix: 'remove one of these needs' });
  }
  const inputs = Object.keys(template.inputs ?? {});
  const usedInputs = new Set<string>();
  template.steps.forEach((step, index) => {
    const path = ['steps', index];
    const agent = context.agents.get(step.agent);
    if (!context.agentFiles.has(step.agent)) {
      report(context, source, [...path, 'agent'], 'ref/agent', `step \`${step.id}\` uses unknown agent \`${step.agent}\`${didYouMean(step.agent, context.agentFiles)}`, { fix: 'use the name of a file in agents/' });
    }
    if (step.model !== undefined) checkModelReference(context, source, [...path, 'model'], step.model);
    const availableSteps = ancestors(step.id, needs);
    const scope: TextScope = { inputs, usedInputs, availableSteps, allSteps, forEach: step.for_each !== undefined, owner: `template \`${template.name}\`` };
    if (step.for_each !== undefined) {
      checkText(context, source, [...path, 'for_each'], `{{${step.for_each}}}`, scope);
      checkForEach(context, checked, index);
    }
    if (step.when !== undefined) checkText(context, source, [...path, 'when'], step.when, scope);
    for (const [key, text] of Object.entries(step.with ?? {})) if (text !== undefined) checkText(context, source, [...path, 'with', key], text, scope);
    if (!agent) return;
    const agentInputs = agent.value.inputs ?? {};
    for (const key of Object.keys(step.with ?? {})) {
      if (!(key in agentInputs)) report(context, source, [...path, 'with', key], 'steps/input', `agent \`${step.agent}\` has no input \`${key}\`${didYouMean(key, Object.keys(agentInputs))}`, { key: true, fix: `use one of its inputs: ${Object.keys(agentInputs).join(', ') || 'none'}` });
    }
    for (const [key, input] of Object.entries(agentInputs)) {
      const required = input?.required ?? input?.default === undefined;
      if (required && !(key in (step.with ?? {}))) report(context, source, [...path, 'agent'], 'steps/input', `step \`${step.id}\` does not give agent \`${step.agent}\` its required input \`${key}\``, { fix: `add \`${key}:\` under with:` });
    }
  });
  const outputScope: TextScope = { inputs, usedInputs, allSteps, owner: `template \`${template.name}\`` };
  for (const [key, text] of Object.entries(template.outputs ?? {})) if (text !== undefined) checkText(context, source, ['outputs', key], text, outputScope);
  for (const input of inputs) {
    if (!usedInputs.has(input)) report(context, source, ['inputs', input], 'inputs/unused', `input \`${input}\` is declared but no step uses it`, { severity: 'warning', key: true, fix: `use {{inputs.${input}}} in a step, or remove it` });
  }
}

/** Every step that must finish before `id` starts (cycle-safe). */
function ancestors(id: string, needs: ReadonlyMap<string, string[]>): Set<string> {
  const found = new Set<string>();
  const stack = [...(needs.get(id) ?? [])];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (found.has(next)) continue;
    found.add(next);
    stack.push(...(needs.get(next) ?? []));
  }
  return found;
}

/** The first cycle in the needs graph as a path that ends where it starts, or undefined. */
function findCycle(needs: ReadonlyMap<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done' || !needs.has(id)) return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const need of needs.get(id) ?? []) {
      const cycle = visit(need);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of needs.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}
