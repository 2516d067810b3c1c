// Runs one subprocess for bash and command tools: an argv (no shell), a scrubbed environment,
// a timeout and an output cap. The child gets its own process group so a timeout kills its children too.

import { spawn } from 'node:child_process';
import type { BashRules } from '../compile/ir.js';
import { holdsSecret, isSecretEnvName } from './redact.js';
import { ToolFailedError, type ToolOutcome, type ToolRuntime } from './types.js';

/** Only the names the rules list, and never a secret-looking name or a known secret value even when listed. */
export function scrubbedEnv(rules: BashRules, parent: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of rules.env) {
    const value = parent[name];
    if (value !== undefined && !isSecretEnvName(name) && !holdsSecret(value)) env[name] = value;
  }
  return env;
}

export interface ProcessRequest {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Cap on stdout + stderr together; the child is killed when it writes more. */
  maxOutputBytes: number;
  signal: AbortSignal;
}

export interface ProcessResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
}

export function runProcess(request: ProcessRequest): Promise<ProcessResult> {
  return new Promise((resolvePromise, rejectPromise) => {
    const child = spawn(request.file, request.args, {
      cwd: request.cwd,
      env: request.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      shell: false,
      windowsHide: true,
    });
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    let bytes = 0;
    let timedOut = false;
    let truncated = false;
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const room = request.maxOutputBytes - bytes;
      if (room <= 0) return;
      if (chunk.length > room) {
        truncated = true;
        chunks[stream].push(chunk.subarray(0, room));
        bytes += room;
        killGroup();
        return;
      }
      chunks[stream].push(chunk);
      bytes += chunk.length;
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, request.timeoutMs);
    const onAbort = (): void => {
      timedOut = true;
      killGroup();
    };
    request.signal.addEventListener('abort', onAbort, { once: true });
    const finish = (): void => {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onAbort);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish();
      const reason = error.code === 'ENOENT' ? 'command not found' : error.message;
      rejectPromise(new ToolFailedError(`cannot run "${request.file}": ${reason}`));
    });
    child.on('close', (exitCode) => {
      finish();
      resolvePromise({
        exitCode,
        stdout: Buffer.concat(chunks.stdout).toString('utf8'),
        stderr: Buffer.concat(chunks.stderr).toString('utf8'),
        timedOut,
        truncated,
      });
    });
  });
}

/** The text the model sees: stdout, then stderr, then one status line. */
export function processOutcome(result: ProcessResult, request: Pick<ProcessRequest, 'timeoutMs' | 'maxOutputBytes'>): ToolOutcome {
  const withoutFinalNewline = (text: string): string => text.replace(/\n$/, '');
  const parts = [withoutFinalNewline(result.stdout)];
  if (result.stderr) parts.push(`--- stderr ---\n${withoutFinalNewline(result.stderr)}`);
  if (result.truncated) parts.push(`(output truncated at ${request.maxOutputBytes} bytes; process killed)`);
  if (result.timedOut) parts.push(`(killed after ${request.timeoutMs} ms timeout)`);
  else if (!result.truncated) parts.push(`(exit code ${result.exitCode ?? 'none'})`);
  return { output: parts.filter((part) => part !== '').join('\n'), isError: result.timedOut || (result.exitCode !== 0 && !result.truncated) };
}

/** bash and command tools alike: run in the workspace with the scrubbed env and the bash caps. */
export async function runInWorkspace(runtime: ToolRuntime, file: string, args: string[], timeoutMs: number): Promise<ToolOutcome> {
  const rules = runtime.toolSet.permissions.bash;
  const request: ProcessRequest = {
    file,
    args,
    cwd: runtime.toolSet.workspace,
    env: scrubbedEnv(rules, runtime.env),
    timeoutMs,
    maxOutputBytes: rules.maxOutputBytes,
    signal: runtime.signal,
  };
  return processOutcome(await runProcess(request), request);
}
