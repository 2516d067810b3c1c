// A stdio MCP transport that spawns what the sandbox says to spawn. The SDK's own stdio transport
// takes only a command and arguments; a bubblewrap spawn also needs extra input pipes (fd 3, 4, …)
// for the files it writes into the sandbox, so the process is started here and the SDK's framing
// (ReadBuffer, serializeMessage) does the JSON-RPC over its stdin and stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { SpawnSpec } from '../sandbox/index.js';

type StdioFraming = typeof import('@modelcontextprotocol/sdk/shared/stdio.js');

export class SpawnedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private child: ChildProcess | undefined;
  private closed = false;

  constructor(
    private readonly spec: SpawnSpec,
    private readonly framing: StdioFraming,
    private readonly onStderr: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    const { spec } = this;
    const child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['pipe', 'pipe', 'pipe', ...spec.extraInputs.map(() => 'pipe' as const)],
      // Its own process group, so that closing the server also ends whatever it started.
      detached: true,
      shell: false,
      windowsHide: true,
    });
    this.child = child;
    spec.extraInputs.forEach((text, index) => {
      const pipe = child.stdio[index + 3] as NodeJS.WritableStream | null;
      (pipe as unknown as NodeJS.EventEmitter | null)?.on('error', () => undefined);
      pipe?.end(text);
    });
    const buffer = new this.framing.ReadBuffer();
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer.append(chunk);
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = buffer.readMessage();
        } catch (error) {
          // A line that is not JSON-RPC: report it; the request it should have answered times out.
          this.onerror?.(error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        if (message === null) break;
        this.onmessage?.(message);
      }
    });
    let partial = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.onStderr(line);
    });
    child.stdin!.on('error', (error) => this.onerror?.(error));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.once('error', (error) => this.onerror?.(error));
    child.once('close', () => {
      if (partial.trim()) this.onStderr(partial);
      this.finish();
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.closed) return Promise.reject(new Error('the server process has exited'));
    return new Promise((resolve, reject) => {
      stdin.write(this.framing.serializeMessage(message), (error) => (error ? reject(error) : resolve()));
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || this.closed) return;
    child.stdin?.end();
    // A polite end of input first; the process group is killed if it lingers.
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const timer = setTimeout(() => killGroup(child), 2000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops what the sandbox started for the server (its network proxy) once the process is gone. */
  private release(): void {
    void this.spec.release?.().catch(() => undefined);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    this.onclose?.();
  }
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}
