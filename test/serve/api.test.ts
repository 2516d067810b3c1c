// The read side of API v1: list filters and cursor paging, analytics figures (success rate,
// percentiles, cost breakdowns, failures by error class), metrics, OpenAPI, estimates, 404s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analytics, percentile } from '../../src/serve/routes/analytics.js';
import { api, startFixture, waitForStatus, type ServeFixture } from './helpers.js';

let fixture: ServeFixture;
const ids: Record<string, string> = {};
beforeAll(async () => {
  // A task containing "fail" gets a 400 from the provider: the run fails with class invalid_request.
  fixture = await startFixture({ script: (request) => (JSON.stringify(request.body).includes('fail') ? { fault: { kind: 'bad-request' } } : { text: 'done', latencyMs: 10, usage: { input: 100, output: 10 } }) });
  for (const [name, body] of Object.entries({ ok1: { target: 'worker', inputs: { task: 'a' } }, bad: { target: 'worker', inputs: { task: 'fail now' } }, chain: { target: 'templates/chain.yaml' }, ok2: { target: 'worker', inputs: { task: 'b' } } })) {
    const created = await api(fixture.url, '/v1/runs', { body });
    ids[name] = created.body.id;
    await waitForStatus(fixture.url, created.body.id, ['succeeded', 'failed']);
  }
}, 60_000);
afterAll(() => fixture.close());

describe('GET /v1/runs', () => {
  it('filters by status, target, tag and time, newest first', async () => {
    const all = (await api(fixture.url, '/v1/runs')).body.runs.map((run: { id: string }) => run.id);
    expect(all).toEqual([ids['ok2'], ids['chain'], ids['bad'], ids['ok1']]);
    expect((await api(fixture.url, '/v1/runs?status=failed')).body.runs.map((run: { id: string }) => run.id)).toEqual([ids['bad']]);
    expect((await api(fixture.url, '/v1/runs?target=chain')).body.runs.map((run: { id: string }) => run.id)).toEqual([ids['chain']]);
    expect((await api(fixture.url, '/v1/runs?target=agents/worker.yaml')).body.runs).toHaveLength(3);
    expect((await api(fixture.url, '/v1/runs?tag=worker')).body.runs).toHaveLength(3);
    expect((await api(fixture.url, '/v1/runs?tag=chain')).body.runs).toHaveLength(1);
    expect((await api(fixture.url, `/v1/runs?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.runs).toHaveLength(0);
    expect((await api(fixture.url, `/v1/runs?until=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.runs).toHaveLength(4);
  });

  it('pages with a cursor until there is none', async () => {
    const first = await api(fixture.url, '/v1/runs?limit=3');
    expect(first.body.runs).toHaveLength(3);
    expect(first.body.nextCursor).toBe(ids['bad']);
    const second = await api(fixture.url, `/v1/runs?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.runs.map((run: { id: string }) => run.id)).toEqual([ids['ok1']]);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('shows a failed run with its error class, and 404s unknown runs', async () => {
    const bad = await api(fixture.url, `/v1/runs/${ids['bad']}`);
    expect(bad.body).toMatchObject({ status: 'failed', errorClass: 'invalid_request' });
    expect((await api(fixture.url, '/v1/runs/20200101-000000-000-abcdef')).status).toBe(404);
    expect((await api(fixture.url, '/v1/runs/20200101-000000-000-abcdef/events')).status).toBe(404);
  });
});

describe('analytics, metrics, OpenAPI, estimate', () => {
  it('reports success rate, durations, costs and failures, with trends', async () => {
    const { body } = await api(fixture.url, '/v1/analytics?days=7');
    expect(body).toMatchObject({ days: 7, runs: 4, finished: 4, succeeded: 3, successRate: 0.75, failuresByErrorClass: { invalid_request: 1 } });
    expect(body.byDay).toHaveLength(7);
    expect(body.byDay.at(-1).runs).toBe(4);
    expect(body.costByAgent.worker).toBeCloseTo(body.costUsd, 10);
    expect(Object.keys(body.costByModel)).toEqual(['anthropic/claude-test']);
    expect(Object.keys(body.costByProvider)).toEqual(['anthropic']);
    expect(body.p50DurationMs).toBeLessThanOrEqual(body.p95DurationMs);
    expect(body.previous.runs).toBe(0);
    expect(body.trends.runs).toBeNull();
    // Against an index whose runs all fall in the previous period, the trend is negative.
    const later = analytics(fixture.server.context.index, 1, new Date(Date.now() + 86_400_000 + 1000));
    expect(later).toMatchObject({ runs: 0, previous: { runs: 4 }, trends: { runs: -1 } });
  });

  it('computes nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 95)).toBe(40);
  });

  it('exposes Prometheus metrics and the OpenAPI document of every route', async () => {
    const metrics = await api(fixture.url, '/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(/agentpipe_runs\{status="succeeded"\} 3/);
    expect(metrics.body).toMatch(/agentpipe_http_requests_total\{method="POST",route="\/v1\/runs",status="202"\} 4/);
    expect(metrics.body).toMatch(/agentpipe_serve_process_resident_memory_bytes \d+/);
    // The HTTP thread's event-loop delay, as a histogram sampled since start.
    expect(metrics.body).toMatch(/# TYPE agentpipe_event_loop_delay_seconds histogram/);
    const loopSamples = Number(/^agentpipe_event_loop_delay_seconds_count (\d+)$/m.exec(metrics.body)?.[1]);
    expect(loopSamples).toBeGreaterThan(0);
    expect(Number(/^agentpipe_event_loop_delay_seconds_bucket\{le="\+Inf"\} (\d+)$/m.exec(metrics.body)?.[1])).toBe(loopSamples);
    const openapi = (await api(fixture.url, '/v1/openapi.json')).body;
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/runs', '/v1/runs/{id}', '/v1/runs/{id}/cancel', '/v1/runs/{id}/resume', '/v1/runs/{id}/events', '/v1/agents', '/v1/templates', '/v1/templates/{name}', '/v1/estimate', '/v1/analytics', '/v1/keys', '/metrics']));
    expect(openapi.paths['/v1/runs'].post.requestBody.content['application/json'].schema.required).toEqual(['target']);
  });

  it('estimates a target from given inputs', async () => {
    const { status, body } = await api(fixture.url, '/v1/estimate', { body: { target: 'worker', inputs: { task: 'x'.repeat(4000) } } });
    expect(status).toBe(200);
    expect(body.steps[0].prompt.user).toBeGreaterThan(500);
    expect(body.totalUsd.low).toBeLessThanOrEqual(body.totalUsd.worst);
    expect((await api(fixture.url, '/v1/templates/nothing')).status).toBe(404);
  });
});
