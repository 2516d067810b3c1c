// `agentpipe mcp list`: start each declared server (or the one named), ask for its tools, stop it,
// and cache the lists for lint. A server that fails is reported on its line; the others still list.
import { mcpServerSpec } from '../compile/tools.js';
import { UsageError } from '../errors.js';
import { redactSecrets } from '../tools/redact.js';
import type { Checked } from '../validate/types.js';
import type { ToolsFile } from '../validate/types.gen.js';
import { writeMcpCache } from './cache.js';
import { McpConnection, type McpToolInfo } from './connection.js';
import { didYouMean } from '../validate/suggest.js';

export interface ServerToolsReport {
  servers: Array<{ name: string; transport: 'stdio' | 'http'; tools: McpToolInfo[]; error?: string }>;
  cache?: string;
}

export async function listServerTools(root: string, tools: Checked<ToolsFile>, env: NodeJS.ProcessEnv, only?: string): Promise<ServerToolsReport> {
  const declared = Object.keys(tools.value.mcp_servers ?? {});
  if (only !== undefined && !declared.includes(only)) {
    throw new UsageError(`no MCP server \`${only}\` in tools.yaml${didYouMean(only, declared)} (declared: ${declared.join(', ') || 'none'})`);
  }
  const names = only === undefined ? declared : [only];
  const { resolveWorkspace, defaultPermissions } = await import('../compile/tools.js');
  const { CompileDiagnostics } = await import('../compile/diagnostics.js');
  const workspace = resolveWorkspace(root, tools, new CompileDiagnostics());
  const servers = await Promise.all(
    names.map(async (name) => {
      const spec = mcpServerSpec(name, tools.value.mcp_servers![name]!, tools);
      try {
        const connection = await McpConnection.open(spec, { cwd: workspace, env, permissions: defaultPermissions(tools.value) });
        try {
          return { name, transport: spec.transport, tools: await connection.listTools() };
        } finally {
          await connection.close();
        }
      } catch (error) {
        return { name, transport: spec.transport, tools: [], error: redactSecrets(error instanceof Error ? error.message : String(error), env) };
      }
    }),
  );
  const listed = Object.fromEntries(servers.filter((server) => server.error === undefined).map((server) => [server.name, server.tools]));
  const cache = Object.keys(listed).length > 0 ? await writeMcpCache(root, listed) : undefined;
  return { servers, ...(cache ? { cache } : {}) };
}

export function formatServerTools(report: ServerToolsReport): string {
  if (report.servers.length === 0) return 'no MCP servers are declared under mcp_servers in tools.yaml\n';
  const lines: string[] = [];
  for (const server of report.servers) {
    if (server.error !== undefined) {
      lines.push(`${server.name} (${server.transport}): error: ${server.error}`);
      continue;
    }
    lines.push(`${server.name} (${server.transport}): ${server.tools.length} tool(s)`);
    for (const tool of server.tools) {
      const properties = Object.keys((tool.inputSchema['properties'] as Record<string, unknown> | undefined) ?? {});
      lines.push(`  ${server.name}.${tool.name}(${properties.join(', ')})  ${tool.description.split('\n')[0] ?? ''}`.trimEnd());
    }
  }
  if (report.cache) lines.push('', `cached for lint in ${report.cache.split('/').at(-1)}`);
  return `${lines.join('\n')}\n`;
}
