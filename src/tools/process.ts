// Runs one subprocess for bash and command tools: an argv (no shell) inside the OS sandbox, with a
// scrubbed environment, a timeout and an output cap. The child gets its own process group so a
// timeout kills its children too.

import { spawn } from 'node:child_process';
import type { BashRules, SandboxMode, ToolSet } from '../compile/ir.js';
import type { SandboxPolicy } from '../sandbox/index.js';
import { checkHost } from './permissions.js';
import { holdsSecret, isSecretEnvName } from './redact.js';
import { ToolDeniedError, ToolFailedError, type ToolOutcome, type ToolRuntime } from './types.js';

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
  /** Written to the child's fd 3, 4, … and closed (the sandbox's start-up data). */
  extraInputs?: string[];
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
      stdio: ['ignore', 'pipe', 'pipe', ...(request.extraInputs ?? []).map(() => 'pipe' as const)],
      detached: true,
      shell: false,
      windowsHide: true,
    });
    (request.extraInputs ?? []).forEach((text, index) => {
      const pipe = child.stdio[index + 3] as NodeJS.WritableStream | null | undefined;
      // A child that exits before reading closes the pipe: that is its business, not an error here.
      (pipe as unknown as NodeJS.EventEmitter | undefined)?.on('error', () => undefined);
      pipe?.end(text);
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
    child.stdout!.on('data', collect('stdout'));
    child.stderr!.on('data', collect('stderr'));
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

/** Memory a sandboxed command may allocate (RLIMIT_DATA): enough for a test runner, not for a runaway. */
export const sandboxMemoryBytes = 4 * 1024 ** 3;

/** What the sandbox lets a command of this tool set reach. CPU time is capped at the wall-clock timeout. */
export function sandboxPolicy(toolSet: ToolSet, timeoutMs: number): SandboxPolicy {
  const { read, write, bash } = toolSet.permissions;
  return {
    workspace: toolSet.workspace,
    readDeny: read.deny,
    expose: bash.expose,
    writeAllow: write.allow,
    writeDeny: write.deny,
    cpuSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
    memoryBytes: sandboxMemoryBytes,
  };
}

/** bash and command tools alike: run in the workspace, in the sandbox, with the scrubbed env and the bash caps. */
export async function runInWorkspace(runtime: ToolRuntime, file: string, args: string[], timeoutMs: number, mode: SandboxMode = runtime.toolSet.permissions.bash.sandbox): Promise<ToolOutcome> {
  const rules = runtime.toolSet.permissions.bash;
  const { confine, SandboxUnavailableError } = await import('../sandbox/index.js');
  // Named hosts are matched exactly as the http tool matches its own (http.deny_hosts applies too).
  const hostRules = { ...runtime.toolSet.permissions.http, allowHosts: rules.allowHosts };
  const allowHost = rules.allowHosts.length === 0 ? undefined : (host: string): boolean => {
    try {
      checkHost(hostRules, host);
      return true;
    } catch {
      return false;
    }
  };
  let spawnSpec;
  try {
    spawnSpec = await confine({ file, args, env: scrubbedEnv(rules, runtime.env) }, sandboxPolicy(runtime.toolSet, timeoutMs), mode, allowHost);
  } catch (error) {
    if (error instanceof SandboxUnavailableError) throw new ToolDeniedError('bash.sandbox', `${error.reason}; or set \`sandbox: off\` under defaults.bash in tools.yaml to run commands unconfined`);
    throw error;
  }
  const request: ProcessRequest = {
    file: spawnSpec.file,
    args: spawnSpec.args,
    cwd: spawnSpec.cwd,
    env: spawnSpec.env,
    timeoutMs,
    maxOutputBytes: rules.maxOutputBytes,
    signal: runtime.signal,
    extraInputs: spawnSpec.extraInputs,
  };
  try {
    return processOutcome(await runProcess(request), request);
  } finally {
    await spawnSpec.release?.();
  }
}
