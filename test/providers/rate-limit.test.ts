import { describe, expect, test } from 'vitest';
import { RateLimiter, type Clock } from '../../src/providers/rate-limit.js';
import type { RunEventInput } from '../../src/run/events.js';

function fakeClock() {
  let now = 0;
  const waits: number[] = [];
  const clock: Clock = { now: () => now, sleep: async (ms) => void waits.push(ms) };
  return { clock, waits, advance: (ms: number) => void (now += ms) };
}

describe('rate limiter', () => {
  test('rpm: the third request in a minute of rpm 2 waits for a refill and says so', async () => {
    const { clock, waits } = fakeClock();
    const limiter = new RateLimiter(clock);
    const events: RunEventInput[] = [];
    const emit = (event: RunEventInput) => void events.push(event);
    await limiter.acquire([{ key: 'anthropic', limit: { rpm: 2 } }], 0, { emit });
    await limiter.acquire([{ key: 'anthropic', limit: { rpm: 2 } }], 0, { emit });
    expect(waits).toEqual([]);
    await limiter.acquire([{ key: 'anthropic', limit: { rpm: 2 } }], 0, { emit });
    expect(waits).toEqual([30_000]);
    expect(events).toEqual([{ type: 'rate-limit-wait', provider: 'anthropic', waitMs: 30_000, reason: 'rpm' }]);
  });

  test('tpm: concurrent callers share one bucket and queue in arrival order', async () => {
    const { clock, waits, advance } = fakeClock();
    const limiter = new RateLimiter(clock);
    const events: RunEventInput[] = [];
    await Promise.all([1, 2, 3].map(() => limiter.acquire([{ key: 'openai', limit: { tpm: 6000 } }], 3000, { emit: (event) => void events.push(event) })));
    expect(waits).toEqual([30_000]);
    expect(events[0]).toMatchObject({ reason: 'tpm', provider: 'openai' });
    advance(60_000);
    // Real usage was lower than estimated: the difference is given back.
    limiter.settle([{ key: 'openai', limit: { tpm: 6000 } }], 3000, 1000);
    await limiter.acquire([{ key: 'openai', limit: { tpm: 6000 } }], 3000);
    expect(waits).toEqual([30_000]);
  });

  test('a model limit applies to that model only, beside its provider limit', async () => {
    const { clock, waits } = fakeClock();
    const limiter = new RateLimiter(clock);
    const events: RunEventInput[] = [];
    const provider = { key: 'anthropic', limit: { rpm: 100 } };
    const small = { key: 'anthropic/claude-small', limit: { rpm: 1 } };
    await limiter.acquire([provider, small], 0);
    // Another model of the provider is held only by the provider's limit.
    await limiter.acquire([provider], 0);
    expect(waits).toEqual([]);
    await limiter.acquire([provider, small], 0, { emit: (event) => void events.push(event) });
    expect(waits).toEqual([60_000]);
    expect(events).toEqual([{ type: 'rate-limit-wait', provider: 'anthropic/claude-small', waitMs: 60_000, reason: 'rpm' }]);
  });

  test('a call larger than the whole tpm budget waits for a full bucket (at most a minute), as the Redis limiter does, not for hours', async () => {
    const { clock, waits, advance } = fakeClock();
    const limiter = new RateLimiter(clock);
    const scope = [{ key: 'anthropic', limit: { tpm: 40_000 } }];
    // About 750k tokens: a 3 MB input. The provider, not the limiter, is the one to refuse it.
    await limiter.acquire(scope, 750_000);
    expect(waits).toEqual([]);
    await limiter.acquire(scope, 750_000);
    expect(waits).toEqual([60_000]);
    advance(60_000);
    await limiter.acquire(scope, 10_000);
    expect(waits).toEqual([60_000, 15_000]);
  });

  test('providers have separate budgets and no limit means no wait', async () => {
    const { clock, waits } = fakeClock();
    const limiter = new RateLimiter(clock);
    await limiter.acquire([{ key: 'a', limit: { rpm: 1 } }], 0);
    await limiter.acquire([{ key: 'b', limit: { rpm: 1 } }], 0);
    await limiter.acquire([], 10_000);
    expect(waits).toEqual([]);
  });
});
