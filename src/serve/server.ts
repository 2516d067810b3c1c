// Builds serve's Fastify instance: security headers, auth and roles (onRequest), a per-principal
// rate limit (preHandler, so it counts by key), one plugin per route group with its JSON Schemas,
// the OpenAPI document, and one error handler that turns every failure into a one-line JSON error
// (config problems carry the CLI's diagnostics) with secrets redacted. No CORS: the dashboard is
// served from the same origin.

import type { FastifyError, FastifyInstance } from 'fastify';
import { AgentpipeError, ConfigError } from '../errors.js';
import { redactDiagnostic } from '../secrets.js';
import { redactSecrets } from '../tools/redact.js';
import { allows, Authenticator, type JwtSettings } from './auth.js';
import type { ServeContext } from './context.js';
import { EventHub } from './event-hub.js';
import { KeyStore } from './keys.js';
import { foreignBrowserRefusal } from './loopback.js';
import { createMetrics } from './metrics.js';
import { ServeProject } from './project.js';
import { RunIndex } from './run-index.js';
import { InlineExecutor, Runner, WorkerPool } from './runner.js';
import type { RuntimePorts } from '../run/ports.js';

export const defaultWorkerHeapMb = 128;

export interface ServerOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  /** Runs at once; the rest wait in the queue. */
  concurrency: number;
  /** Requests per minute per key (or per client address without auth). */
  rateLimit: number;
  /** Largest request body, bytes. */
  bodyLimit: number;
  jwt?: JwtSettings;
  /** Fastify's JSON request log on stderr (authorization headers are redacted). */
  log?: boolean;
  /** Run worker threads; 0 runs pipelines on the HTTP thread. Default 1. */
  workers?: number;
  /** Heap limit of each run worker thread, MiB (default 128). */
  workerHeapMb?: number;
  /** `serve --sim`: every model call answered by the built-in simulator, at $0, with no key. */
  simulated?: boolean;
}

/** Sent with every response (what @fastify/helmet sends, with the dashboard's CSP), computed once. */
export const securityHeaders: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'none';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self';upgrade-insecure-requests;connect-src 'self'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
});

export interface BuiltServer {
  app: FastifyInstance;
  context: ServeContext;
  /** Stops the runner (running runs are interrupted and saved), then the server and the store. */
  close(): Promise<void>;
}

export async function buildServer(options: ServerOptions): Promise<BuiltServer> {
  const [{ default: Fastify }, { openSqlite, storePath }] = await Promise.all([import('fastify'), import('../store/sqlite.js')]);
  const database = await openSqlite(storePath(options.root));
  const workers = options.workers ?? 1;
  // With run worker threads, they checkpoint the store's WAL (run-worker.ts): a checkpoint syncs
  // the file to disk, 10-15 ms here, and on this connection it would stall every request of that tick.
  if (workers > 0) database.exec('PRAGMA wal_autocheckpoint = 0');
  const index = new RunIndex(database);
  const keys = new KeyStore(database);
  const project = new ServeProject(options.root, options.env);
  const hub = new EventHub();
  // With worker threads, the HTTP thread never loads the run modules or the provider SDKs.
  const executor =
    workers === 0
      ? new InlineExecutor(project, await inlinePorts(options))
      : new WorkerPool({ root: options.root, env: options.env, threads: workers, heapMb: options.workerHeapMb ?? defaultWorkerHeapMb, ...(options.simulated ? { simulated: true } : {}) });
  const runner = new Runner({ project, index, hub, concurrency: options.concurrency, executor });
  const metrics = await createMetrics({ queued: () => runner.queued, running: () => runner.active, followers: () => hub.followers, runsByStatus: () => index.countByStatus(), ...(executor instanceof WorkerPool ? { workerHeaps: () => executor.heapUsed() } : {}) });
  // Values from the project's .env are redacted too, once it has loaded.
  const context: ServeContext = { root: options.root, database, project, index, keys, auth: new Authenticator(keys, options.jwt), runner, hub, metrics, env: options.env };
  project.load().then((loaded) => (context.env = loaded.env), () => undefined);

  const app = Fastify({
    bodyLimit: options.bodyLimit,
    logger: options.log ? { level: 'info', stream: process.stderr, redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["sec-websocket-protocol"]'] } : false,
    // Unknown properties are refused, not silently dropped. Scalars are coerced (query strings are text).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    return503OnClosing: true,
  });
  // Security headers: the same for every response, so built once (helmet's set, with a CSP for the dashboard).
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });
  await app.register((await import('@fastify/websocket')).default, { options: { maxPayload: 64 * 1024 } });
  await app.register((await import('@fastify/swagger')).default, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'agentpipe serve', version: '1', description: 'Runs, live events, catalogue, estimates and analytics of one agentpipe config repo.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key (ap_...) or a JWT' } } },
      security: [{ bearer: [] }],
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    // Without credentials only this machine may call: a web page re-pointed at 127.0.0.1 (DNS
    // rebinding) sends its own Host, and a page calling us directly (WebSockets need no CORS) sends
    // its Origin. Either would otherwise read runs or start paid ones from a browser tab.
    const required = context.auth.required();
    if (!required) {
      const refusal = foreignBrowserRefusal(request.headers.host, request.headers.origin);
      if (refusal !== undefined) return reply.code(403).send({ error: `${refusal}; without API keys or JWT, serve answers local clients only` });
    }
    const config = request.routeOptions.config;
    if (config.public) return;
    const result = await context.auth.authenticate(request.headers.authorization, required);
    if ('failure' in result) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: result.failure });
    }
    request.principal = result.principal;
    const needed = config.role ?? 'admin';
    if (!allows(result.principal, needed)) return reply.code(403).send({ error: `this needs the ${needed} role; the credentials have ${result.principal.role}` });
  });
  await app.register((await import('@fastify/rate-limit')).default, {
    global: true,
    hook: 'preHandler',
    max: options.rateLimit,
    timeWindow: 60_000,
    keyGenerator: (request) => request.principal?.id ?? request.ip,
    allowList: (request) => request.routeOptions.config.public === true,
    errorResponseBuilder: (_request, limit) => ({ statusCode: 429, error: `rate limit: ${limit.max} requests per minute; retry in ${Math.ceil(limit.ttl / 1000)} s` }),
  });
  // Server-Timing: how long serve took with the request, from its arrival to the response head
  // (a client's own figure minus this is time on the wire or in its queue).
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(2)}`);
    done(null, payload);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ConfigError) return reply.code(400).send({ error: redactSecrets(error.message.split('\n')[0] ?? 'invalid config', context.env), diagnostics: error.diagnostics.map(redactDiagnostic) });
    if (error instanceof AgentpipeError && error.exitCode === 2) return reply.code(400).send({ error: redactSecrets(error.message, context.env) });
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      if (status === 429) return reply.code(429).send({ error: error.message || (error as { error?: string }).error || 'rate limited' });
      return reply.code(status).send({ error: redactSecrets(error.message, context.env) });
    }
    request.log.error({ error: redactSecrets(String(error.stack ?? error.message), context.env) }, 'internal error');
    return reply.code(500).send({ error: 'internal error (see the serve log)' });
  });
  app.setNotFoundHandler({ preHandler: undefined }, (request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));

  const plugins = await Promise.all([import('./routes/ops.js'), import('./routes/runs.js'), import('./routes/events.js'), import('./routes/catalogue.js'), import('./routes/analytics.js'), import('./routes/keys.js'), import('./routes/dashboard.js')]);
  for (const plugin of plugins) await app.register(plugin.default, { context });
  await app.ready();

  return {
    app,
    context,
    async close() {
      await runner.stop();
      await app.close();
      metrics.close();
      project.close();
      database.close();
    },
  };
}

/** `--workers 0`: the ports of runs on the HTTP thread (the simulator and the shared store, as a worker thread has them). */
async function inlinePorts(options: ServerOptions): Promise<(env: NodeJS.ProcessEnv, thread: string | undefined) => RuntimePorts> {
  const [{ createDefaultPorts }, { SharedMemory }, { ModelCache }] = await Promise.all([import('../run/default-ports.js'), import('../memory/shared.js'), import('../providers/model-cache.js')]);
  type ModelCache = InstanceType<typeof ModelCache>;
  const simulated = options.simulated ? await (await import('../run/simulated.js')).startSimulatedRuntime() : undefined;
  const memory = new SharedMemory(options.root, options.env, simulated ? { simulated } : {});
  // Ports of its own per run (its MCP servers stop when it ends), SDK clients shared by all.
  let models: ModelCache | undefined;
  return (env, thread) => createDefaultPorts(env, { ...(simulated ? { simulated } : { models: (models ??= new ModelCache(env)) }), augment: memory.augmentFor(thread) });
}
