// The Redis rate limiter against a real redis-server, with the script's clock set by the test: two
// limiters (two workers) draw from one provider log, and no 60 s window ever holds more than rpm.

import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, parseQueueAddress, rateLimitKey } from '../../src/queue/connection.js';
import { RedisRateLimiter, staleSlotMs, windowMs } from '../../src/queue/redis-rate-limit.js';
import { hasRedis, startRedis, type RedisServer } from './redis.js';

describe.skipIf(!hasRedis())('RedisRateLimiter', () => {
  let redis: RedisServer;
  let first: Redis;
  let second: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    first = await connectRedis(parseQueueAddress(redis.url), 'a');
    second = await connectRedis(parseQueueAddress(redis.url), 'b');
  });
  afterAll(async () => {
    await first?.quit();
    await second?.quit();
    await redis?.stop();
  });

  it('shares rpm between limiters: granted times never put more than rpm calls in a 60 s window', async () => {
    let now = 1_000_000;
    const clock = () => now;
    const limiters = [new RedisRateLimiter(first, undefined, clock), new RedisRateLimiter(second, undefined, clock)];
    const granted: number[] = [];
    for (let call = 0; call < 23; call++) {
      const wait = await limiters[call % 2]!.reserve([{ key: 'p-rpm', limit: { rpm: 5 } }], 0);
      granted.push(now + wait);
      now += 700;
    }
    expect(granted.slice(0, 5).every((time, index) => time === 1_000_000 + index * 700)).toBe(true);
    expect(granted[5]).toBe(granted[0]! + windowMs);
    granted.sort((a, b) => a - b);
    for (const start of granted) expect(granted.filter((time) => time >= start && time < start + 60_000).length).toBeLessThanOrEqual(5);
  });

  it('holds tpm: a call waits until enough earlier tokens leave the window', async () => {
    const now = 5_000_000;
    const limiter = new RedisRateLimiter(first, undefined, () => now);
    expect(await limiter.reserve([{ key: 'p-tpm', limit: { tpm: 1000 } }], 600)).toBe(0);
    expect(await limiter.reserve([{ key: 'p-tpm', limit: { tpm: 1000 } }], 300)).toBe(0);
    expect(await limiter.reserve([{ key: 'p-tpm', limit: { tpm: 1000 } }], 300)).toBe(windowMs);
  });

  it('a model limit and its provider limit are granted in one script: both logs hold every call, each within its limit', async () => {
    let now = 20_000_000;
    const clock = () => now;
    const limiters = [new RedisRateLimiter(first, undefined, clock), new RedisRateLimiter(second, undefined, clock)];
    const provider = { key: 'p-both', limit: { rpm: 6 } };
    const model = { key: 'p-both/m1', limit: { rpm: 2 } };
    const granted: Array<{ model: string; at: number }> = [];
    for (let call = 0; call < 12; call++) {
      // Every third call goes to another model of the provider, which has no limit of its own.
      const scopes = call % 3 === 2 ? [provider] : [provider, model];
      const wait = await limiters[call % 2]!.reserve(scopes, 0);
      granted.push({ model: scopes.length === 2 ? 'm1' : 'm2', at: now + wait });
      now += 500;
    }
    const within = (times: number[], limit: number) => {
      for (const start of times) expect(times.filter((time) => time >= start && time < start + 60_000).length).toBeLessThanOrEqual(limit);
    };
    within(granted.filter((call) => call.model === 'm1').map((call) => call.at), 2);
    within(granted.map((call) => call.at), 6);
    // m2's first call was not held back by m1's limit.
    expect(granted[2]).toEqual({ model: 'm2', at: 20_000_000 + 2 * 500 });
    expect(await first.zcard(rateLimitKey('p-both', 'rpm'))).toBe(12);
    expect(await first.zcard(rateLimitKey('p-both/m1', 'rpm'))).toBe(8);
  });

  it('a slot the process could not use within 0.5 s of its grant is taken again', async () => {
    // The clock jumps 2 s while the first grant is on its way back (a cold, stalled process).
    const times = [30_000_000, 30_000_000 + 2_000, 30_000_000 + 2_000, 30_000_000 + 2_000 + 10];
    let read = 0;
    const now = () => times[Math.min(read++, times.length - 1)]!;
    const limiter = new RedisRateLimiter(first, { now, sleep: async () => undefined }, () => 30_000_000);
    await limiter.acquire([{ key: 'p-stale', limit: { rpm: 10 } }], 0);
    expect(await first.zcard(rateLimitKey('p-stale', 'rpm'))).toBe(2);
    // On time: one slot.
    const punctual = new RedisRateLimiter(first, { now: () => 40_000_000, sleep: async () => undefined }, () => 40_000_000);
    await punctual.acquire([{ key: 'p-punctual', limit: { rpm: 10 } }], 0);
    expect(await first.zcard(rateLimitKey('p-punctual', 'rpm'))).toBe(1);
    expect(staleSlotMs).toBe(500);
  });

  it('waits for real through acquire, and says so with a rate-limit-wait event', async () => {
    let now = 9_000_000;
    const slept: number[] = [];
    const limiter = new RedisRateLimiter(first, { now: () => now, sleep: async (ms) => void slept.push(ms) }, () => now);
    const events: string[] = [];
    await limiter.acquire([{ key: 'p-acq', limit: { rpm: 1 } }], 0, { emit: (event) => events.push(event.type) });
    now += 10;
    await limiter.acquire([{ key: 'p-acq', limit: { rpm: 1 } }], 0, { emit: (event) => events.push(event.type) });
    expect(slept).toEqual([windowMs - 10]);
    expect(events).toEqual(['rate-limit-wait']);
  });
});
