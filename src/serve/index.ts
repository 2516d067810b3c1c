// `agentpipe serve` as a library: refuses an unauthenticated bind beyond loopback, builds the
// server, indexes runs the CLI made before, picks up runs a killed serve left, and listens.

import { UsageError } from '../errors.js';
import { listRunStates } from '../run/state.js';
import { jwtSettingsFromEnv } from './auth.js';
import { isLoopback } from './loopback.js';
import { niceIoThreads } from './priority.js';
import { costsOf } from './run-exec.js';
import { buildServer, type BuiltServer, type ServerOptions } from './server.js';
import type { ApiRunStatus, RunIndex } from './run-index.js';

export interface ServeOptions extends Omit<ServerOptions, 'jwt'> {
  host: string;
  port: number;
}

export interface RunningServer extends BuiltServer {
  url: string;
  /** True when no key or JWT is configured (loopback only, no credentials asked). */
  open: boolean;
  /** Runs a previous serve left queued or running, now queued again. */
  recovered: number;
}

export { isLoopback } from './loopback.js';

export async function startServe(options: ServeOptions): Promise<RunningServer> {
  const jwt = jwtSettingsFromEnv(options.env);
  const built = await buildServer({ ...options, ...(jwt ? { jwt } : {}) });
  const open = !built.context.auth.required();
  if (open && !isLoopback(options.host)) {
    await built.close();
    throw new UsageError(`refusing to serve ${options.host} without authentication: create a key (agentpipe keys create --role admin) or set AGENTPIPE_JWT_SECRET / AGENTPIPE_JWT_JWKS_URL, or bind 127.0.0.1`);
  }
  try {
    await warmUp(built);
  } catch (error) {
    await built.close();
    throw error;
  }
  await backfill(built.context.root, built.context.index);
  const recovered = await built.context.runner.recover();
  try {
    await built.app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await built.close();
    const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : '';
    throw new UsageError(code === 'EADDRINUSE' ? `port ${options.port} on ${options.host} is in use; pick another with --port` : `cannot listen on ${options.host}:${options.port}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const address = built.app.server.address();
  const port = address && typeof address === 'object' ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { ...built, url: `http://${host}:${port}`, open, recovered };
}

/**
 * Loads what the first request would otherwise load while others wait behind it: the project
 * (validated), every target compiled, and the run modules. A broken project is not fatal here:
 * requests report it (and /readyz says not ready) until it is fixed.
 */
async function warmUp(built: BuiltServer): Promise<void> {
  const { project } = built.context;
  try {
    const loaded = await project.load();
    const targets = [...loaded.config.agents.keys(), ...loaded.config.templates.keys()];
    await Promise.all([import('../cost/estimate.js'), ...targets.map((name) => project.pipeline(name).catch(() => undefined))]);
  } catch {
    // see above
  }
  // Worker threads load, validate and compile the project themselves, and import the run modules.
  await built.context.runner.executor.ready();
  // By now the thread pool exists (the warm-up read files through it): its threads yield to requests.
  niceIoThreads();
}

/** Runs made with `agentpipe run` in this repo (not yet indexed) are listed and counted too. */
async function backfill(root: string, index: RunIndex): Promise<void> {
  for (const state of await listRunStates(root)) {
    if (index.get(state.runId)) continue;
    // A CLI run saved as running is either still running elsewhere or was killed: serve cannot tell, and does not touch it.
    const status: ApiRunStatus = state.status === 'budget-exceeded' || state.status === 'failed' ? 'failed' : state.status === 'running' ? 'interrupted' : state.status;
    index.insert({ id: state.runId, target: state.target, name: state.name, kind: state.kind, status, tags: [], inputs: state.inputs, ...(state.modelOverride ? { model: state.modelOverride } : {}), createdAt: state.createdAt });
    index.finish(state.runId, { status, endedAt: state.updatedAt, durationMs: Math.max(0, Date.parse(state.updatedAt) - Date.parse(state.createdAt)), costUsd: state.costUsd ?? 0, ...(state.error ? { error: state.error, errorClass: state.status === 'budget-exceeded' ? 'budget' : 'step_failed' } : {}), costs: costsOf(state) });
  }
}
