// tools.yaml + an agent's allowlist and `permissions:` -> ToolSet. Deny by default: with no rules in
// tools.yaml every allow list is empty, and an agent can only narrow what the defaults give.

import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { narrowPermissions, type PermissionsOverride } from '../tools/permissions.js';
import type { Checked } from '../validate/types.js';
import type { AgentFile, Permissions as PermissionsFile, ToolsFile } from '../validate/types.gen.js';
import type { CompileDiagnostics } from './diagnostics.js';
import type { Permissions, ToolSet, ToolSpec } from './ir.js';
import { parseOptionalDuration, parseOptionalSize } from './units.js';

/** Defaults of the defaults: nothing allowed; caps as in DESIGN.md's example tools.yaml. */
export const denyAllPermissions: Permissions = {
  read: { allow: [], deny: [], maxBytes: 1024 ** 2 },
  write: { allow: [], deny: [], maxBytes: 1024 ** 2 },
  bash: { allow: [], deny: [], timeoutMs: 30_000, maxOutputBytes: 64 * 1024, env: ['PATH', 'HOME'], shell: false, expose: [], sandbox: 'auto' },
  http: { allowHosts: [], denyHosts: [], timeoutMs: 20_000, maxBytes: 2 * 1024 ** 2, maxRedirects: 5 },
};

/** Only the fields the file wrote, in IR names and units (so narrowing keeps the rest). */
export function toPermissionsOverride(file: PermissionsFile | undefined): PermissionsOverride {
  const override: PermissionsOverride = {};
  const defined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
  for (const access of ['read', 'write'] as const) {
    const rules = file?.[access];
    if (rules) override[access] = defined({ allow: rules.allow, deny: rules.deny, maxBytes: parseOptionalSize(rules.max_bytes), hardLinks: rules.hard_links });
  }
  if (file?.bash) {
    const bash = file.bash;
    override.bash = defined({ allow: bash.allow, deny: bash.deny, timeoutMs: parseOptionalDuration(bash.timeout), maxOutputBytes: parseOptionalSize(bash.max_output), env: bash.env, shell: bash.shell, expose: bash.expose, sandbox: bash.sandbox });
  }
  if (file?.http) {
    const http = file.http;
    override.http = defined({ allowHosts: http.allow_hosts, denyHosts: http.deny_hosts, timeoutMs: parseOptionalDuration(http.timeout), maxBytes: parseOptionalSize(http.max_bytes), maxRedirects: http.max_redirects });
  }
  return override;
}

/** tools.yaml `defaults:` over deny-all: the file replaces a field it writes, it does not merge lists. */
export function defaultPermissions(tools: ToolsFile): Permissions {
  const override = toPermissionsOverride(tools.defaults);
  return {
    read: { ...denyAllPermissions.read, ...override.read },
    write: { ...denyAllPermissions.write, ...override.write },
    bash: { ...denyAllPermissions.bash, ...override.bash },
    http: { ...denyAllPermissions.http, ...override.http },
  };
}

/** IR field name (from narrowPermissions) -> YAML key, to point a violation at the agent's line. */
const yamlKeys: Record<string, string> = {
  maxBytes: 'max_bytes', timeoutMs: 'timeout', maxOutputBytes: 'max_output', allowHosts: 'allow_hosts', denyHosts: 'deny_hosts', maxRedirects: 'max_redirects', hardLinks: 'hard_links',
};

export function resolveWorkspace(root: string, tools: Checked<ToolsFile>, diagnostics: CompileDiagnostics): string {
  const workspace = resolve(root, tools.value.workspace ?? '.');
  try {
    return realpathSync(workspace);
  } catch {
    diagnostics.error(tools.source, ['workspace'], 'ref/workspace', `workspace folder "${tools.value.workspace ?? '.'}" does not exist`);
    return workspace;
  }
}

export function resolveToolSet(agent: Checked<AgentFile>, tools: Checked<ToolsFile>, workspace: string, diagnostics: CompileDiagnostics): ToolSet {
  const specs: ToolSpec[] = [];
  (agent.value.tools ?? []).forEach((name, index) => {
    const tool = tools.value.tools[name];
    if (!tool) {
      const known = Object.keys(tools.value.tools).join(', ');
      diagnostics.error(agent.source, ['tools', index], 'ref/tool', `tool "${name}" is not defined in tools.yaml (defined: ${known || 'none'})`);
      return;
    }
    const position = tools.source.locate(['tools', name], { key: true });
    const source = { file: tools.source.file, line: position.line, col: position.col };
    if (tool.builtin) {
      specs.push({ kind: 'builtin', name, builtin: tool.builtin, ...(tool.description ? { description: tool.description } : {}), ...(tool.provider ? { searchProvider: tool.provider } : {}), source });
    } else if (tool.command) {
      const timeoutMs = parseOptionalDuration(tool.timeout);
      specs.push({ kind: 'command', name, description: tool.description ?? name, command: [...tool.command], parameters: structuredClone(tool.parameters ?? { type: 'object', properties: {} }) as Record<string, unknown>, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(tool.sandbox ? { sandbox: tool.sandbox } : {}), source });
    } else {
      diagnostics.error(tools.source, ['tools', name], 'schema/tool', `tool "${name}" needs exactly one of builtin and command`);
    }
  });
  const { permissions, violations } = narrowPermissions(defaultPermissions(tools.value), toPermissionsOverride(agent.value.permissions));
  for (const violation of violations) {
    const [access = '', field = ''] = violation.field.split('.');
    diagnostics.error(agent.source, ['permissions', access, yamlKeys[field] ?? field], 'permissions/widen', violation.message, 'an agent may only narrow the tools.yaml defaults');
  }
  return { workspace, tools: specs, permissions };
}
