// Client-side rpm/tpm limits per provider and per model (`rate_limits.<provider>` and
// `rate_limits.<provider/model>`), shared process-wide so that concurrent steps draw from one budget.
// A call takes a slot in every scope that applies to it (its provider's and its model's). A token bucket with reservations: each call takes its cost immediately (the balance may
// go negative) and waits until the bucket has refilled to zero, so callers are served in arrival order.

import { setTimeout as delay } from 'node:timers/promises';
import type { RateLimit } from '../compile/ir.js';
import type { EventSink } from '../run/events.js';

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : {}) };

class Bucket {
  private available: number;
  private updatedAt: number;

  constructor(
    readonly capacity: number,
    now: number,
  ) {
    this.available = capacity;
    this.updatedAt = now;
  }

  /**
   * Takes `cost` and returns how long (ms) the caller must wait for it. Capacity is per minute. A
   * call larger than the whole capacity takes all of it (a wait of at most a minute, as the Redis
   * limiter does): waiting for more would take hours, and the provider is the one to refuse it.
   */
  reserve(cost: number, now: number): number {
    const perMs = this.capacity / 60_000;
    this.available = Math.min(this.capacity, this.available + (now - this.updatedAt) * perMs);
    this.updatedAt = now;
    this.available -= Math.min(cost, this.capacity);
    return this.available >= 0 ? 0 : Math.ceil(-this.available / perMs);
  }

  /** Gives back (or takes more of) a reservation once the real cost is known. */
  adjust(delta: number): void {
    this.available = Math.min(this.capacity, this.available - delta);
  }
}

/** One limit a call must fit: its provider's (`anthropic`) or its model's (`anthropic/claude-x`). */
export interface RateScope {
  key: string;
  limit: RateLimit;
}

const limited = (scopes: RateScope[]) => scopes.filter((scope) => scope.limit.rpm || scope.limit.tpm);

/**
 * Where rpm/tpm budgets live. The in-process RateLimiter is the default; `agentpipe worker` and
 * `batch --queue` put one in Redis (src/queue/redis-rate-limit.ts) so every worker draws from it.
 */
export interface RateLimitBackend {
  /** Waits until one request of about `tokens` tokens fits every scope's limits. */
  acquire(scopes: RateScope[], tokens: number, options?: { emit?: EventSink; signal?: AbortSignal }): Promise<void>;
  /** Corrects the tpm reservations with the real token count of a finished call. */
  settle(scopes: RateScope[], estimatedTokens: number, actualTokens: number): void;
}

export class RateLimiter implements RateLimitBackend {
  private readonly buckets = new Map<string, { rpm?: Bucket; tpm?: Bucket }>();

  constructor(private readonly clock: Clock = systemClock) {}

  private bucketsFor(key: string, limit: RateLimit) {
    let entry = this.buckets.get(key);
    const now = this.clock.now();
    if (!entry || entry.rpm?.capacity !== limit.rpm || entry.tpm?.capacity !== limit.tpm) {
      entry = {
        ...(limit.rpm ? { rpm: new Bucket(limit.rpm, now) } : {}),
        ...(limit.tpm ? { tpm: new Bucket(limit.tpm, now) } : {}),
      };
      this.buckets.set(key, entry);
    }
    return entry;
  }

  /** Waits until one request of about `tokens` tokens fits every scope's limits. */
  async acquire(scopes: RateScope[], tokens: number, options: { emit?: EventSink; signal?: AbortSignal } = {}): Promise<void> {
    let waitMs = 0;
    let reason: 'rpm' | 'tpm' = 'rpm';
    let scopeKey = '';
    const now = this.clock.now();
    for (const scope of limited(scopes)) {
      const buckets = this.bucketsFor(scope.key, scope.limit);
      const rpmWait = buckets.rpm?.reserve(1, now) ?? 0;
      const tpmWait = buckets.tpm?.reserve(tokens, now) ?? 0;
      if (Math.max(rpmWait, tpmWait) > waitMs) [waitMs, reason, scopeKey] = [Math.max(rpmWait, tpmWait), tpmWait > rpmWait ? 'tpm' : 'rpm', scope.key];
    }
    if (waitMs <= 0) return;
    options.emit?.({ type: 'rate-limit-wait', provider: scopeKey, waitMs, reason });
    await this.clock.sleep(waitMs, options.signal);
  }

  /** Corrects the tpm reservations with the real token count of a finished call. */
  settle(scopes: RateScope[], estimatedTokens: number, actualTokens: number): void {
    for (const scope of scopes) this.buckets.get(scope.key)?.tpm?.adjust(actualTokens - estimatedTokens);
  }
}

/** The process-wide limiter every run uses unless a test passes its own. */
export const sharedRateLimiter = new RateLimiter();

let processBackend: RateLimitBackend = sharedRateLimiter;

/** Replaces the process-wide backend (undefined restores the in-process one). */
export function useRateLimitBackend(backend: RateLimitBackend | undefined): void {
  processBackend = backend ?? sharedRateLimiter;
}

/** The backend chains use when their options name none. */
export const processRateLimiter = (): RateLimitBackend => processBackend;

/** Waits for nothing: calls that reach no provider (`--sim`, `--replay`) are not rate limited. */
export class NoRateLimits extends RateLimiter {
  override async acquire(): Promise<void> {}
  override settle(): void {}
}
