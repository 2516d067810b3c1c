// Command tools from tools.yaml: a reviewed argv template whose `{{param}}` placeholders are filled
// from validated parameters. A placeholder fills (part of) exactly one argv element and is never
// parsed by a shell, so `; rm -rf /` arrives as one literal argument.

import type { ToolSpec } from '../compile/ir.js';
import { checkCommand } from './permissions.js';
import { runInWorkspace } from './process.js';
import { ToolFailedError, type ToolOutcome, type ToolRuntime } from './types.js';

export type CommandToolSpec = Extract<ToolSpec, { kind: 'command' }>;

const placeholder = /\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g;
const wholePlaceholder = /^\{\{\s*([A-Za-z_][\w-]*)\s*\}\}$/;

function scalarText(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ToolFailedError(`parameter "${name}" must be a string, number or boolean to fill a command argument`);
}

/**
 * Fills the template. An element that is only a placeholder for an absent optional parameter is
 * dropped; otherwise absent parameters fill in as empty text. The program itself must be literal.
 */
export function fillArgv(template: string[], parameters: Record<string, unknown>): [string, ...string[]] {
  const [program, ...rest] = template;
  if (program === undefined || program === '' || program.includes('{{')) {
    throw new ToolFailedError('a command tool must start with a literal program name');
  }
  const argv: [string, ...string[]] = [program];
  for (const element of rest) {
    const whole = wholePlaceholder.exec(element);
    if (whole?.[1] !== undefined && parameters[whole[1]] === undefined) continue;
    // One pass with a function: filled values are never scanned for placeholders again.
    argv.push(element.replace(placeholder, (_match, name: string) => (parameters[name] === undefined ? '' : scalarText(name, parameters[name]))));
  }
  return argv;
}

export async function runCommandTool(spec: CommandToolSpec, input: Record<string, unknown>, runtime: ToolRuntime): Promise<ToolOutcome> {
  const rules = runtime.toolSet.permissions.bash;
  const [file, ...args] = fillArgv(spec.command, input);
  // The template is reviewed in tools.yaml, so the bash allow list does not apply; its deny list does.
  checkCommand(rules, [file, ...args], false);
  return runInWorkspace(runtime, file, args, spec.timeoutMs ?? rules.timeoutMs, spec.sandbox ?? rules.sandbox);
}
