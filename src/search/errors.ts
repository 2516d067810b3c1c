import { AgentpipeError, ExitCode } from '../errors.js';

export type SearchErrorClass =
  | 'rate_limited'
  | 'server_error'
  | 'http_error'
  | 'auth'
  | 'missing_key'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'invalid_response'
  | 'invalid_input';

const retryableClasses: ReadonlySet<SearchErrorClass> = new Set(['rate_limited', 'server_error', 'network']);

/**
 * Any failure of a search provider. Messages never contain API keys: they name the env var instead.
 * `attempts` counts the HTTP requests made before giving up (1 when no retry happened).
 */
export class SearchError extends AgentpipeError {
  readonly errorClass: SearchErrorClass;
  readonly provider: string;
  readonly status: number | undefined;
  readonly isRetryable: boolean;
  attempts = 1;
  constructor(errorClass: SearchErrorClass, provider: string, message: string, options?: { status?: number; cause?: unknown }) {
    super(`search (${provider}): ${message}`, ExitCode.runFailed, { cause: options?.cause });
    this.errorClass = errorClass;
    this.provider = provider;
    this.status = options?.status;
    this.isRetryable = retryableClasses.has(errorClass);
  }
}

/** The engine is throttling us: HTTP 429, DuckDuckGo's 202 answer or its anomaly/CAPTCHA page. */
export class SearchRateLimitedError extends SearchError {
  /** Server-suggested wait (Retry-After), in ms, when it sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(provider: string, message: string, options?: { status?: number; retryAfterMs?: number }) {
    super('rate_limited', provider, message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}
