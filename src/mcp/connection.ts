// One live MCP server: the official SDK's Client over stdio (a child process) or streamable HTTP.
// Every request has a timeout, and a server that exits, hangs or writes garbage fails the pending
// request with an McpError instead of hanging the run. The SDK loads only when a server is used.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { McpServerSpec } from '../compile/ir.js';
import { normalizeHost } from '../tools/permissions.js';
import { wildcardRegExp } from '../tools/wildcard.js';
import { McpError } from './errors.js';
import { resultText, type McpCallResult } from './result.js';

export interface McpToolInfo {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface McpCallOutcome {
  text: string;
  isError: boolean;
  structured?: unknown;
}

export interface ConnectOptions {
  /** The workspace: a stdio server's working directory. */
  cwd: string;
  /** The run's environment, where `env:` names are looked up. */
  env: NodeJS.ProcessEnv;
  /** The tool set's permissions: what the sandbox lets a stdio server read and write. */
  permissions?: import('../compile/ir.js').Permissions;
  /** Receives the server's stderr lines (already redacted by the caller's sink). */
  onStderr?: (line: string) => void;
}

export class McpConnection {
  private closed = false;
  private exitReason: string | undefined;

  private constructor(
    readonly spec: McpServerSpec,
    private readonly client: Client,
  ) {}

  static async open(spec: McpServerSpec, options: ConnectOptions): Promise<McpConnection> {
    const [{ Client }] = await Promise.all([import('@modelcontextprotocol/sdk/client/index.js')]);
    const client = new Client({ name: 'agentpipe', version: '0.1.0' }, { capabilities: {} });
    const connection = new McpConnection(spec, client);
    const transport = await connection.transport(options);
    const started = client.connect(transport, { timeout: spec.startTimeoutMs });
    try {
      await withDeadline(started, spec.startTimeoutMs, () => new McpError(spec.name, `did not finish the MCP handshake within ${spec.startTimeoutMs} ms (start_timeout)`));
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error instanceof McpError ? error : new McpError(spec.name, `could not start: ${messageOf(error)}${connection.exitReason ? ` (${connection.exitReason})` : ''}`, { cause: error });
    }
    return connection;
  }

  private async transport(options: ConnectOptions) {
    const spec = this.spec;
    if (spec.transport === 'http') {
      const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
      const allowed = spec.allowHosts.length > 0 ? spec.allowHosts : [new URL(spec.url).hostname];
      const guardedFetch: typeof fetch = async (input, init) => {
        const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
        checkHost(spec.name, url.hostname, allowed);
        // Redirects are followed by hand so each hop's host is checked too.
        const response = await fetch(url, { ...init, redirect: 'manual' });
        if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
          const next = new URL(response.headers.get('location')!, url);
          checkHost(spec.name, next.hostname, allowed);
          return fetch(next, { ...init, redirect: 'error' });
        }
        return response;
      };
      return new StreamableHTTPClientTransport(new URL(spec.url), { requestInit: { headers: spec.headers }, fetch: guardedFetch });
    }
    const [framing, { SpawnedStdioTransport }, { confineServer }] = await Promise.all([
      import('@modelcontextprotocol/sdk/shared/stdio.js'),
      import('./stdio-transport.js'),
      import('./sandboxed.js'),
    ]);
    const spawnSpec = await confineServer(spec, options);
    const transport = new SpawnedStdioTransport(spawnSpec, framing, (line) => options.onStderr?.(line));
    const onClose = () => {
      this.exitReason ??= 'the server process exited';
    };
    // The Client installs its own onclose when it connects; chain ours after it.
    queueMicrotask(() => {
      const clientOnClose = transport.onclose;
      transport.onclose = () => {
        onClose();
        clientOnClose?.();
      };
    });
    return transport;
  }

  async listTools(): Promise<McpToolInfo[]> {
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.request(
        (timeout) => this.client.listTools(cursor ? { cursor } : {}, { timeout }),
        'tools/list',
      );
      for (const tool of page.tools) {
        tools.push({ name: tool.name, description: tool.description ?? tool.title ?? tool.name, inputSchema: tool.inputSchema as Record<string, unknown> });
      }
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  async callTool(tool: string, input: Record<string, unknown>, signal: AbortSignal, onProgress?: (progress: number, total?: number) => void): Promise<McpCallOutcome> {
    const result = (await this.request(
      (timeout) =>
        this.client.callTool({ name: tool, arguments: input }, undefined, {
          timeout,
          // A server that reports progress is alive: each notification restarts the timeout, up to
          // ten times the timeout in all.
          resetTimeoutOnProgress: true,
          maxTotalTimeout: timeout * 10,
          onprogress: (progress: { progress: number; total?: number }) => onProgress?.(progress.progress, progress.total),
          signal,
        }),
      `tools/call ${tool}`,
      10,
    )) as McpCallResult;
    return { text: resultText(result), isError: result.isError === true, ...(result.structuredContent === undefined ? {} : { structured: result.structuredContent }) };
  }

  /** Runs one request under the call timeout; a closed server or a protocol error becomes an McpError. */
  private async request<T>(send: (timeoutMs: number) => Promise<T>, what: string, progressFactor = 1): Promise<T> {
    if (this.closed) throw new McpError(this.spec.name, `${what}: the server is closed${this.exitReason ? ` (${this.exitReason})` : ''}`);
    const timeout = this.spec.callTimeoutMs;
    try {
      // The SDK enforces the timeout; this deadline is a backstop for a transport that never settles.
      return await withDeadline(send(timeout), timeout * progressFactor + 1000, () => new McpError(this.spec.name, `${what} did not answer within ${timeout} ms (timeout)`));
    } catch (error) {
      if (error instanceof McpError) throw error;
      const detail = messageOf(error);
      if (/timed out|timeout/i.test(detail)) throw new McpError(this.spec.name, `${what} did not answer within ${timeout} ms (timeout)`, { cause: error });
      throw new McpError(this.spec.name, `${what} failed: ${detail}${this.exitReason ? ` (${this.exitReason})` : ''}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await withDeadline(this.client.close(), 5000, () => new Error('close timed out')).catch(() => undefined);
  }
}

function checkHost(server: string, hostname: string, allowed: string[]): void {
  const host = normalizeHost(hostname);
  if (!allowed.some((pattern) => wildcardRegExp(pattern, true).test(host))) {
    throw new McpError(server, `host "${host}" is not in allow_hosts (${allowed.join(', ')})`);
  }
}

/** Rejects with `onTimeout()` when `work` has not settled after `ms` (a server that never answers). */
function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
