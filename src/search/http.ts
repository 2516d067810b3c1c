// HTTP plumbing shared by the search providers: one request with a timeout, status classification,
// and a bounded exponential backoff. Uses global fetch; tests point providers at 127.0.0.1.

import { setTimeout as delay } from 'node:timers/promises';
import { SearchError, SearchRateLimitedError } from './errors.js';

/** A current desktop browser string: engines serve a degraded page (or a block) to library agents. */
export const browserUserAgent =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export const defaultSearchTimeoutMs = 10_000;

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryPolicy {
  /** Total attempts including the first (default 3). */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles each time (default 1000 ms). */
  baseDelayMs?: number;
  /** Ceiling on any single delay, Retry-After included (default 30 000 ms). */
  maxDelayMs?: number;
  /** Injected in tests to record the delays instead of waiting. */
  sleep?: Sleep;
}

const defaultSleep: Sleep = (ms, signal) => delay(ms, undefined, { signal });

export interface TextResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** One request; network failures, timeouts and aborts become typed SearchErrors. */
export async function requestText(provider: string, url: string, init: RequestInit, timeoutMs: number, signal?: AbortSignal): Promise<TextResponse> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const response = await fetch(url, { ...init, signal: combined, redirect: 'follow' });
    return { status: response.status, headers: response.headers, body: await response.text() };
  } catch (error) {
    if (signal?.aborted) throw new SearchError('aborted', provider, 'aborted by caller', { cause: error });
    if (timeout.aborted) throw new SearchError('timeout', provider, `no answer within ${timeoutMs} ms`, { cause: error });
    throw new SearchError('network', provider, `request failed: ${(error as Error).message}`, { cause: error });
  }
}

/** Retry-After is seconds or an HTTP date; returns ms, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The error for a non-success status, or undefined for 2xx. Engine-specific codes are handled by the caller first. */
export function statusError(provider: string, response: TextResponse): SearchError | undefined {
  const { status } = response;
  if (status >= 200 && status < 300) return undefined;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return new SearchRateLimitedError(provider, 'HTTP 429 too many requests', { status, retryAfterMs });
  }
  if (status === 401 || status === 403) return new SearchError('auth', provider, `HTTP ${status}: key rejected or access denied`, { status });
  if (status >= 500) return new SearchError('server_error', provider, `HTTP ${status}`, { status });
  return new SearchError('http_error', provider, `HTTP ${status}`, { status });
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or maxAttempts is used up.
 * Delay before attempt n+1 is baseDelayMs * 2^(n-1), raised to Retry-After when the server asks for
 * more, capped at maxDelayMs. No jitter: one process makes few searches, and tests assert the delays.
 */
export async function withRetry<T>(attempt: () => Promise<T>, policy: RetryPolicy = {}, signal?: AbortSignal): Promise<T> {
  const maxAttempts = Math.max(1, policy.maxAttempts ?? 3);
  const baseDelayMs = policy.baseDelayMs ?? 1000;
  const maxDelayMs = policy.maxDelayMs ?? 30_000;
  const sleep = policy.sleep ?? defaultSleep;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof SearchError)) throw error;
      error.attempts = attemptNumber;
      if (!error.isRetryable || attemptNumber >= maxAttempts) throw error;
      const backoff = baseDelayMs * 2 ** (attemptNumber - 1);
      const retryAfter = error instanceof SearchRateLimitedError ? (error.retryAfterMs ?? 0) : 0;
      await sleep(Math.min(maxDelayMs, Math.max(backoff, retryAfter)), signal);
    }
  }
}
