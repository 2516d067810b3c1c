// Operations: liveness, readiness (the project loads and validates, the store answers), Prometheus
// metrics, and the OpenAPI document generated from every route's schemas.

import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';

export default async function opsRoutes(app: FastifyInstance, { context }: { context: ServeContext }): Promise<void> {
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    try {
      context.database.prepare('SELECT 1').get();
      await context.project.load();
      return { status: 'ready', queued: context.runner.queued, running: context.runner.active };
    } catch (error) {
      // Only the first line: a config error names files, never values.
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return reply.code(503).send({ status: 'not ready', error: reason });
    }
  });

  app.get('/metrics', { config: { role: 'viewer' }, schema: { summary: 'Prometheus metrics', tags: ['ops'] } }, async (_request, reply) => {
    const text = await context.metrics.registry.metrics();
    return reply.type(context.metrics.registry.contentType).send(text);
  });

  app.get('/v1/openapi.json', { config: { role: 'viewer' }, schema: { hide: true } }, async () => app.swagger());
}
