// tools.yaml: every tool is exactly one of a builtin or a command tool, and command tools are
// described well enough for a model to call them.

import { report, type ValidationContext } from './context.js';

export function checkTools(context: ValidationContext): void {
  const checked = context.tools;
  if (!checked) return;
  const { value, source } = checked;
  for (const [name, tool] of Object.entries(value.tools)) {
    if (!tool) continue;
    const path = ['tools', name];
    const hasBuiltin = tool.builtin !== undefined;
    const hasCommand = tool.command !== undefined;
    if (hasBuiltin === hasCommand) {
      const message = hasBuiltin ? `tool \`${name}\` has both builtin and command` : `tool \`${name}\` has neither builtin nor command`;
      report(context, source, path, 'tools/kind', message, { key: true, fix: 'give it exactly one: `builtin: read` or `command: [argv...]`' });
      continue;
    }
    if (hasCommand) {
      if (tool.description === undefined) report(context, source, path, 'tools/description', `command tool \`${name}\` has no description`, { key: true, fix: 'add `description:` saying what it does; the model reads it' });
      if (tool.parameters === undefined) report(context, source, path, 'tools/parameters', `command tool \`${name}\` has no parameters`, { key: true, fix: 'add `parameters:` as a JSON Schema of type object' });
      else if ((tool.parameters as Record<string, unknown>)['type'] !== 'object') report(context, source, [...path, 'parameters'], 'tools/parameters', `parameters of \`${name}\` must be a JSON Schema with \`type: object\``, { fix: 'add `type: object`' });
    }
    if (tool.provider !== undefined && tool.builtin !== 'web_search') {
      report(context, source, [...path, 'provider'], 'tools/provider', `\`provider\` only applies to the web_search builtin`, { key: true, fix: 'remove it' });
    }
  }
}
