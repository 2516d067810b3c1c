// MCP servers in tools.yaml and MCP tools in agents' allowlists. Lint starts no server: an agent's
// `server.tool` is checked against the tool list `agentpipe mcp list` cached, when there is one,
// and is otherwise reported as unverified (a warning).
import { readMcpCache, mcpCacheFile } from '../mcp/cache.js';
import { splitMcpName } from '../mcp/names.js';
import type { SourceFile } from '../load/types.js';
import { report, type ValidationContext } from './context.js';
import { didYouMean } from './suggest.js';

export function checkMcpServers(context: ValidationContext): void {
  const checked = context.tools;
  if (!checked?.value.mcp_servers) return;
  for (const [name, server] of Object.entries(checked.value.mcp_servers)) {
    if (!server) continue;
    const path = ['mcp_servers', name];
    const hasCommand = server.command !== undefined;
    const hasUrl = server.url !== undefined;
    if (hasCommand === hasUrl) {
      report(context, checked.source, path, 'mcp/transport', hasCommand ? `MCP server \`${name}\` has both command and url` : `MCP server \`${name}\` has neither command nor url`, {
        key: true,
        fix: 'give it exactly one: `command: [program, args...]` for a local stdio server, or `url: https://…/mcp` for a streamable HTTP server',
      });
      continue;
    }
    const stdioOnly = (['env', 'sandbox'] as const).filter((key) => server[key] !== undefined);
    if (hasUrl && stdioOnly.length > 0) {
      report(context, checked.source, [...path, stdioOnly[0]!], 'mcp/option', `\`${stdioOnly[0]}\` only applies to a stdio (command) server`, { key: true, fix: 'remove it' });
    }
    if (hasCommand && server.headers !== undefined) {
      report(context, checked.source, [...path, 'headers'], 'mcp/option', '`headers` only applies to an HTTP (url) server', { key: true, fix: 'remove it' });
    }
    if (server.sandbox === 'off') {
      report(context, checked.source, [...path, 'sandbox'], 'mcp/sandbox-off', `MCP server \`${name}\` runs outside the OS sandbox: it can read and write anything the user can`, {
        severity: 'warning',
        fix: 'remove `sandbox: off` unless this server really needs the whole machine',
      });
    }
  }
}

/** An agent's `server.tool` / `server.*` entries. */
export function checkMcpToolNames(context: ValidationContext, source: SourceFile, names: readonly string[], root: string | undefined): void {
  const servers = context.tools?.value.mcp_servers ?? {};
  const cache = root === undefined ? undefined : readMcpCache(root);
  names.forEach((name, index) => {
    const parts = splitMcpName(name);
    if (!parts) return;
    const declared = Object.keys(servers);
    if (!servers[parts.server]) {
      report(context, source, ['tools', index], 'ref/mcp-server', `unknown MCP server \`${parts.server}\` in tool \`${name}\`: it is not declared under mcp_servers in tools.yaml${didYouMean(parts.server, declared)}`, {
        fix: 'declare the server under mcp_servers: in tools.yaml, or fix the name',
      });
      return;
    }
    const listed = cache?.servers[parts.server];
    if (!listed) {
      report(context, source, ['tools', index], 'mcp/unverified', `the tools of MCP server \`${parts.server}\` are unverified: no tool list is cached for it`, {
        severity: 'warning',
        fix: `run \`agentpipe mcp list ${parts.server}\` to cache its tools in ${mcpCacheFile} (commit that file so CI checks them too)`,
      });
      return;
    }
    if (parts.tool === '*') return;
    const offered = listed.tools.map((tool) => tool.name);
    if (!offered.includes(parts.tool)) {
      report(context, source, ['tools', index], 'ref/mcp-tool', `MCP server \`${parts.server}\` offers no tool \`${parts.tool}\`${didYouMean(parts.tool, offered)} (listed ${listed.listedAt.slice(0, 10)})`, {
        fix: `use one of: ${offered.join(', ') || 'none'}; or \`${parts.server}.*\` for all; run \`agentpipe mcp list ${parts.server}\` again if the server changed`,
      });
    }
  });
}
