// What every route plugin of serve gets: the served project, the run index, the runner, the live
// event hub, keys and auth, and metrics. Built once by buildServer (server.ts).

import type { DatabaseSync } from 'node:sqlite';
import type { Authenticator, Principal } from './auth.js';
import type { EventHub } from './event-hub.js';
import type { KeyStore, Role } from './keys.js';
import type { ServeMetrics } from './metrics.js';
import type { ServeProject } from './project.js';
import type { RunIndex } from './run-index.js';
import type { Runner } from './runner.js';

export interface ServeContext {
  root: string;
  database: DatabaseSync;
  project: ServeProject;
  index: RunIndex;
  keys: KeyStore;
  auth: Authenticator;
  runner: Runner;
  hub: EventHub;
  metrics: ServeMetrics;
  /** process env plus the project's .env: the values redacted from every response and log line. */
  env: NodeJS.ProcessEnv;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a route needs; `public` routes need none (health checks, the dashboard's files). */
    role?: Role;
    public?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}
