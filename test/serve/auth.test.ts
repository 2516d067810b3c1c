// Authorization: every route × {no credentials, a bad key, an expired JWT, viewer, runner, admin};
// a JWT's role claim; the open loopback mode until the first key; the per-key rate limit.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { api, startFixture, waitForStatus, type ServeFixture } from './helpers.js';

const secret = 'test-jwt-secret-0123456789abcdef0123456789';
const jwt = (claims: Record<string, unknown>, expires: string | number = '1h') => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('tester').setIssuedAt().setExpirationTime(expires).sign(new TextEncoder().encode(secret));

type Needed = 'public' | 'viewer' | 'runner' | 'admin';
interface Route {
  method: string;
  path: string;
  needed: Needed;
  body?: unknown;
}

let fixture: ServeFixture;
let runId: string;
const tokens: Record<string, string | undefined> = {};

beforeAll(async () => {
  fixture = await startFixture({ env: { AGENTPIPE_JWT_SECRET: secret } });
  const { keys } = fixture.server.context;
  for (const role of ['viewer', 'runner', 'admin'] as const) tokens[role] = keys.create({ name: role, role }).key;
  tokens['none'] = undefined;
  tokens['bad key'] = 'ap_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  tokens['expired JWT'] = await jwt({ roles: ['admin'] }, Math.floor(Date.now() / 1000) - 60);
  const created = await api(fixture.url, '/v1/runs', { body: { target: 'chain' }, token: tokens['admin']! });
  runId = created.body.id;
  await waitForStatus(fixture.url, runId, ['succeeded'], tokens['admin']);
}, 60_000);
afterAll(() => fixture.close());

const routes = (): Route[] => [
  { method: 'GET', path: '/', needed: 'public' },
  { method: 'GET', path: '/app/app.js', needed: 'public' },
  { method: 'GET', path: '/vendor/uplot.js', needed: 'public' },
  { method: 'GET', path: '/healthz', needed: 'public' },
  { method: 'GET', path: '/readyz', needed: 'public' },
  { method: 'GET', path: '/metrics', needed: 'viewer' },
  { method: 'GET', path: '/v1/openapi.json', needed: 'viewer' },
  { method: 'GET', path: '/v1/runs', needed: 'viewer' },
  { method: 'POST', path: '/v1/runs', needed: 'runner', body: { target: 'chain' } },
  { method: 'GET', path: `/v1/runs/${runId}`, needed: 'viewer' },
  { method: 'POST', path: `/v1/runs/${runId}/cancel`, needed: 'runner' },
  { method: 'POST', path: `/v1/runs/${runId}/resume`, needed: 'runner' },
  { method: 'GET', path: `/v1/runs/${runId}/events`, needed: 'viewer' },
  { method: 'GET', path: '/v1/agents', needed: 'viewer' },
  { method: 'GET', path: '/v1/templates', needed: 'viewer' },
  { method: 'GET', path: '/v1/templates/chain', needed: 'viewer' },
  { method: 'POST', path: '/v1/estimate', needed: 'viewer', body: { target: 'worker', inputs: { task: 'x' } } },
  { method: 'GET', path: '/v1/analytics?days=7', needed: 'viewer' },
  { method: 'GET', path: '/v1/keys', needed: 'admin' },
  { method: 'POST', path: '/v1/keys', needed: 'admin', body: { role: 'viewer', name: 'from-matrix' } },
  { method: 'DELETE', path: '/v1/keys/0123456789ab', needed: 'admin' },
];

const rank: Record<string, number> = { public: 0, viewer: 1, runner: 2, admin: 3 };
function expected(credential: string, needed: Needed): 'allowed' | 401 | 403 {
  if (needed === 'public') return 'allowed';
  if (!['viewer', 'runner', 'admin'].includes(credential)) return 401;
  return rank[credential]! >= rank[needed]! ? 'allowed' : 403;
}

async function outcome(route: Route, token: string | undefined): Promise<'allowed' | 401 | 403 | number> {
  const result = await api(fixture.url, route.path, { method: route.method, ...(route.body !== undefined ? { body: route.body } : {}), ...(token ? { token } : {}) });
  if (result.status >= 500) return result.status;
  if (result.status === 401 || result.status === 403) return result.status;
  return 'allowed';
}

function wsOutcome(token: string | undefined): Promise<'allowed' | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${fixture.url.replace('http', 'ws')}/v1/ws`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    socket.on('open', () => {
      socket.close();
      resolve('allowed');
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', () => undefined);
  });
}

describe('authorization matrix', () => {
  for (const credential of ['none', 'bad key', 'expired JWT', 'viewer', 'runner', 'admin']) {
    it(`${credential}: every route answers as its role requires`, async () => {
      const seen: string[] = [];
      const wanted: string[] = [];
      for (const route of routes()) {
        seen.push(`${route.method} ${route.path} -> ${await outcome(route, tokens[credential])}`);
        wanted.push(`${route.method} ${route.path} -> ${expected(credential, route.needed)}`);
      }
      seen.push(`WS /v1/ws -> ${await wsOutcome(tokens[credential])}`);
      wanted.push(`WS /v1/ws -> ${expected(credential, 'viewer')}`);
      expect(seen).toEqual(wanted);
    }, 60_000);
  }

  it('takes the role of a valid JWT from its roles claim', async () => {
    const viewer = await jwt({ roles: ['viewer'] });
    expect((await api(fixture.url, '/v1/runs', { token: viewer })).status).toBe(200);
    expect((await api(fixture.url, '/v1/runs', { token: viewer, body: { target: 'chain' } })).status).toBe(403);
    const runner = await jwt({ roles: 'viewer runner' });
    expect((await api(fixture.url, `/v1/runs/${runId}/cancel`, { token: runner, method: 'POST' })).status).toBe(409);
    const none = await jwt({ roles: ['owner'] });
    expect((await api(fixture.url, '/v1/runs', { token: none })).status).toBe(401);
    const forged = await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode('another-secret-0123456789abcdef'));
    expect((await api(fixture.url, '/v1/runs', { token: forged })).status).toBe(401);
  });

  it('a revoked key stops working, and a created key is shown once and never listed', async () => {
    const created = await api(fixture.url, '/v1/keys', { token: tokens['admin']!, body: { role: 'runner', name: 'temp' } });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^ap_[0-9a-f]{12}_/);
    expect((await api(fixture.url, '/v1/runs', { token: created.body.key })).status).toBe(200);
    const listed = await api(fixture.url, '/v1/keys', { token: tokens['admin']! });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key.slice(16));
    expect((await api(fixture.url, `/v1/keys/${created.body.id}`, { token: tokens['admin']!, method: 'DELETE' })).status).toBe(204);
    expect((await api(fixture.url, '/v1/runs', { token: created.body.key })).status).toBe(401);
  });
});

describe('open mode and the rate limit', () => {
  it('asks nothing on loopback until the first key exists, then asks every request', async () => {
    const open = await startFixture();
    try {
      expect((await api(open.url, '/v1/runs')).status).toBe(200);
      const { key } = open.server.context.keys.create({ name: 'first', role: 'viewer' });
      const refused = await api(open.url, '/v1/runs');
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      expect((await api(open.url, '/v1/runs', { token: key })).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('in open mode refuses browser pages: a foreign Host (DNS rebinding) or Origin, WebSockets included, gets 403', async () => {
    const open = await startFixture();
    const { request } = await import('node:http');
    const get = (path: string, headers: Record<string, string>) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const outgoing = request(`${open.url}${path}`, { headers }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
    try {
      const port = new URL(open.url).port;
      const rebound = await get('/v1/runs', { host: `attacker.example:${port}` });
      expect(rebound.status).toBe(403);
      expect(rebound.text).toContain('attacker.example');
      expect((await get('/v1/runs', { origin: 'https://attacker.example' })).status).toBe(403);
      expect((await get('/v1/runs', { origin: `http://localhost:${port}` })).status).toBe(200);
      expect((await get('/v1/runs', { host: `[::1]:${port}` })).status).toBe(200);
      const socket = new WebSocket(`${open.url.replace('http', 'ws')}/v1/ws`, { origin: 'https://attacker.example' });
      const status = await new Promise<number>((resolve) => {
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('open', () => resolve(101));
        socket.on('error', () => undefined);
      });
      socket.terminate();
      expect(status).toBe(403);
      // Once a key exists the credentials are the guard: a key from any origin is served.
      const { key } = open.server.context.keys.create({ name: 'elsewhere', role: 'viewer' });
      expect((await get('/v1/runs', { origin: 'https://app.example', authorization: `Bearer ${key}` })).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('answers 429 with Retry-After past the per-key limit, counting each key apart', async () => {
    const limited = await startFixture({ rateLimit: 3 });
    try {
      const { keys } = limited.server.context;
      const first = keys.create({ name: 'a', role: 'viewer' }).key;
      const second = keys.create({ name: 'b', role: 'viewer' }).key;
      const statuses = [];
      for (let index = 0; index < 4; index++) statuses.push((await api(limited.url, '/v1/runs', { token: first })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await api(limited.url, '/v1/runs', { token: first });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.body.error).toMatch(/rate limit/);
      expect((await api(limited.url, '/v1/runs', { token: second })).status).toBe(200);
      // Health checks are not counted.
      expect((await api(limited.url, '/healthz', { token: first })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('sends security headers and no CORS headers', async () => {
    const result = await api(fixture.url, '/v1/runs', { token: tokens['viewer']!, headers: { origin: 'https://elsewhere.example' } });
    expect(result.headers.get('x-content-type-options')).toBe('nosniff');
    expect(result.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(result.headers.get('access-control-allow-origin')).toBeNull();
  });
});
