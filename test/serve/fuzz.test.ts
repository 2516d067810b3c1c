// Body, query, path and header fuzzing of every API route (seeded, so a failure replays): no
// request makes serve answer 5xx or die, and every refusal is a JSON error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startFixture, type ServeFixture } from './helpers.js';

/** mulberry32: a small seeded PRNG. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const strings = ['', 'chain', 'worker', 'agents/worker.yaml', 'templates/chain.yaml', '../../etc/passwd', '/etc/passwd', 'templates/../providers.yaml', '\u0000', '%00', 'a'.repeat(5000), '🙂'.repeat(50), '{{inputs.task}}', '${HOME}', 'main', 'anthropic/claude-test', 'nope/nope', '__proto__', 'constructor', ' ', '\n', '<script>alert(1)</script>'];

function value(next: () => number, depth = 0): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 6 : 9));
  switch (pick) {
    case 0:
      return strings[Math.floor(next() * strings.length)];
    case 1:
      return [0, -1, 1e308, -1e308, 0.5, 2 ** 53 + 1, 1e-300][Math.floor(next() * 7)];
    case 2:
      return next() < 0.5;
    case 3:
      return null;
    case 4:
      return Math.floor(next() * 1000);
    case 5:
      return strings[Math.floor(next() * strings.length)]!.slice(0, Math.floor(next() * 10));
    case 6:
      return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
    default: {
      const keys = ['target', 'inputs', 'model', 'max_cost', 'task', 'fanout', 'role', 'name', 'expires_at', 'extra', '__proto__', 'constructor'];
      return Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, () => [keys[Math.floor(next() * keys.length)]!, value(next, depth + 1)]));
    }
  }
}

function body(next: () => number): { text: string; type: string } {
  const kind = Math.floor(next() * 10);
  const json = (payload: unknown) => ({ text: JSON.stringify(payload) ?? 'null', type: 'application/json' });
  switch (kind) {
    case 0:
      return { text: ['{', '{"target":', '[1,2', 'nul', '"x', '{"a":1}}', '\u0000', ''][Math.floor(next() * 8)]!, type: 'application/json' };
    case 1:
      return { text: 'target=chain', type: ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml'][Math.floor(next() * 4)]! };
    case 2:
      return { text: `{"target":"chain","inputs":{"task":"${'x'.repeat(70_000)}"}}`, type: 'application/json' };
    case 3:
      return { text: `${'['.repeat(5000)}${']'.repeat(5000)}`, type: 'application/json' };
    case 4:
      return { text: '{"__proto__":{"admin":true},"target":"chain"}', type: 'application/json' };
    case 5:
      return json({ target: value(next), inputs: { task: value(next) }, ...(next() < 0.3 ? { max_cost: value(next) } : {}), ...(next() < 0.3 ? { model: value(next) } : {}) });
    case 6:
      return json(next() < 0.5 ? { target: 'worker', inputs: { task: String(value(next)) } } : { target: 'chain', inputs: value(next) });
    default:
      return json(value(next));
  }
}

let fixture: ServeFixture;
beforeAll(async () => {
  fixture = await startFixture({ latencyMs: 1 });
});
afterAll(() => fixture.close());

describe('fuzzing', () => {
  it('no body, query, path or header makes serve answer 5xx or crash', async () => {
    const next = random(20261201);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const record = (label: string, status: number, response: unknown) => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) failures.push(`${label} -> ${status}`);
      if (status >= 400 && !(response && typeof response === 'object' && 'error' in response)) failures.push(`${label} -> ${status} without a JSON error`);
    };
    const posts = ['/v1/runs', '/v1/estimate', '/v1/keys', '/v1/runs/20261201-000000-000-abcdef/cancel', '/v1/runs/20261201-000000-000-abcdef/resume'];
    for (let round = 0; round < 400; round++) {
      const path = posts[round % posts.length]!;
      const { text, type } = body(next);
      const response = await fetch(`${fixture.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body: text });
      const parsed = await response.json().catch(() => undefined);
      record(`POST ${path} ${text.slice(0, 80)}`, response.status, parsed);
    }
    const queries = ['/v1/runs', '/v1/templates', '/v1/agents', '/v1/analytics'];
    const parameters = ['status', 'target', 'tag', 'since', 'until', 'cursor', 'limit', 'q', 'difficulty', 'category', 'days', 'x'];
    for (let round = 0; round < 200; round++) {
      const query = new URLSearchParams(Array.from({ length: 1 + Math.floor(next() * 3) }, () => [parameters[Math.floor(next() * parameters.length)]!, String(value(next))]));
      const path = `${queries[round % queries.length]}?${query}`;
      const response = await api(fixture.url, path);
      record(`GET ${path.slice(0, 120)}`, response.status, response.body);
    }
    for (let round = 0; round < 100; round++) {
      const segment = encodeURIComponent(String(value(next)).replace(/[\uD800-\uDFFF]/g, '')).slice(0, 300) || 'x';
      const path = [`/v1/runs/${segment}`, `/v1/runs/${segment}/events`, `/v1/templates/${segment}`, `/v1/runs/${segment}/cancel`][round % 4]!;
      const response = await api(fixture.url, path, { method: path.endsWith('cancel') ? 'POST' : 'GET', headers: { 'last-event-id': String(value(next)).slice(0, 50).replace(/[^\x20-\x7e]/g, '') } });
      record(`${path.slice(0, 120)}`, response.status, response.body);
    }
    expect(failures).toEqual([]);
    // Some requests were valid, most were not.
    expect(statuses.get(202) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
    expect(statuses.get(413) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(415) ?? 0).toBeGreaterThan(0);
    expect((await api(fixture.url, '/healthz')).status).toBe(200);
  }, 120_000);

  it('a 400 for a bad target or inputs says what the CLI says', async () => {
    const unknownInput = await api(fixture.url, '/v1/runs', { body: { target: 'worker', inputs: { task: 'x', colour: 'red' } } });
    expect(unknownInput).toMatchObject({ status: 400, body: { error: 'unknown input "colour" (declared: task)' } });
    const missing = await api(fixture.url, '/v1/runs', { body: { target: 'worker', inputs: {} } });
    expect(missing.body.error).toBe('missing required input task (pass --input task=...)');
    const unknownTarget = await api(fixture.url, '/v1/runs', { body: { target: 'nothing' } });
    expect(unknownTarget.body.error).toMatch(/"nothing" is not an agent or template of this project/);
    const wrongType = await api(fixture.url, '/v1/runs', { body: { target: 'worker', inputs: { task: 42 } } });
    expect(wrongType.body.error).toBe('input "task" must be a string, got a number');
    const wrongShape = await api(fixture.url, '/v1/runs', { body: { target: 'worker', inputs: { task: { text: 'x' } } } });
    expect(wrongShape.body.error).toBe('input "task" must be a string, got an object');
    const extra = await api(fixture.url, '/v1/runs', { body: { target: 'worker', inputs: { task: 'x' }, priority: 1 } });
    expect(extra.status).toBe(400);
  });
});
