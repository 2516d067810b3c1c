// tools.yaml + an agent's allowlist and `permissions:` -> ToolSet. Deny by default: with no rules in
// tools.yaml every allow list is empty, and an agent can only narrow what the defaults give.

import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { narrowPermissions, type PermissionsOverride } from '../tools/permissions.js';
import type { Checked } from '../validate/types.js';
import type { AgentFile, Permissions as PermissionsFile, ToolsFile } from '../validate/types.gen.js';
import type { CompileDiagnostics } from './diagnostics.js';
import type { McpServerSpec, Permissions, ToolSet, ToolSpec } from './ir.js';
import { splitMcpName } from '../mcp/names.js';
import type { McpServer } from '../validate/types.gen.js';
import { parseOptionalDuration, parseOptionalSize } from './units.js';

/** Defaults of the defaults: nothing allowed; caps as in DESIGN.md's example tools.yaml. */
export const denyAllPermissions: Permissions = {
  read: { allow: [], deny: [], maxBytes: 1024 ** 2 },
  write: { allow: [], deny: [], maxBytes: 1024 ** 2 },
  bash: { allow: [], deny: [], timeoutMs: 30_000, maxOutputBytes: 64 * 1024, env: ['PATH', 'HOME'], shell: false, expose: [], sandbox: 'auto', allowHosts: [] },
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
    override.bash = defined({ allow: bash.allow, deny: bash.deny, timeoutMs: parseOptionalDuration(bash.timeout), maxOutputBytes: parseOptionalSize(bash.max_output), env: bash.env, shell: bash.shell, expose: bash.expose, sandbox: bash.sandbox, allowHosts: bash.allow_hosts });
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
  const mcpServers: Record<string, McpServerSpec> = {};
  (agent.value.tools ?? []).forEach((name, index) => {
    const mcp = splitMcpName(name);
    if (mcp) {
      const server = tools.value.mcp_servers?.[mcp.server];
      if (!server) {
        const known = Object.keys(tools.value.mcp_servers ?? {}).join(', ');
        diagnostics.error(agent.source, ['tools', index], 'ref/mcp-server', `MCP server "${mcp.server}" of tool "${name}" is not declared under mcp_servers in tools.yaml (declared: ${known || 'none'})`);
        return;
      }
      mcpServers[mcp.server] ??= mcpServerSpec(mcp.server, server, tools);
      const position = agent.source.locate(['tools', index]);
      specs.push({ kind: 'mcp', name, server: mcp.server, tool: mcp.tool, source: { file: agent.source.file, line: position.line, col: position.col } });
      return;
    }
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
  return { workspace, tools: specs, permissions, ...(Object.keys(mcpServers).length > 0 ? { mcpServers } : {}) };
}

/** A tools.yaml `mcp_servers:` entry in IR form. Lint already made sure it has exactly one of command and url. */
export function mcpServerSpec(name: string, server: McpServer, tools: Checked<ToolsFile>): McpServerSpec {
  const position = tools.source.locate(['mcp_servers', name], { key: true });
  const common = {
    name,
    startTimeoutMs: parseOptionalDuration(server.start_timeout) ?? 30_000,
    callTimeoutMs: parseOptionalDuration(server.timeout) ?? 60_000,
    maxOutputBytes: parseOptionalSize(server.max_output) ?? 256 * 1024,
    allowHosts: [...(server.allow_hosts ?? [])],
    source: { file: tools.source.file, line: position.line, col: position.col },
  };
  if (server.url !== undefined) return { ...common, transport: 'http', url: server.url, headers: Object.fromEntries(Object.entries(server.headers ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined)) };
  return { ...common, transport: 'stdio', command: [...(server.command ?? [])], env: [...(server.env ?? [])], sandbox: server.sandbox ?? 'auto' };
}
