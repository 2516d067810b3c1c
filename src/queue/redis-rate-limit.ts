// rpm/tpm limits shared by every worker through Redis. Each scope (a provider, or a provider/model
// with a limit of its own) has a log of the calls it was granted (a sorted set scored by time, reservations in the future included); one Lua script prunes
// it, finds the earliest time at which one more call keeps every 60 s window at or under the limit,
// records the call there and returns the wait. The script runs atomically, so two workers never both
// take the last slot. A sliding log, unlike a refilling bucket, also keeps a burst after an idle
// minute within the limit for any 60 s window, which is what a provider's rpm counts.

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { systemClock, type Clock, type RateLimitBackend, type RateScope } from '../providers/rate-limit.js';
import type { EventSink } from '../run/events.js';
import { rateLimitKey } from './connection.js';

/**
 * 60 s, plus a margin for the time between granting a call and the provider receiving it (a busy
 * worker's event loop, the request on the wire): a slot granted now is counted as used now.
 */
export const windowMs = 61_000;

// KEYS: an rpm log and a tpm log per scope (provider, provider/model). ARGV: now (ms; '' = Redis
// TIME), window, tokens, id, then rpm and tpm of each scope (0 = none). tpm members are
// `<id>:<tokens>`. The call is granted at the earliest time every scope allows, and recorded in every
// scope at that time, in one script: two workers never both take a scope's last slot, and a call
// never holds a provider slot while it waits for its model's. Returns {granted time minus now in ms,
// the scope that set it (1-based; 0 = none), 1 when it was tpm}.
const script = `
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local window = tonumber(ARGV[2])
local tokens = tonumber(ARGV[3])
local at = now
local by, byTpm = 0, 0
local scopes = #KEYS / 2
for s = 1, scopes do
  local rpmKey, tpmKey = KEYS[2 * s - 1], KEYS[2 * s]
  local rpm, tpm = tonumber(ARGV[3 + 2 * s]), tonumber(ARGV[4 + 2 * s])
  if rpm > 0 then
    redis.call('ZREMRANGEBYSCORE', rpmKey, '-inf', now - window)
    local count = redis.call('ZCARD', rpmKey)
    if count >= rpm then
      local entry = redis.call('ZRANGE', rpmKey, count - rpm, count - rpm, 'WITHSCORES')
      local rpmAt = tonumber(entry[2]) + window
      if rpmAt > at then at, by, byTpm = rpmAt, s, 0 end
    end
  end
  if tpm > 0 then
    redis.call('ZREMRANGEBYSCORE', tpmKey, '-inf', now - window)
    local entries = redis.call('ZRANGE', tpmKey, 0, -1, 'WITHSCORES')
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
    if tpmAt > at then at, by, byTpm = tpmAt, s, 1 end
  end
end
for s = 1, scopes do
  local rpmKey, tpmKey = KEYS[2 * s - 1], KEYS[2 * s]
  if tonumber(ARGV[3 + 2 * s]) > 0 then
    redis.call('ZADD', rpmKey, at, ARGV[4])
    redis.call('PEXPIRE', rpmKey, at - now + window * 2)
  end
  if tonumber(ARGV[4 + 2 * s]) > 0 and tokens > 0 then
    redis.call('ZADD', tpmKey, at, ARGV[4] .. ':' .. tokens)
    redis.call('PEXPIRE', tpmKey, at - now + window * 2)
  end
end
return {at - now, by, byTpm}
`;

const settleScript = `
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[i], ARGV[3])
end
return 1
`;

/**
 * A slot granted this long before the call could go out (an event loop that stalled, a first call
 * on a cold process) is taken again: the log counts a call from its grant, with a 1 s margin.
 */
export const staleSlotMs = 500;

const limited = (scopes: RateScope[]) => scopes.filter((scope) => scope.limit.rpm || scope.limit.tpm);

export class RedisRateLimiter implements RateLimitBackend {
  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock = systemClock,
    /** Test hook: the time the script uses; Redis's own clock when absent, so hosts agree. */
    private readonly now?: () => number,
  ) {}

  private async grant(scopes: RateScope[], tokens: number): Promise<{ waitMs: number; scope?: RateScope; reason: 'rpm' | 'tpm' }> {
    const id = randomBytes(6).toString('hex');
    const keys = scopes.flatMap((scope) => [rateLimitKey(scope.key, 'rpm'), rateLimitKey(scope.key, 'tpm')]);
    const limits = scopes.flatMap((scope) => [String(scope.limit.rpm ?? 0), String(scope.limit.tpm ?? 0)]);
    const args = [this.now ? String(this.now()) : '', String(windowMs), String(Math.max(0, Math.round(tokens))), id, ...limits];
    const [waitMs, by, byTpm] = (await this.redis.eval(script, keys.length, ...keys, ...args)) as [number, number, number];
    return { waitMs: Number(waitMs), ...(by > 0 ? { scope: scopes[by - 1]! } : {}), reason: byTpm === 1 ? 'tpm' : 'rpm' };
  }

  /** Reserves one call of `tokens` in every scope and returns how long to wait for it (ms). */
  async reserve(scopes: RateScope[], tokens: number): Promise<number> {
    return (await this.grant(limited(scopes), tokens)).waitMs;
  }

  async acquire(scopes: RateScope[], tokens: number, options: { emit?: EventSink; signal?: AbortSignal } = {}): Promise<void> {
    const applying = limited(scopes);
    if (applying.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      const asked = this.clock.now();
      const { waitMs, scope, reason } = await this.grant(applying, tokens);
      if (waitMs > 0) {
        options.emit?.({ type: 'rate-limit-wait', provider: scope?.key ?? applying[0]!.key, waitMs, reason });
        await this.clock.sleep(waitMs, options.signal);
      }
      // The slot counts from its grant: one this process could not use in time is taken again
      // (the stale one stays in the log, so the count errs on the safe side).
      if (this.clock.now() - (asked + Math.max(0, waitMs)) <= staleSlotMs || attempt >= 3) return;
    }
  }

  /**
   * A call that used more tokens than reserved adds the difference to the tpm logs now; one that
   * used fewer gives nothing back (the log cannot shrink a grant other workers already saw).
   */
  settle(scopes: RateScope[], estimatedTokens: number, actualTokens: number): void {
    const extra = Math.round(actualTokens - estimatedTokens);
    const keys = limited(scopes).filter((scope) => scope.limit.tpm).map((scope) => rateLimitKey(scope.key, 'tpm'));
    if (extra <= 0 || keys.length === 0) return;
    void this.redis
      .eval(settleScript, keys.length, ...keys, this.now ? String(this.now()) : '', `${randomBytes(6).toString('hex')}:${extra}`, String(windowMs * 2))
      .catch(() => undefined);
  }
}
