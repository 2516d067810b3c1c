// Client-side rpm/tpm limits per provider, shared process-wide so that concurrent steps draw from
// one budget. A token bucket with reservations: each call takes its cost immediately (the balance may
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

  /** Takes `cost` and returns how long (ms) the caller must wait for it. Capacity is per minute. */
  reserve(cost: number, now: number): number {
    const perMs = this.capacity / 60_000;
    this.available = Math.min(this.capacity, this.available + (now - this.updatedAt) * perMs);
    this.updatedAt = now;
    this.available -= cost;
    return this.available >= 0 ? 0 : Math.ceil(-this.available / perMs);
  }

  /** Gives back (or takes more of) a reservation once the real cost is known. */
  adjust(delta: number): void {
    this.available = Math.min(this.capacity, this.available - delta);
  }
}

/**
 * Where rpm/tpm budgets live. The in-process RateLimiter is the default; `agentpipe worker` and
 * `batch --queue` put one in Redis (src/queue/redis-rate-limit.ts) so every worker draws from it.
 */
export interface RateLimitBackend {
  /** Waits until one request of about `tokens` tokens fits the provider's limits. */
  acquire(provider: string, limit: RateLimit | undefined, tokens: number, options?: { emit?: EventSink; signal?: AbortSignal }): Promise<void>;
  /** Corrects the tpm reservation with the real token count of a finished call. */
  settle(provider: string, estimatedTokens: number, actualTokens: number): void;
}

export class RateLimiter implements RateLimitBackend {
  private readonly buckets = new Map<string, { rpm?: Bucket; tpm?: Bucket }>();

  constructor(private readonly clock: Clock = systemClock) {}

  private bucketsFor(provider: string, limit: RateLimit) {
    let entry = this.buckets.get(provider);
    const now = this.clock.now();
    if (!entry || entry.rpm?.capacity !== limit.rpm || entry.tpm?.capacity !== limit.tpm) {
      entry = {
        ...(limit.rpm ? { rpm: new Bucket(limit.rpm, now) } : {}),
        ...(limit.tpm ? { tpm: new Bucket(limit.tpm, now) } : {}),
      };
      this.buckets.set(provider, entry);
    }
    return entry;
  }

  /** Waits until one request of about `tokens` tokens fits the provider's limits. */
  async acquire(provider: string, limit: RateLimit | undefined, tokens: number, options: { emit?: EventSink; signal?: AbortSignal } = {}): Promise<void> {
    if (!limit || (!limit.rpm && !limit.tpm)) return;
    const buckets = this.bucketsFor(provider, limit);
    const now = this.clock.now();
    const rpmWait = buckets.rpm?.reserve(1, now) ?? 0;
    const tpmWait = buckets.tpm?.reserve(tokens, now) ?? 0;
    const waitMs = Math.max(rpmWait, tpmWait);
    if (waitMs <= 0) return;
    options.emit?.({ type: 'rate-limit-wait', provider, waitMs, reason: tpmWait > rpmWait ? 'tpm' : 'rpm' });
    await this.clock.sleep(waitMs, options.signal);
  }

  /** Corrects the tpm reservation with the real token count of a finished call. */
  settle(provider: string, estimatedTokens: number, actualTokens: number): void {
    this.buckets.get(provider)?.tpm?.adjust(actualTokens - estimatedTokens);
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
