// The Redis rate limiter against a real redis-server, with the script's clock set by the test: two
// limiters (two workers) draw from one provider log, and no 60 s window ever holds more than rpm.

import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, parseQueueAddress } from '../../src/queue/connection.js';
import { RedisRateLimiter, windowMs } from '../../src/queue/redis-rate-limit.js';
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
      const wait = await limiters[call % 2]!.reserve('p-rpm', { rpm: 5 }, 0);
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
    expect(await limiter.reserve('p-tpm', { tpm: 1000 }, 600)).toBe(0);
    expect(await limiter.reserve('p-tpm', { tpm: 1000 }, 300)).toBe(0);
    expect(await limiter.reserve('p-tpm', { tpm: 1000 }, 300)).toBe(windowMs);
  });

  it('waits for real through acquire, and says so with a rate-limit-wait event', async () => {
    let now = 9_000_000;
    const slept: number[] = [];
    const limiter = new RedisRateLimiter(first, { now: () => now, sleep: async (ms) => void slept.push(ms) }, () => now);
    const events: string[] = [];
    await limiter.acquire('p-acq', { rpm: 1 }, 0, { emit: (event) => events.push(event.type) });
    now += 10;
    await limiter.acquire('p-acq', { rpm: 1 }, 0, { emit: (event) => events.push(event.type) });
    expect(slept).toEqual([windowMs - 10]);
    expect(events).toEqual(['rate-limit-wait']);
  });
});
