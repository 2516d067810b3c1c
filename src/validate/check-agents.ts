// agents/*.yaml: name matches the file; layers, tools and model exist; permissions only narrow;
// prompt texts read only what exists; every declared input is used.

import { checkModelReference } from './check-providers.js';
import { checkText, type TextScope } from './check-variables.js';
import { nameMismatchFix, nameOf, report, type ValidationContext } from './context.js';
import { checkPermissions } from './permissions-check.js';
import { checkKnowledge } from './check-knowledge.js';
import { didYouMean } from './suggest.js';
import { checkMcpToolNames } from './check-mcp.js';
import { splitMcpName } from '../mcp/names.js';
import type { AgentFile } from './types.gen.js';
import type { Checked } from './types.js';

export function checkAgent(context: ValidationContext, checked: Checked<AgentFile>): void {
  const { value: agent, source } = checked;
  const fileName = nameOf(source);
  if (agent.name !== fileName) {
    report(context, source, ['name'], 'ref/name', `agent name \`${agent.name}\` does not match its file name \`${fileName}.yaml\``, { fix: nameMismatchFix(agent.name, fileName) });
  }
  checkModelReference(context, source, ['model'], agent.model);
  checkKnowledge(context, checked);
  (agent.prompt.layers ?? []).forEach((layer, index) => {
    if (!context.layerFiles.has(layer)) {
      report(context, source, ['prompt', 'layers', index], 'ref/layer', `unknown layer \`${layer}\`: there is no agents/layers/${layer}.yaml${didYouMean(layer, context.layerFiles)}`, { fix: 'create the layer or fix the path' });
    }
  });
  const tools = context.tools?.value;
  if (tools) {
    const names = Object.keys(tools.tools);
    (agent.tools ?? []).forEach((tool, index) => {
      if (splitMcpName(tool)) return;
      if (!names.includes(tool)) report(context, source, ['tools', index], 'ref/tool', `unknown tool \`${tool}\`: it is not defined in tools.yaml${didYouMean(tool, names)}`, { fix: 'define it under tools: in tools.yaml, or remove it' });
    });
    checkMcpToolNames(context, source, agent.tools ?? [], context.root);
    checkPermissions(context, source, agent, tools);
  }
  const inputs = Object.keys(agent.inputs ?? {});
  const scope: TextScope = { inputs, usedInputs: new Set(), owner: `agent \`${agent.name}\`` };
  const partials: string[] = [];
  if (agent.prompt.system !== undefined) partials.push(...checkText(context, source, ['prompt', 'system'], agent.prompt.system, scope));
  partials.push(...checkText(context, source, ['prompt', 'user'], agent.prompt.user, scope));
  // Layers, and the layers they include, are read in this agent's scope: its inputs are theirs.
  const visited = new Set<string>();
  const queue = [...(agent.prompt.layers ?? []), ...partials];
  context.checkingFor = agent.name;
  for (let layerName = queue.shift(); layerName !== undefined; layerName = queue.shift()) {
    const layer = context.layers.get(layerName);
    if (visited.has(layerName) || !layer) continue;
    visited.add(layerName);
    queue.push(...checkText(context, layer.source, ['text'], layer.value.text, scope));
  }
  delete context.checkingFor;
  for (const input of inputs) {
    if (!scope.incomplete && !scope.usedInputs.has(input)) {
      report(context, source, ['inputs', input], 'inputs/unused', `input \`${input}\` is declared but no prompt or layer uses it`, { severity: 'warning', key: true, fix: `use {{inputs.${input}}} in the prompt, or remove it` });
    }
  }
}
