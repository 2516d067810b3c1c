// The MCP servers of one run. A server starts the first time a step needs its tools and stays up
// until the run ends (close()); every step of the run shares it. Expanding a tool set asks each
// server it names for its tools and turns `server.*` / `server.tool` into concrete tools with
// vendor-safe wire names (names.ts).
import type { McpServerSpec, ToolSet, ToolSpec } from '../compile/ir.js';
import { ToolFailedError, type ToolOutcome } from '../tools/types.js';
import { McpConnection, type ConnectOptions, type McpToolInfo } from './connection.js';
import { McpError } from './errors.js';
import { wireName } from './names.js';

type McpSpec = Extract<ToolSpec, { kind: 'mcp' }>;

export class McpManager {
  private readonly connections = new Map<string, Promise<McpConnection>>();
  private readonly toolLists = new Map<string, Promise<McpToolInfo[]>>();
  private readonly expandedSets = new WeakMap<ToolSet, Promise<ToolSet>>();
  private closing = false;

  constructor(private readonly options: Omit<ConnectOptions, 'cwd'>) {}

  /**
   * The server's live connection, started on first use. The sandbox is fixed when a stdio server
   * starts, so agents whose permissions differ each get a process of their own.
   */
  connection(spec: McpServerSpec, toolSet: ToolSet): Promise<McpConnection> {
    const key = connectionKey(spec, toolSet);
    if (this.closing) return Promise.reject(new McpError(spec.name, 'the run is over'));
    let connection = this.connections.get(key);
    if (!connection) {
      connection = McpConnection.open(spec, { ...this.options, cwd: toolSet.workspace, permissions: toolSet.permissions });
      this.connections.set(key, connection);
      // A failed start is not cached: a later step may try again.
      connection.catch(() => this.connections.delete(key));
    }
    return connection;
  }

  private tools(spec: McpServerSpec, toolSet: ToolSet): Promise<McpToolInfo[]> {
    const key = connectionKey(spec, toolSet);
    let tools = this.toolLists.get(key);
    if (!tools) {
      tools = this.connection(spec, toolSet).then((connection) => connection.listTools());
      this.toolLists.set(key, tools);
      tools.catch(() => this.toolLists.delete(key));
    }
    return tools;
  }

  /** The tool set with its MCP entries replaced by one concrete tool each; itself when it has none. */
  expand(toolSet: ToolSet): Promise<ToolSet> {
    if (!toolSet.tools.some((tool) => tool.kind === 'mcp' && tool.definition === undefined)) return Promise.resolve(toolSet);
    let expanded = this.expandedSets.get(toolSet);
    if (!expanded) {
      expanded = this.expandNow(toolSet);
      this.expandedSets.set(toolSet, expanded);
      expanded.catch(() => this.expandedSets.delete(toolSet));
    }
    return expanded;
  }

  /** The expansion made earlier for this tool set (the agent loop's tool calls name wire names). */
  async expanded(toolSet: ToolSet): Promise<ToolSet> {
    return (await this.expandedSets.get(toolSet)) ?? toolSet;
  }

  private async expandNow(toolSet: ToolSet): Promise<ToolSet> {
    const taken = new Set(toolSet.tools.filter((tool) => tool.kind !== 'mcp').map((tool) => tool.name));
    const seen = new Set<string>();
    const tools: ToolSpec[] = [];
    for (const spec of toolSet.tools) {
      if (spec.kind !== 'mcp' || spec.definition !== undefined) {
        tools.push(spec);
        continue;
      }
      const server = toolSet.mcpServers?.[spec.server];
      if (!server) throw new McpError(spec.server, 'is not declared under mcp_servers in tools.yaml');
      const offered = await this.tools(server, toolSet);
      const chosen = spec.tool === '*' ? offered : offered.filter((tool) => tool.name === spec.tool);
      if (chosen.length === 0 && spec.tool !== '*') {
        throw new McpError(spec.server, `offers no tool \`${spec.tool}\` (it offers: ${offered.map((tool) => tool.name).join(', ') || 'none'})`);
      }
      for (const tool of chosen) {
        if (seen.has(tool.name + '\u0000' + spec.server)) continue;
        seen.add(tool.name + '\u0000' + spec.server);
        const name = wireName(spec.server, tool.name, taken);
        taken.add(name);
        tools.push({ kind: 'mcp', name, server: spec.server, tool: tool.name, definition: { description: tool.description, inputSchema: forVendors(tool.inputSchema) }, ...(spec.source ? { source: spec.source } : {}) });
      }
    }
    return { ...toolSet, tools };
  }

  /** One tool call. Errors of the server become a tool error result the model can read. */
  async call(toolSet: ToolSet, spec: McpSpec, input: Record<string, unknown>, signal: AbortSignal): Promise<ToolOutcome> {
    const server = toolSet.mcpServers?.[spec.server];
    if (!server) throw new ToolFailedError(`MCP server \`${spec.server}\` is not declared`);
    try {
      const connection = await this.connection(server, toolSet);
      const outcome = await connection.callTool(spec.tool, input, signal);
      const text = redactPassedValues(outcome.text, server, this.options.env);
      return { output: capText(text, server.maxOutputBytes), ...(outcome.isError ? { isError: true } : {}) };
    } catch (error) {
      if (error instanceof McpError) throw new ToolFailedError(error.message, { cause: error });
      throw error;
    }
  }

  /** Stops every server this run started. */
  async close(): Promise<void> {
    this.closing = true;
    const connections = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(connections.map((connection) => connection.then((live) => live.close(), () => undefined)));
  }
}

/** Drops the keys vendors and our draft 2020-12 validator do not take at the top of a tool schema. */
export function forVendors(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return { type: 'object', ...rest };
}

/** A result over the server's max_output is cut on a character boundary, with a note saying so. */
function capText(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const cut = Buffer.from(text, 'utf8').subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
  return `${cut}\n(result truncated at ${maxBytes} bytes: max_output of this MCP server)`;
}

/** One process per server and sandbox: an HTTP server needs no sandbox, so it is shared by all. */
function connectionKey(spec: McpServerSpec, toolSet: ToolSet): string {
  if (spec.transport === 'http') return spec.name;
  const { read, write, bash } = toolSet.permissions;
  return `${spec.name}\u0000${toolSet.workspace}\u0000${JSON.stringify([read.deny, write.allow, write.deny, bash.expose])}`;
}

/**
 * The values a stdio server was given through `env:` are secrets whatever their names: a server that
 * echoes its environment (or reads its own /proc/self/environ) must not hand them to the model.
 */
function redactPassedValues(text: string, server: McpServerSpec, env: NodeJS.ProcessEnv): string {
  if (server.transport !== 'stdio') return text;
  let result = text;
  for (const name of server.env) {
    const value = env[name];
    // Very short values would redact ordinary words; they are not credentials either.
    if (value && value.length >= 8) result = result.split(value).join(`[redacted ${name}]`);
  }
  return result;
}
