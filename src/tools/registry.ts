// The one place builtin tool names map to implementations, and tools.yaml entries become tools.

import type { BuiltinToolName, ToolSet, ToolSpec } from '../compile/ir.js';
import type { ToolDefinition } from '../providers/types.js';
import { bashTool } from './builtins/bash.js';
import { editTool, readTool, writeTool } from './builtins/files.js';
import { globTool, grepTool } from './builtins/find.js';
import { httpTool } from './builtins/http.js';
import { webSearchTool } from './builtins/web-search.js';
import { runCommandTool } from './command.js';
import type { BuiltinTool, ToolOutcome, ToolRuntime } from './types.js';

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
