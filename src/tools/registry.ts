// The one place builtin tool names map to implementations, and tools.yaml entries become tools.

import type { BuiltinToolName, ToolSet, ToolSpec } from '../compile/ir.js';
import type { ToolDefinition } from '../providers/types.js';
import { bashTool } from './builtins/bash.js';
import { editTool, readTool, writeTool } from './builtins/files.js';
import { globTool, grepTool } from './builtins/find.js';
import { httpTool } from './builtins/http.js';
import { webSearchTool } from './builtins/web-search.js';
import { runCommandTool } from './command.js';
import { ToolFailedError, type BuiltinTool, type ToolOutcome, type ToolRuntime } from './types.js';

export const builtinTools: Readonly<Record<BuiltinToolName, BuiltinTool>> = {
  read: readTool,
  write: writeTool,
  edit: editTool,
  glob: globTool,
  grep: grepTool,
  bash: bashTool,
  http: httpTool,
  web_search: webSearchTool,
};

/** A tools.yaml entry bound to its implementation. */
export interface ResolvedTool {
  spec: ToolSpec;
  definition: ToolDefinition;
  timeoutMs: number;
  run(input: Record<string, unknown>, runtime: ToolRuntime): Promise<ToolOutcome>;
}

export function resolveTool(toolSet: ToolSet, spec: ToolSpec): ResolvedTool {
  if (spec.kind === 'mcp') {
    const server = toolSet.mcpServers?.[spec.server];
    return {
      spec,
      definition: { name: spec.name, description: spec.definition?.description ?? `Tool ${spec.tool} of MCP server ${spec.server}`, inputSchema: spec.definition?.inputSchema ?? { type: 'object' } },
      // Progress restarts a call's own timeout up to ten times (src/mcp/connection.ts); the server's
      // error is the one reported, so this outer limit only backs it up.
      timeoutMs: (server?.callTimeoutMs ?? 60_000) * 10 + 2000,
      run: (input, runtime) => {
        if (!runtime.mcp) throw new ToolFailedError(`MCP tool ${spec.server}.${spec.tool} cannot run here: no MCP servers were started for this run`);
        return runtime.mcp.call(runtime.toolSet, spec, input, runtime.signal);
      },
    };
  }
  if (spec.kind === 'command') {
    return {
      spec,
      definition: { name: spec.name, description: spec.description, inputSchema: spec.parameters },
      timeoutMs: spec.timeoutMs ?? toolSet.permissions.bash.timeoutMs,
      run: (input, runtime) => runCommandTool(spec, input, runtime),
    };
  }
  const builtin = builtinTools[spec.builtin];
  return {
    spec,
    definition: { name: spec.name, description: spec.description ?? builtin.description, inputSchema: builtin.inputSchema },
    timeoutMs: builtin.timeoutMs(toolSet),
    run: (input, runtime) => builtin.run(input, runtime),
  };
}

/** The tool set as the model sees it: name, description and argument schema per allowlisted tool. */
export function toolDefinitions(toolSet: ToolSet): ToolDefinition[] {
  return toolSet.tools.map((spec) => resolveTool(toolSet, spec).definition);
}
