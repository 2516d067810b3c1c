// `agentpipe mcp list` writes what each server offered to `.agentpipe-mcp-tools.json` at the project
// root, a small file a config repo can commit, so that lint checks agents' MCP tool names offline
// (in CI, without starting any server). Lint warns that a server's tools are unverified when the
// file does not list it.
import { readFileSync } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ToolSet, ToolSpec } from '../compile/ir.js';
import type { McpToolInfo } from './connection.js';
import { wireName } from './names.js';
import { forVendors } from './manager.js';

export const mcpCacheFile = '.agentpipe-mcp-tools.json';

export interface McpToolCache {
  version: 1;
  servers: Record<string, { listedAt: string; tools: McpToolInfo[] }>;
}

/** The cache of a project, or undefined when there is none or it is unreadable (lint then warns). */
export function readMcpCache(root: string): McpToolCache | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(root, mcpCacheFile), 'utf8')) as Partial<McpToolCache>;
    if (parsed.version !== 1 || typeof parsed.servers !== 'object' || parsed.servers === null) return undefined;
    return parsed as McpToolCache;
  } catch {
    return undefined;
  }
}

/** Records (replaces) the tools of the given servers, keeping the others; written atomically. */
export async function writeMcpCache(root: string, listed: Record<string, McpToolInfo[]>): Promise<string> {
  const cache: McpToolCache = readMcpCache(root) ?? { version: 1, servers: {} };
  const servers = Object.assign(Object.create(null) as McpToolCache['servers'], cache.servers);
  const now = new Date().toISOString();
  for (const [server, tools] of Object.entries(listed)) servers[server] = { listedAt: now, tools };
  const sorted = Object.fromEntries(Object.keys(servers).sort().map((name) => [name, servers[name]!]));
  const path = join(root, mcpCacheFile);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ version: 1, servers: sorted }, null, 2)}\n`);
  await rename(temporary, path);
  return path;
}

/**
 * The tool set with its MCP entries expanded from the cached tool lists, for offline use (estimate
 * counts the real tool schemas a call will carry). Entries of servers with no cached list stay as
 * they are.
 */
export function expandFromCache(toolSet: ToolSet, root: string): ToolSet {
  if (!toolSet.tools.some((tool) => tool.kind === 'mcp' && tool.definition === undefined)) return toolSet;
  const cache = readMcpCache(root);
  if (!cache) return toolSet;
  const tools: ToolSpec[] = [];
  for (const spec of toolSet.tools) {
    const listed = spec.kind === 'mcp' && spec.definition === undefined ? cache.servers[spec.server] : undefined;
    if (spec.kind !== 'mcp' || !listed) {
      tools.push(spec);
      continue;
    }
    for (const tool of listed.tools) {
      if (spec.tool !== '*' && tool.name !== spec.tool) continue;
      tools.push({ kind: 'mcp', name: wireName(spec.server, tool.name), server: spec.server, tool: tool.name, definition: { description: tool.description, inputSchema: forVendors(tool.inputSchema) } });
    }
  }
  return { ...toolSet, tools };
}
