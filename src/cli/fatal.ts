// Turns any error into a message and an exit code. Users never see a stack trace;
// AGENTPIPE_DEBUG=1 prints one for us.

import { AgentpipeError, ConfigError, ExitCode, formatDiagnostic } from '../errors.js';

export function handleFatal(error: unknown): number {
  if (error instanceof ConfigError) {
    for (const diagnostic of error.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    if (error.diagnostics.length === 0) process.stderr.write(`agentpipe: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof AgentpipeError) {
    process.stderr.write(`agentpipe: ${error.message}\n`);
    return error.exitCode;
  }
  // cac throws plain Errors for usage problems (unknown option, missing argument).
  if (error instanceof Error && error.name === 'CACError') {
    process.stderr.write(`agentpipe: ${error.message}. Run \`agentpipe --help\`.\n`);
    return ExitCode.invalidConfig;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`agentpipe: internal error: ${message}\nPlease report it; rerun with AGENTPIPE_DEBUG=1 for details.\n`);
  if (process.env['AGENTPIPE_DEBUG'] && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return ExitCode.runFailed;
}
