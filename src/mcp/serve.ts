// `agentpipe mcp serve`: the repo's agents and templates as MCP tools, one per target, named after
// it. A call validates the arguments against the target's inputs, runs it exactly as `agentpipe run`
// does (run folder, ledger, audit, resume), sends MCP progress notifications as steps finish, and
// answers with the run's output (structured when the agent has an object output schema) and its
// cost in `_meta`. With stdio, stdout carries JSON-RPC only: everything else goes to stderr.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { CompiledPipeline } from '../compile/ir.js';
import { AgentpipeError } from '../errors.js';
import { redactSecrets, redactValue } from '../tools/redact.js';
import { foreignBrowserRefusal } from '../serve/loopback.js';
import type { RawProject } from '../load/index.js';

export interface ServeMcpOptions {
  stdio?: boolean;
  port?: number;
  host?: string;
  cwd?: string;
  /** Tool calls that run at once; more wait in arrival order (default 4). */
  concurrency?: number;
  /** Resolves once the server listens (tests read the port from here). */
  onListening?: (address: { host: string; port: number }) => void;
}

interface Target {
  name: string;
  pipeline: CompiledPipeline;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  description: string;
}

export async function serveMcp(options: ServeMcpOptions): Promise<number> {
  // Nothing of ours may write to stdout while it carries JSON-RPC.
  if (options.stdio) console.log = console.error;
  const { loadProject } = await import('../load/index.js');
  const { validateProjectOrThrow } = await import('../validate/index.js');
  const raw = await loadProject(options.cwd ? { cwd: options.cwd } : {});
  const config = await validateProjectOrThrow(raw, { mode: 'lint' });
  const env = { ...raw.env } as NodeJS.ProcessEnv;
  const targets = await compileTargets(config, env, raw.root);
  const slots = new Slots(options.concurrency ?? 4);
  const { Server } = await import('@modelcontextprotocol/sdk/server/index.js');
  const { CallToolRequestSchema, ListToolsRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
  const newServer = () => {
    const server = new Server({ name: 'agentpipe', version: '0.1.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: targets.map((target) => ({
        name: target.name,
        description: target.description,
        inputSchema: target.inputSchema as { type: 'object' },
        ...(target.outputSchema ? { outputSchema: target.outputSchema as { type: 'object' } } : {}),
      })),
    }));
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const target = targets.find((candidate) => candidate.name === request.params.name);
      if (!target) return { content: [{ type: 'text', text: `unknown tool \`${request.params.name}\`: this server offers ${targets.map((entry) => entry.name).join(', ')}` }], isError: true };
      const progressToken = request.params._meta?.progressToken;
      const progress = progressToken === undefined ? undefined : (done: number, total: number, message: string) => extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: done, total, message } }).catch(() => undefined);
      // Each call is a paid run: at most `concurrency` at once, the rest wait their turn.
      if (slots.busy()) await progress?.(0, target.pipeline.steps.length, `queued: ${slots.waiting() + 1} call(s) ahead of capacity ${slots.capacity}`);
      const release = await slots.acquire(extra.signal);
      if (release === undefined) return { content: [{ type: 'text', text: 'cancelled while queued' }], isError: true };
      try {
        return await runTarget(target, request.params.arguments ?? {}, { raw, env, signal: extra.signal, ...(progress ? { progress } : {}) });
      } finally {
        release();
      }
    });
    return server;
  };

  if (options.stdio) {
    const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
    const server = newServer();
    await server.connect(new StdioServerTransport());
    process.stderr.write(`agentpipe mcp serve: ${targets.length} tool(s) on stdio: ${targets.map((target) => target.name).join(', ')}\n`);
    await new Promise<void>((resolve) => {
      server.onclose = () => resolve();
      process.stdin.on('end', () => resolve());
    });
    return 0;
  }
  return serveHttp(newServer, targets, options);
}

async function serveHttp(newServer: () => import('@modelcontextprotocol/sdk/server/index.js').Server, targets: Target[], options: ServeMcpOptions): Promise<number> {
  const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  const host = options.host ?? '127.0.0.1';
  const http = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/mcp') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('agentpipe MCP endpoint is /mcp\n');
      return;
    }
    // The endpoint has no credentials, so only local clients may use it: a web page whose name was
    // re-pointed at 127.0.0.1 (DNS rebinding) sends its own Host, and a page calling us directly sends
    // its Origin. Either would otherwise start paid runs from a browser tab.
    const refusal = foreignBrowserRefusal(request.headers.host, request.headers.origin);
    if (refusal !== undefined) {
      response.writeHead(403, { 'content-type': 'text/plain' }).end(`${refusal}: it serves local clients only\n`);
      return;
    }
    // Stateless: one server and transport per request, so no session state to lose or leak.
    const server = newServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    response.on('close', () => {
      void transport.close();
      void server.close();
    });
    server
      .connect(transport)
      .then(() => transport.handleRequest(request, response))
      .catch(() => {
        if (!response.headersSent) response.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => resolve());
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 0;
  process.stderr.write(`agentpipe mcp serve: ${targets.length} tool(s) at http://${host}:${port}/mcp\n`);
  options.onListening?.({ host, port });
  await new Promise<void>((resolve) => {
    const stop = () => http.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** A counting semaphore with a FIFO queue; a waiter whose signal aborts leaves the queue. */
class Slots {
  private running = 0;
  private readonly queue: Array<() => void> = [];
  constructor(readonly capacity: number) {}
  busy(): boolean {
    return this.running >= this.capacity;
  }
  waiting(): number {
    return this.queue.length;
  }
  async acquire(signal: AbortSignal): Promise<(() => void) | undefined> {
    if (this.running < this.capacity && this.queue.length === 0) {
      this.running += 1;
      return this.releaser();
    }
    return new Promise((resolve) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.running += 1;
        resolve(this.releaser());
      };
      const onAbort = (): void => {
        const at = this.queue.indexOf(grant);
        if (at >= 0) this.queue.splice(at, 1);
        resolve(undefined);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(grant);
    });
  }
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      this.queue.shift()?.();
    };
  }
}

async function compileTargets(config: import('../validate/types.js').ProjectConfig, env: NodeJS.ProcessEnv, root: string): Promise<Target[]> {
  const { compile } = await import('../compile/compile.js');
  const targets: Target[] = [];
  const taken = new Set<string>();
  const candidates = [
    ...[...config.agents.values()].map((agent) => ({ kind: 'agent' as const, name: agent.value.name, description: agent.value.description })),
    ...[...config.templates.values()].map((template) => ({ kind: 'template' as const, name: template.value.name, description: template.value.description })),
  ];
  for (const candidate of candidates) {
    let pipeline: CompiledPipeline;
    try {
      pipeline = compile(config, { kind: candidate.kind, name: candidate.name }, { env, cwd: root });
    } catch (error) {
      process.stderr.write(`agentpipe mcp serve: ${candidate.kind} \`${candidate.name}\` is not offered: ${redactSecrets(error instanceof Error ? error.message.split('\n')[0]! : String(error), env)}\n`);
      continue;
    }
    const name = toolName(candidate.name, candidate.kind, taken);
    taken.add(name);
    const outputSchema = candidate.kind === 'agent' ? pipeline.steps[0]?.agent.outputSchema : undefined;
    targets.push({
      name,
      pipeline,
      description: candidate.description ?? `Runs the agentpipe ${candidate.kind} \`${candidate.name}\` (${pipeline.source.file}).`,
      inputSchema: inputSchemaOf(pipeline),
      ...(outputSchema && outputSchema['type'] === 'object' ? { outputSchema } : {}),
    });
  }
  return targets;
}

/** MCP tool names: [A-Za-z0-9_.-]; a template that shares an agent's name gets a suffix. */
function toolName(name: string, kind: 'agent' | 'template', taken: Set<string>): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  return taken.has(safe) ? `${safe}_${kind}` : safe;
}

function inputSchemaOf(pipeline: CompiledPipeline): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, spec] of Object.entries(pipeline.inputs)) {
    properties[name] = { type: spec.type, ...(spec.description ? { description: spec.description } : {}), ...(spec.default === undefined ? {} : { default: spec.default }) };
    if (spec.required && spec.default === undefined) required.push(name);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

interface RunContext {
  raw: RawProject;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  progress?: (done: number, total: number, message: string) => Promise<unknown>;
}

type ToolAnswer = { content: Array<{ type: 'text'; text: string }>; isError?: boolean; structuredContent?: Record<string, unknown>; _meta?: Record<string, unknown> };

async function runTarget(target: Target, args: Record<string, unknown>, context: RunContext): Promise<ToolAnswer> {
  const [{ resolveInputs }, { requireTargetEnv }, { startRun }, { createDefaultPorts }] = await Promise.all([
    import('../compile/inputs.js'),
    import('../compile/project.js'),
    import('../run/run.js'),
    import('../run/default-ports.js'),
  ]);
  const { env } = context;
  let inputs: Record<string, unknown>;
  try {
    inputs = resolveInputs(target.pipeline.inputs, args, { mode: 'run' });
    await requireTargetEnv(context.raw, target.pipeline);
  } catch (error) {
    return failure(error, env);
  }
  const total = target.pipeline.steps.length;
  let done = 0;
  // Notifications still in flight are awaited before the answer, so none arrives after it.
  const notices: Array<Promise<unknown>> = [];
  await context.progress?.(0, total, `started ${target.name}`);
  const result = await startRun({
    pipeline: target.pipeline,
    target: target.pipeline.source.file,
    inputs,
    ports: createDefaultPorts(env, { mcp: { onStderr: (line) => process.stderr.write(`${redactSecrets(line, env)}\n`) } }),
    env,
    signal: context.signal,
    onEvent: (event) => {
      if (event.type === 'step-end' && !event.stepId?.includes('[')) {
        done += 1;
        const notice = context.progress?.(done, total, `step ${event.stepId} ${event.status}`);
        if (notice) notices.push(notice);
      }
    },
  }).catch((error: unknown) => error as Error);
  await Promise.all(notices);
  if (result instanceof Error) return failure(result, env);
  const meta = { 'agentpipe/runId': result.runId, 'agentpipe/status': result.status, 'agentpipe/costUsd': result.costUsd, 'agentpipe/durationMs': result.durationMs };
  if (result.status !== 'succeeded') {
    return { content: [{ type: 'text', text: redactSecrets(`run ${result.runId} ${result.status}: ${result.error?.message ?? 'no output'}`, env) }], isError: true, _meta: meta };
  }
  const outputs = redactValue(result.outputs, env) as Record<string, unknown>;
  const values = Object.values(outputs);
  const output = values.length === 1 ? values[0] : outputs;
  const text = typeof output === 'string' ? output : JSON.stringify(output, null, 2);
  const structured = target.outputSchema && typeof output === 'object' && output !== null && !Array.isArray(output) ? { structuredContent: output as Record<string, unknown> } : {};
  return { content: [{ type: 'text', text }], ...structured, _meta: meta };
}

function failure(error: unknown, env: NodeJS.ProcessEnv): ToolAnswer {
  const message = error instanceof AgentpipeError || error instanceof Error ? error.message : String(error);
  return { content: [{ type: 'text', text: redactSecrets(message, env) }], isError: true };
}
