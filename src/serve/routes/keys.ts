// API keys over HTTP, for admins (the same store as `agentpipe keys`). A created key is in the
// response once; listing shows ids, names, roles and dates, never a key or its hash.

import type { FastifyInstance } from 'fastify';
import type { ServeContext } from '../context.js';
import type { Role } from '../keys.js';
import { createKeyBody, errorResponses, keyIdParams } from '../schemas.js';

export default async function keyRoutes(app: FastifyInstance, { context }: { context: ServeContext }): Promise<void> {
  app.get('/v1/keys', { config: { role: 'admin' }, schema: { summary: 'API keys (never the keys themselves)', tags: ['keys'] } }, async () => ({ keys: context.keys.list() }));

  app.post<{ Body: { role: Role; name?: string; expires_at?: string } }>(
    '/v1/keys',
    { config: { role: 'admin' }, schema: { summary: 'Create an API key; the key is shown in this response only', tags: ['keys'], body: createKeyBody, response: errorResponses } },
    async (request, reply) => {
      const { key, info } = context.keys.create({ role: request.body.role, name: request.body.name ?? '', ...(request.body.expires_at ? { expiresAt: new Date(request.body.expires_at).toISOString() } : {}) });
      return reply.code(201).send({ key, ...info });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/keys/:id',
    { config: { role: 'admin' }, schema: { summary: 'Revoke an API key', tags: ['keys'], params: keyIdParams, response: errorResponses } },
    async (request, reply) => (context.keys.revoke(request.params.id) ? reply.code(204).send() : reply.code(404).send({ error: `no live key ${request.params.id}` })),
  );
}
