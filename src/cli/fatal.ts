// Turns any error into a message and an exit code. Users never see a stack trace;
// AGENTPIPE_DEBUG=1 prints one for us. Under --json (or --format json) the error is also one JSON
// object on stdout, so a script reading stdout always gets JSON back.

import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { AgentpipeError, ConfigError, ExitCode, formatDiagnostic, type Diagnostic } from '../errors.js';

/** Whether the command line asked for JSON on stdout (`--json`, `--format json`, `--format=json`). */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.some((argument, index) => argument === '--json' || argument === '--format=json' || (argument === '--format' && argv[index + 1] === 'json'));
}

export function handleFatal(error: unknown, json = wantsJson(process.argv.slice(2))): number {
  const { code, message, diagnostics } = describe(error);
  if (json) {
    const document = { type: 'error', exitCode: code, message, ...(diagnostics && diagnostics.length > 0 ? { diagnostics } : {}) };
    try {
      process.stdout.write(`${JSON.stringify(document)}\n`);
    } catch {
      // A closed stdout: stderr still has the message.
    }
  }
  return code;
}

function describe(error: unknown): { code: number; message: string; diagnostics?: Diagnostic[] } {
  if (error instanceof ConfigError) {
    for (const diagnostic of error.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    if (error.diagnostics.length === 0) process.stderr.write(`agentpipe: ${error.message}\n`);
    return { code: error.exitCode, message: error.message, diagnostics: error.diagnostics };
  }
  if (error instanceof AgentpipeError) {
    process.stderr.write(`agentpipe: ${error.message}\n`);
    return { code: error.exitCode, message: error.message };
  }
  // cac throws plain Errors for usage problems (unknown option, missing argument).
  if (error instanceof Error && error.name === 'CACError') {
    const message = `${error.message}. Run \`agentpipe --help\`.`;
    process.stderr.write(`agentpipe: ${message}\n`);
    return { code: ExitCode.invalidConfig, message };
  }
  const filesystem = filesystemProblem(error);
  if (filesystem !== undefined) {
    process.stderr.write(`agentpipe: ${filesystem}\n`);
    return { code: ExitCode.runFailed, message: filesystem };
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`agentpipe: internal error: ${message}\nPlease report it; rerun with AGENTPIPE_DEBUG=1 for details.\n`);
  if (process.env['AGENTPIPE_DEBUG'] && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return { code: ExitCode.runFailed, message: `internal error: ${message}` };
}

/**
 * A file-system error agentpipe met writing its own files (`.agentpipe/` a file, a read-only folder,
 * a full disk) is the user's to fix, not a bug: one line naming the path and what to do.
 */
function filesystemProblem(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof path !== 'string') return undefined;
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    // The nearest part of the path that exists and is not a folder is what is in the way.
    for (let current = path; ; current = dirname(current)) {
      const info = (() => {
        try {
          return statSync(current);
        } catch {
          return undefined;
        }
      })();
      if (info && !info.isDirectory()) return `${current} is a file, not a folder; agentpipe keeps its state in folders there: move the file away, then run the command again`;
      if (dirname(current) === current) break;
    }
    return undefined;
  }
  const reasons: Record<string, string> = {
    EACCES: 'permission denied: make it writable (and readable) for this user',
    EPERM: 'operation not permitted: make it writable for this user',
    EROFS: 'the file system is read-only: run agentpipe from a writable copy of the project',
    ENOSPC: 'no space left on the device: free some space',
    EDQUOT: 'the disk quota is exhausted: free some space',
  };
  const reason = reasons[code];
  return reason === undefined ? undefined : `cannot access ${path}: ${reason}, then run the command again`;
}
