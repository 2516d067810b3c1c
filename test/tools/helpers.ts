// Shared fixtures for the tools tests: a real temp workspace, a tool set, an audit log and a loopback server.

import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Permissions, ToolSet, ToolSpec } from '../../src/compile/ir.js';
import type { ToolCallContent } from '../../src/providers/types.js';
import { AuditLog, type AuditRecord } from '../../src/tools/audit.js';
import { executeToolCall, type ToolCallContext } from '../../src/tools/execute.js';

export interface Sandbox {
  /** Real path of the workspace root. */
  workspace: string;
  /** A folder next to the workspace standing for "the rest of the machine". */
  outside: string;
  auditPath: string;
  cleanup(): Promise<void>;
}

export async function makeSandbox(files: Record<string, string> = {}): Promise<Sandbox> {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'agentpipe-tools-')));
  const workspace = join(base, 'workspace');
  const outside = join(base, 'outside');
  await mkdir(workspace);
  await mkdir(outside);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(workspace, path)), { recursive: true });
    await writeFile(join(workspace, path), content);
  }
  return { workspace, outside, auditPath: join(base, 'run', 'audit.jsonl'), cleanup: () => rm(base, { recursive: true, force: true }) };
}

export async function link(sandbox: Sandbox, target: string, path: string): Promise<void> {
  await mkdir(dirname(join(sandbox.workspace, path)), { recursive: true });
  await symlink(target, join(sandbox.workspace, path));
}

export function permissions(overrides: Partial<Permissions> = {}): Permissions {
  return {
    read: { allow: ['**'], deny: ['**/*.pem', '.git/**'], maxBytes: 1024 },
    write: { allow: ['out/**'], deny: [], maxBytes: 1024 },
    bash: {
      allow: ['ls*', 'echo *', 'printenv*', 'env', 'cat *', `${process.execPath} *`],
      deny: ['*sudo*', '*rm -rf*'],
      timeoutMs: 20_000,
      maxOutputBytes: 64 * 1024,
      env: ['PATH', 'SAFE_VAR', 'FAKE_API_KEY', 'GITHUB_TOKEN'],
      shell: false,
      expose: [],
      sandbox: 'auto',
      allowHosts: [],
    },
    http: { allowHosts: ['127.0.0.1'], denyHosts: [], timeoutMs: 20_000, maxBytes: 1024, maxRedirects: 3 },
    ...overrides,
  };
}

const allBuiltins: ToolSpec[] = (['read', 'write', 'edit', 'glob', 'grep', 'bash', 'http', 'web_search'] as const).map((builtin) => ({
  kind: 'builtin',
  name: builtin,
  builtin,
}));

export function toolSet(sandbox: Sandbox, overrides: Partial<Permissions> = {}, extraTools: ToolSpec[] = []): ToolSet {
  return { workspace: sandbox.workspace, tools: [...allBuiltins, ...extraTools], permissions: permissions(overrides) };
}

let callCounter = 0;

export function call(toolName: string, input: Record<string, unknown>): ToolCallContent {
  callCounter += 1;
  return { type: 'tool-call', toolCallId: `call_${callCounter}`, toolName, input };
}

export function context(sandbox: Sandbox, extra: Partial<ToolCallContext> = {}): ToolCallContext {
  return { agent: 'tester', stepId: 'main', audit: new AuditLog(sandbox.auditPath), ...extra };
}

/** One call through the real entry point, with a fresh audit log unless one is given; a fresh one is closed after the call. */
export async function run(set: ToolSet, sandbox: Sandbox, toolName: string, input: Record<string, unknown>, extra: Partial<ToolCallContext> = {}) {
  const callContext = context(sandbox, extra);
  try {
    return await executeToolCall(set, call(toolName, input), callContext);
  } finally {
    // Its file handle would otherwise be closed by the garbage collector (Node's DEP0137 warning).
    if (extra.audit === undefined) await callContext.audit.flush();
  }
}

export async function auditRecords(path: string): Promise<AuditRecord[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditRecord);
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  requests: string[];
  close(): Promise<void>;
}

export async function startServer(handler: (request: IncomingMessage, response: ServerResponse, port: number) => void): Promise<LoopbackServer> {
  const requests: string[] = [];
  let port = 0;
  const server: Server = createServer((request, response) => {
    requests.push(`${request.method} ${request.headers.host} ${request.url}`);
    handler(request, response, port);
  });
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise<void>((resolvePromise) => server.close(() => resolvePromise())),
  };
}

/** The routes every http test uses. `/to-localhost` redirects to a host name the rules do not allow. */
export function standardRoutes(request: IncomingMessage, response: ServerResponse, port: number): void {
  const url = request.url ?? '/';
  if (url === '/hello') return void response.end('hello from loopback');
  if (url === '/echo') {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => response.end(`${request.method} ${Buffer.concat(chunks).toString('utf8')}`));
    return;
  }
  if (url === '/big') return void response.end('x'.repeat(10_000));
  if (url === '/missing') return void response.writeHead(404).end('not here');
  if (url === '/redirect-ok') return void response.writeHead(302, { location: '/hello' }).end();
  if (url === '/post-redirect') return void response.writeHead(303, { location: '/echo' }).end();
  if (url === '/to-localhost') return void response.writeHead(302, { location: `http://localhost:${port}/hello` }).end();
  if (url === '/loop') return void response.writeHead(302, { location: '/loop' }).end();
  response.writeHead(500).end('unexpected route');
}
