import { AgentpipeError, ExitCode } from '../errors.js';

/** An MCP server could not be started, did not answer, broke the protocol, or a call failed. */
export class McpError extends AgentpipeError {
  constructor(
    readonly server: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`MCP server \`${server}\`: ${message}`, ExitCode.runFailed, options);
  }
}
