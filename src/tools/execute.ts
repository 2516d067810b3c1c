// The single entry point the agent loop calls for a tool call. Nothing here throws for a bad call:
// a denial or failure becomes an error result the model can read, and the run goes on.

import type { ToolSet } from '../compile/ir.js';
import type { ToolCallContent, ToolResultContent } from '../providers/types.js';
import type { AuditDecision, AuditLog } from './audit.js';
import { redactSecrets } from './redact.js';
import { resolveTool } from './registry.js';
import { ToolDeniedError, ToolFailedError, type McpCaller, type ToolOutcome, type WebSearchHandler } from './types.js';
import { validateToolInput } from './validate-input.js';

export interface ToolCallContext {
  agent: string;
  stepId: string;
  audit: AuditLog;
  /** Run cancellation (Ctrl-C, run timeout). The per-tool timeout is added on top. */
  signal?: AbortSignal;
  webSearch?: WebSearchHandler;
  mcp?: McpCaller;
  /** Parent environment for bash/command tools and redaction; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Room for the status lines a tool appends (exit code, truncation notes) on top of its own cap. */
const statusHeadroomBytes = 4096;

/** Backstop: each tool caps its own output; no single result may exceed the largest cap, whatever the tool. */
function outputCap(toolSet: ToolSet): number {
  const { read, bash, http } = toolSet.permissions;
  return Math.max(read.maxBytes, bash.maxOutputBytes, http.maxBytes) + statusHeadroomBytes;
}

function capOutput(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  return `${Buffer.from(text, 'utf8').subarray(0, maxBytes).toString('utf8')}\n(output truncated at ${maxBytes} bytes)`;
}

/** Runs `work` but gives up when `signal` fires, even if the tool ignores the signal. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, describe: () => string): Promise<T> {
  return new Promise<T>((resolvePromise, rejectPromise) => {
    const onAbort = (): void => rejectPromise(new ToolFailedError(describe()));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolvePromise, rejectPromise).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function runCall(toolSet: ToolSet, call: ToolCallContent, context: ToolCallContext, env: NodeJS.ProcessEnv): Promise<ToolOutcome> {
  const spec = toolSet.tools.find((candidate) => candidate.name === call.toolName);
  if (!spec) {
    const available = toolSet.tools.map((tool) => tool.name).join(', ') || 'none';
    throw new ToolDeniedError('the tool allowlist', `tool "${call.toolName}" is not allowlisted for agent "${context.agent}" (available: ${available})`);
  }
  const tool = resolveTool(toolSet, spec);
  const invalid = await validateToolInput(tool.definition.inputSchema, call.input);
  if (invalid !== undefined) throw new ToolFailedError(`invalid arguments for ${call.toolName}: ${invalid}`);
  const timeout = AbortSignal.timeout(tool.timeoutMs);
  const signal = context.signal ? AbortSignal.any([context.signal, timeout]) : timeout;
  const runtime = { toolSet, spec, signal, env, ...(context.webSearch ? { webSearch: context.webSearch } : {}), ...(context.mcp ? { mcp: context.mcp } : {}) };
  return untilAborted(tool.run(call.input, runtime), signal, () =>
    context.signal?.aborted ? `${call.toolName} was cancelled` : `${call.toolName} timed out after ${tool.timeoutMs} ms`,
  );
}

export async function executeToolCall(toolSet: ToolSet, call: ToolCallContent, context: ToolCallContext): Promise<ToolResultContent> {
  const env = context.env ?? process.env;
  const started = Date.now();
  let decision: AuditDecision = 'allowed';
  let reason: string | undefined;
  let outcome: ToolOutcome;
  try {
    outcome = await runCall(toolSet, call, context, env);
  } catch (error) {
    if (error instanceof ToolDeniedError) {
      decision = 'denied';
      reason = error.message;
      outcome = { output: `Permission ${error.message}`, isError: true };
    } else {
      reason = error instanceof Error ? error.message : String(error);
      outcome = { output: `Error: ${reason}`, isError: true };
    }
  }
  const output = capOutput(redactSecrets(outcome.output, env), outputCap(toolSet));
  const isError = outcome.isError === true;
  await context.audit.append({
    time: new Date(started).toISOString(),
    agent: context.agent,
    step: context.stepId,
    tool: auditName(toolSet, call.toolName),
    toolCallId: call.toolCallId,
    arguments: call.input,
    decision,
    ...(reason === undefined ? {} : { reason }),
    isError,
    durationMs: Date.now() - started,
    outputBytes: Buffer.byteLength(output, 'utf8'),
  });
  return { toolCallId: call.toolCallId, toolName: call.toolName, output, ...(isError ? { isError: true } : {}) };
}

/** An MCP tool is audited as `server.tool`, its name in YAML, not its wire name. */
function auditName(toolSet: ToolSet, toolName: string): string {
  const spec = toolSet.tools.find((candidate) => candidate.name === toolName);
  return spec?.kind === 'mcp' ? `${spec.server}.${spec.tool}` : toolName;
}
