// Shapes shared by the tool implementations, the registry and executeToolCall.

import { AgentpipeError, ExitCode } from '../errors.js';
import type { BuiltinToolName, ToolSet, ToolSpec } from '../compile/ir.js';

/** What web_search receives; src/search supplies the handler so tools never import it. */
export interface WebSearchInput {
  query: string;
  maxResults?: number;
  /** The tools.yaml `provider:` of this web_search tool, when set. */
  provider?: string;
}

export type WebSearchHandler = (input: WebSearchInput) => Promise<string>;

/** Calls a tool of an MCP server (src/mcp supplies it per run, so tools never import the SDK). */
export interface McpCaller {
  call(toolSet: ToolSet, spec: Extract<ToolSpec, { kind: 'mcp' }>, input: Record<string, unknown>, signal: AbortSignal): Promise<ToolOutcome>;
}

/** Everything a running tool may use. `signal` already carries the per-tool timeout. */
export interface ToolRuntime {
  toolSet: ToolSet;
  /** The tools.yaml entry being run. */
  spec: ToolSpec;
  signal: AbortSignal;
  /** The parent environment; bash filters it, redaction reads it. Defaults to process.env. */
  env: NodeJS.ProcessEnv;
  webSearch?: WebSearchHandler;
  mcp?: McpCaller;
}

export interface ToolOutcome {
  /** Text returned to the model (redacted and capped by executeToolCall). */
  output: string;
  /** The tool ran but failed (non-zero exit, HTTP error, no match for an edit). */
  isError?: boolean;
}

export interface BuiltinTool {
  name: BuiltinToolName;
  description: string;
  /** JSON Schema (object) shown to the model and checked before `run`. */
  inputSchema: Record<string, unknown>;
  /** Default timeout when the rules name none (bash and http use theirs). */
  timeoutMs(toolSet: ToolSet): number;
  run(input: Record<string, unknown>, runtime: ToolRuntime): Promise<ToolOutcome>;
}

/**
 * A permission rule refused the call. Caught by executeToolCall and returned to the model as an
 * error result; the run goes on. `rule` names the rule (`read.deny ".env*"`, `workspace`) for the audit log.
 */
export class ToolDeniedError extends AgentpipeError {
  constructor(readonly rule: string, readonly reason: string) {
    super(`denied by ${rule}: ${reason}`, ExitCode.runFailed);
  }
}

/** The call was allowed but could not be carried out (bad arguments, missing file, ambiguous edit). */
export class ToolFailedError extends AgentpipeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.runFailed, options);
  }
}
