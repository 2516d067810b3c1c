// rpm/tpm limits shared by every worker through Redis. Each provider has a log of the calls it was
// granted (a sorted set scored by time, reservations in the future included); one Lua script prunes
// it, finds the earliest time at which one more call keeps every 60 s window at or under the limit,
// records the call there and returns the wait. The script runs atomically, so two workers never both
// take the last slot. A sliding log, unlike a refilling bucket, also keeps a burst after an idle
// minute within the limit for any 60 s window, which is what a provider's rpm counts.

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RateLimit } from '../compile/ir.js';
import { systemClock, type Clock, type RateLimitBackend } from '../providers/rate-limit.js';
import type { EventSink } from '../run/events.js';
import { rateLimitKey } from './connection.js';

/**
 * 60 s, plus a margin for the time between granting a call and the provider receiving it (a busy
 * worker's event loop, the request on the wire): a slot granted now is counted as used now.
 */
export const windowMs = 61_000;

// KEYS: rpm log, tpm log. ARGV: now (ms; '' = Redis TIME), window, rpm (0 = none), tpm (0 = none), tokens, id.
// tpm members are `<id>:<tokens>`. Returns the granted time minus now, in ms.
const script = `
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local window = tonumber(ARGV[2])
local rpm = tonumber(ARGV[3])
local tpm = tonumber(ARGV[4])
local tokens = tonumber(ARGV[5])
local at = now
if rpm > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[1])
  if count >= rpm then
    local entry = redis.call('ZRANGE', KEYS[1], count - rpm, count - rpm, 'WITHSCORES')
    at = math.max(at, tonumber(entry[2]) + window)
  end
end
if tpm > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  local entries = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
  local used = 0
  for i = 1, #entries, 2 do
    used = used + tonumber(string.match(entries[i], ':(%d+)$'))
  end
  local need = math.min(tokens, tpm)
  local i = 1
  local tpmAt = now
  -- Drop the oldest grants (waiting for each to leave the window) until this call fits.
  while used + need > tpm and i <= #entries do
    used = used - tonumber(string.match(entries[i], ':(%d+)$'))
    tpmAt = tonumber(entries[i + 1]) + window
    i = i + 2
  end
  at = math.max(at, tpmAt)
end
if rpm > 0 then
  redis.call('ZADD', KEYS[1], at, ARGV[6])
  redis.call('PEXPIRE', KEYS[1], at - now + window * 2)
end
if tpm > 0 and tokens > 0 then
  redis.call('ZADD', KEYS[2], at, ARGV[6] .. ':' .. tokens)
  redis.call('PEXPIRE', KEYS[2], at - now + window * 2)
end
return at - now
`;

const settleScript = `
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

export class RedisRateLimiter implements RateLimitBackend {
  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock = systemClock,
    /** Test hook: the time the script uses; Redis's own clock when absent, so hosts agree. */
    private readonly now?: () => number,
  ) {}

  /** Reserves one call of `tokens` and returns how long to wait for it (ms). */
  async reserve(provider: string, limit: RateLimit, tokens: number): Promise<number> {
    const id = randomBytes(6).toString('hex');
    const result = await this.redis.eval(
      script,
      2,
      rateLimitKey(provider, 'rpm'),
      rateLimitKey(provider, 'tpm'),
      this.now ? String(this.now()) : '',
      String(windowMs),
      String(limit.rpm ?? 0),
      String(limit.tpm ?? 0),
      String(Math.max(0, Math.round(tokens))),
      id,
    );
    return Number(result);
  }

  async acquire(provider: string, limit: RateLimit | undefined, tokens: number, options: { emit?: EventSink; signal?: AbortSignal } = {}): Promise<void> {
    if (!limit || (!limit.rpm && !limit.tpm)) return;
    const waitMs = await this.reserve(provider, limit, tokens);
    if (waitMs <= 0) return;
    options.emit?.({ type: 'rate-limit-wait', provider, waitMs, reason: limit.rpm ? 'rpm' : 'tpm' });
    await this.clock.sleep(waitMs, options.signal);
  }

  /**
   * A call that used more tokens than reserved adds the difference to the tpm log now; one that
   * used fewer gives nothing back (the log cannot shrink a grant other workers already saw).
   */
  settle(provider: string, estimatedTokens: number, actualTokens: number): void {
    const extra = Math.round(actualTokens - estimatedTokens);
    if (extra <= 0) return;
    const key = rateLimitKey(provider, 'tpm');
    void this.redis
      .eval(settleScript, 1, key, this.now ? String(this.now()) : '', `${randomBytes(6).toString('hex')}:${extra}`, String(windowMs * 2))
      .catch(() => undefined);
  }
}
