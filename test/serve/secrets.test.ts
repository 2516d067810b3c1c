// Secrets never leave serve: a model answer that echoes a provider key reaches the run's outputs,
// events, SSE stream, WebSocket and GET responses only as [REDACTED]; the request log (--log) never
// holds the Authorization header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeKeys, runCli, spawnCli } from '../e2e/helpers.js';
import { api, readSse, startFixture, waitForStatus, type ServeFixture } from './helpers.js';

let fixture: ServeFixture;
beforeAll(async () => {
  fixture = await startFixture({ script: () => ({ text: `the key is ${fakeKeys.OPENAI_API_KEY} and ${fakeKeys.ANTHROPIC_API_KEY}`, latencyMs: 20 }) });
});
afterAll(() => fixture.close());

describe('secrets', () => {
  it('are redacted by value from outputs, events and every response', async () => {
    const { body } = await api(fixture.url, '/v1/runs', { body: { target: 'worker', inputs: { task: 'leak' } } });
    const done = await waitForStatus(fixture.url, body.id, ['succeeded', 'failed']);
    const stream = await readSse(`${fixture.url}/v1/runs/${body.id}/events`);
    const texts = [JSON.stringify(done), JSON.stringify(stream.events), JSON.stringify((await api(fixture.url, '/v1/runs')).body), JSON.stringify((await api(fixture.url, '/v1/analytics')).body)];
    for (const text of texts) for (const key of Object.values(fakeKeys)) expect(text).not.toContain(key);
    expect(JSON.stringify(done.outputs)).toContain('[REDACTED]');
    expect(stream.events.some((event) => JSON.stringify(event.data).includes('[REDACTED]'))).toBe(true);
  });

  it('keeps credentials out of the request log', async () => {
    const created = await runCli(['keys', 'create', '--role', 'viewer', '--json'], { cwd: fixture.root, env: fixture.env });
    const { key } = JSON.parse(created.stdout);
    const serve = spawnCli(['serve', '--port', '0', '--json', '--log'], { cwd: fixture.root, env: fixture.env });
    const url = await new Promise<string>((resolve) => serve.child.stdout!.on('data', (chunk: Buffer) => chunk.toString().split('\n').some((line) => line.includes('"listening"') && resolve(JSON.parse(line).url))));
    expect((await api(url, '/v1/runs', { token: key })).status).toBe(200);
    expect((await api(url, '/v1/runs', { token: `${key}x` })).status).toBe(401);
    serve.child.kill('SIGTERM');
    const result = await serve.done;
    expect(result.stderr).toContain('/v1/runs');
    expect(result.stdout + result.stderr).not.toContain(key);
    for (const secret of Object.values(fakeKeys)) expect(result.stdout + result.stderr).not.toContain(secret);
  }, 60_000);
});
