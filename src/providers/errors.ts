// Typed provider errors. Every adapter classifies what its SDK throws exactly once, here, into an
// ErrorClass; the chain and everything above it only ever see ProviderError / ChainError.

import { AgentpipeError, ExitCode } from '../errors.js';
import type { ErrorClass } from '../compile/ir.js';

/** Classes worth another attempt on the same model. */
export const retryableClasses: readonly ErrorClass[] = ['rate_limited', 'overloaded', 'server_error', 'timeout', 'network'];

export function isRetryable(errorClass: ErrorClass): boolean {
  return retryableClasses.includes(errorClass);
}

export interface ProviderErrorDetails {
  errorClass: ErrorClass;
  /** Provider name from providers.yaml (`anthropic`, `lmstudio`, ...). */
  provider: string;
  /** `provider/model` id. */
  model: string;
  status?: number;
  /** The provider's own message, with the API key scrubbed. */
  providerMessage?: string;
  /** Delay the provider asked for (retry-after, retry-after-ms, Gemini RetryInfo), in ms. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class ProviderError extends AgentpipeError {
  readonly errorClass: ErrorClass;
  readonly provider: string;
  readonly model: string;
  readonly status?: number;
  readonly providerMessage?: string;
  readonly retryAfterMs?: number;

  constructor(details: ProviderErrorDetails) {
    const status = details.status === undefined ? '' : ` ${details.status}`;
    const text = details.providerMessage ? `: ${details.providerMessage}` : '';
    super(`${details.model}: ${details.errorClass}${status}${text}`, ExitCode.runFailed, { cause: details.cause });
    this.errorClass = details.errorClass;
    this.provider = details.provider;
    this.model = details.model;
    if (details.status !== undefined) this.status = details.status;
    if (details.providerMessage !== undefined) this.providerMessage = details.providerMessage;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }

  get retryable(): boolean {
    return isRetryable(this.errorClass);
  }
}

/** One try of one model inside a chain, as listed by ChainError and `explain`. */
export interface ChainAttempt {
  model: string;
  attempt: number;
  errorClass: ErrorClass;
  status?: number;
  /** Wait before the next try of this model (0 when the chain moved on or stopped). */
  delayMs: number;
  message: string;
  /** True when the model was never called (key missing, cooling down after a rate limit). */
  skipped?: boolean;
}

/** A chain ran out of models or hit an error it must not fall back on. Lists every attempt. */
export class ChainError extends AgentpipeError {
  readonly attempts: ChainAttempt[];
  readonly chain: string;
  /** Class of the error that ended the chain. */
  readonly errorClass: ErrorClass;

  constructor(chain: string, attempts: ChainAttempt[], options?: { cause?: unknown }) {
    const lines = attempts.map((a) => {
      const status = a.status === undefined ? '' : ` ${a.status}`;
      const delay = a.delayMs > 0 ? `, retried after ${a.delayMs}ms` : '';
      const label = a.skipped ? 'skipped' : `attempt ${a.attempt}`;
      return `  - ${a.model} ${label}: ${a.errorClass}${status}${delay} (${a.message})`;
    });
    super(`model chain '${chain}' failed after ${attempts.length} attempt(s):\n${lines.join('\n')}`, ExitCode.runFailed, options);
    this.chain = chain;
    this.attempts = attempts;
    this.errorClass = attempts.at(-1)?.errorClass ?? 'unavailable';
  }
}

/** Hints from an error body that refine what the status alone says. */
export interface ErrorBodyHints {
  /** Vendor error type/status/code strings (`overloaded_error`, `RESOURCE_EXHAUSTED`, `insufficient_quota`...). */
  codes?: Array<string | null | undefined>;
  message?: string;
}

const contextLengthPattern =
  /context[_ ]length|context window|prompt is too long|maximum context|too many tokens|input token count .* exceeds|exceeds the context/i;

/** Maps an HTTP status plus body hints to an ErrorClass. Pure; shared by every adapter's map-error. */
export function classifyHttpStatus(status: number | undefined, hints: ErrorBodyHints = {}): ErrorClass {
  const codes = (hints.codes ?? []).filter((c): c is string => typeof c === 'string').map((c) => c.toLowerCase());
  const has = (...names: string[]) => names.some((n) => codes.includes(n));
  const message = hints.message ?? '';
  if (has('overloaded_error')) return 'overloaded';
  if (has('api_key_invalid', 'authentication_error', 'invalid_api_key', 'permission_error', 'unauthenticated', 'permission_denied'))
    return 'auth';
  // Quota exhaustion is a 429 that no amount of waiting fixes within a run.
  if (has('insufficient_quota')) return 'unavailable';
  if (has('context_length_exceeded', 'string_above_max_length') || contextLengthPattern.test(message)) return 'context_length';
  if (has('rate_limit_error', 'rate_limit_exceeded', 'resource_exhausted')) return 'rate_limited';
  if (status === undefined) return has('api_error', 'server_error', 'internal') ? 'server_error' : 'network';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status === 503 || status === 529) return 'overloaded';
  if (status >= 500) return 'server_error';
  // Model not found / not pulled: the model is unavailable here, another one may work.
  if (status === 404) return 'unavailable';
  return 'invalid_request';
}

/** Header access that works for fetch Headers and plain objects. */
export type HeaderSource = { get(name: string): string | null } | Record<string, string | undefined> | null | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  return (headers as Record<string, string | undefined>)[name];
}

/** `retry-after-ms` (float ms) wins over `retry-after` (delta seconds or an HTTP date). */
export function parseRetryAfter(headers: HeaderSource, now: number = Date.now()): number | undefined {
  const milliseconds = header(headers, 'retry-after-ms');
  if (milliseconds !== undefined) {
    const value = Number.parseFloat(milliseconds);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const retryAfter = header(headers, 'retry-after')?.trim();
  if (!retryAfter) return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number.parseFloat(retryAfter) * 1000);
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Google's RetryInfo.retryDelay: a protobuf Duration string such as `"7s"` or `"0.5s"`. */
export function parseRetryDelay(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match?.[1] === undefined ? undefined : Math.round(Number.parseFloat(match[1]) * 1000);
}

/** Removes every occurrence of the secret from a string; providers sometimes echo keys back. */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join('[redacted]');
}

/** What the adapter knows about the call when an error needs classifying. */
export interface ErrorContext {
  provider: string;
  model: string;
  apiKey?: string;
  /** Our own timeout fired (as opposed to the caller aborting). */
  timedOut: boolean;
}

/**
 * Classifies errors that are not HTTP responses: our timeout, transport failures, truncated or
 * malformed streams. Returns undefined when the error is something else.
 */
export function classifyTransportError(error: unknown, context: ErrorContext, cause: unknown = error): ProviderError | undefined {
  const base = { provider: context.provider, model: context.model, cause };
  const text = scrubSecret(describe(error), context.apiKey);
  if (context.timedOut) return new ProviderError({ ...base, errorClass: 'timeout', providerMessage: 'request timed out' });
  const name = error instanceof Error ? error.name : '';
  if (/timeout/i.test(name)) return new ProviderError({ ...base, errorClass: 'timeout', providerMessage: text });
  if (error instanceof SyntaxError || /JSON|Unexpected token|parsing stream chunk|Could not parse/i.test(text))
    return new ProviderError({ ...base, errorClass: 'server_error', providerMessage: `malformed response: ${text}` });
  if (
    /APIConnectionError|FetchError/.test(name) ||
    /fetch failed|terminated|socket|ECONN|EPIPE|network|other side closed|Did not receive done|Incomplete JSON|stream ended|premature|aborted/i.test(
      text,
    )
  )
    return new ProviderError({ ...base, errorClass: 'network', providerMessage: text });
  return undefined;
}

/** Message of an error plus its cause chain, for classification and diagnostics. */
export function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(typeof code === 'string' ? `${current.message} (${code})` : current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.filter(Boolean).join(': ');
}
