// A recognisable fake key must never appear in errors (with their causes), events, logs or recorded requests.

import { inspect } from 'node:util';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { generateWithChain, streamWithChain } from '../../src/providers/chain.js';
import { ModelCache } from '../../src/providers/model-cache.js';
import { RateLimiter } from '../../src/providers/rate-limit.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { chainOf, keyEnv, modelSpec, providerCases, recorder, userCall } from './helpers.js';

const secret = 'sk-live-SECRET-do-not-leak-91c2e7f04ab3';
let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(() => simulator.close());

test('the key never reaches errors, events, console output or the request log', async () => {
  const logged: string[] = [];
  const capture = (...values: unknown[]) => void logged.push(values.map((value) => inspect(value, { depth: 8 })).join(' '));
  const spies = (['log', 'warn', 'error', 'info', 'debug'] as const).map((level) => vi.spyOn(console, level).mockImplementation(capture));
  const caught: unknown[] = [];
  const rec = recorder();
  try {
    for (const testCase of providerCases) {
      const chain = chainOf([modelSpec(testCase, simulator, { timeoutMs: 300 })], { retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 1, honorRetryAfter: true } });
      const run = { emit: rec.emit, sleep: rec.sleep, models: new ModelCache(keyEnv(secret)), rateLimiter: new RateLimiter() };
      for (const kind of ['auth', 'rate-limit', 'bad-request', 'malformed', 'cut'] as const) {
        simulator.setFault({ kind, echoKey: true });
        await generateWithChain(chain, userCall('hi'), run).catch((error: unknown) => caught.push(error));
        await (async () => {
          for await (const part of streamWithChain(chain, userCall('hi'), run)) void part;
        })().catch((error: unknown) => caught.push(error));
      }
      simulator.setFault(undefined);
      simulator.enqueue({ text: 'fine' });
      await generateWithChain(chain, userCall('hi'), run);
    }
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  // Every provider failed every faulted call, and the 401s really carried the key back to us.
  expect(caught).toHaveLength(providerCases.length * 10);
  expect(simulator.requests.filter((request) => request.fault === 'auth').length).toBeGreaterThan(0);
  // Control: the simulator really does echo the key, so its absence above is the adapters' doing.
  simulator.setFault({ kind: 'auth', echoKey: true });
  const raw = await fetch(`${simulator.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': secret }, body: '{"model":"m"}' });
  expect(await raw.text()).toContain(secret);
  simulator.setFault(undefined);
  const haystacks = [...caught.map((error) => inspect(error, { depth: 10 })), ...caught.map((error) => String(error)), JSON.stringify(rec.events), ...logged, JSON.stringify(simulator.requests)];
  for (const text of haystacks) expect(text).not.toContain(secret);
  expect(caught.map((error) => String(error)).join('\n')).toContain('auth');
});
