// tools.yaml: every tool is exactly one of a builtin or a command tool, and command tools are
// described well enough for a model to call them.

import { report, type ValidationContext } from './context.js';

export function checkTools(context: ValidationContext): void {
  const checked = context.tools;
  if (!checked) return;
  const { value, source } = checked;
  checkSandboxRules(context);
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
    if (tool.sandbox === 'off') {
      report(context, source, [...path, 'sandbox'], 'tools/sandbox-off', `command tool \`${name}\` runs without the OS sandbox: it can read and write anything this user can`, { severity: 'warning', fix: 'remove `sandbox: off` (install bubblewrap where it is missing)' });
    }
    if (tool.provider !== undefined && tool.builtin !== 'web_search') {
      report(context, source, [...path, 'provider'], 'tools/provider', `\`provider\` only applies to the web_search builtin`, { key: true, fix: 'remove it' });
    }
  }
}

/** `sandbox: off` is allowed but never quiet; `.env*` in `expose` has no effect and says so. */
function checkSandboxRules(context: ValidationContext): void {
  const checked = context.tools;
  const bash = checked?.value.defaults?.bash;
  if (!checked || !bash) return;
  if (bash.sandbox === 'off') {
    report(context, checked.source, ['defaults', 'bash', 'sandbox'], 'tools/sandbox-off', 'bash and command tools run without the OS sandbox: a command can read and write anything this user can, keys included', {
      severity: 'warning',
      fix: 'remove `sandbox: off` (install bubblewrap where it is missing)',
    });
  }
  (bash.expose ?? []).forEach((pattern, index) => {
    if (envFilePattern.test(pattern)) {
      report(context, checked.source, ['defaults', 'bash', 'expose', index], 'tools/expose-env', `\`${pattern}\` names .env files, which are never exposed`, { severity: 'warning', fix: 'remove it' });
    }
  });
}

/** A pattern whose last segment starts with `.env` (`.env*`, `**\/.env.local`). */
const envFilePattern = /(^|\/)\.env/i;
