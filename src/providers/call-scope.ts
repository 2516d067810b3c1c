// The part every adapter shares around one SDK call: a timeout we own (so that a hang becomes a
// `timeout` the same way for every SDK), the caller's abort signal, and classification of whatever
// the SDK throws into a ProviderError. Adapters supply only their vendor's HTTP error reader.

import type { CallOptions, StreamPart } from './types.js';
import {
  ProviderError,
  classifyHttpStatus,
  classifyTransportError,
  describe,
  scrubSecret,
  type ErrorBodyHints,
  type ErrorContext,
} from './errors.js';

/** What a vendor's map-error reads from an SDK error that carries an HTTP response (or an in-stream error event). */
export interface HttpErrorInfo {
  status?: number;
  hints: ErrorBodyHints;
  retryAfterMs?: number;
  message: string;
}

export type HttpErrorReader = (error: unknown) => HttpErrorInfo | undefined;

/** Resolved connection settings for one model; built by the registry, never logged (holds the key). */
export interface AdapterSettings {
  /** Provider name from providers.yaml. */
  providerName: string;
  /** The vendor's model name (`claude-sonnet-4-5`). */
  modelId: string;
  /** `provider/model`. */
  id: string;
  baseUrl: string;
  apiKey?: string;
  /** Set when the model cannot be called (`ANTHROPIC_API_KEY is not set`): every call fails `unavailable`, no HTTP. */
  unavailableReason?: string;
  headers?: Record<string, string>;
  /** Default per-call timeout (ms); for streams it bounds the wait for each next chunk. */
  timeoutMs: number;
  maxOutputTokens?: number;
}

export class CallScope {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private expired = false;
  private readonly onCallerAbort = () => this.controller.abort(this.callerSignal?.reason);

  constructor(
    private readonly timeoutMs: number,
    private readonly callerSignal?: AbortSignal,
  ) {
    this.signal = this.controller.signal;
    if (callerSignal?.aborted) this.controller.abort(callerSignal.reason);
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.touch();
  }

  /** Restarts the timer: called on every stream chunk so a live stream never times out. */
  touch(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.timeoutMs <= 0 || this.controller.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new Error('request timed out'));
    }, this.timeoutMs);
  }

  get timedOut(): boolean {
    return this.expired;
  }

  get callerAborted(): boolean {
    return this.callerSignal?.aborted === true;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }
}

/** Turns anything an SDK threw into a ProviderError; a caller's abort is passed through untouched. */
export function toProviderError(error: unknown, scope: CallScope | undefined, settings: AdapterSettings, readHttp: HttpErrorReader): unknown {
  if (error instanceof ProviderError) return error;
  if (scope?.callerAborted) return error;
  const context: ErrorContext = { provider: settings.providerName, model: settings.id, apiKey: settings.apiKey, timedOut: scope?.timedOut ?? false };
  // The SDK error may quote the key (a provider echoing it back); then it is not kept as the cause.
  const cause = settings.apiKey && mentions(error, settings.apiKey) ? undefined : error;
  const http = context.timedOut ? undefined : readHttp(error);
  if (http) {
    const errorClass = classifyHttpStatus(http.status, http.hints);
    return new ProviderError({
      errorClass,
      provider: settings.providerName,
      model: settings.id,
      ...(http.status === undefined ? {} : { status: http.status }),
      ...(http.retryAfterMs === undefined ? {} : { retryAfterMs: http.retryAfterMs }),
      providerMessage: scrubSecret(http.message, settings.apiKey),
      cause,
    });
  }
  return (
    classifyTransportError(error, context, cause) ??
    new ProviderError({
      errorClass: 'server_error',
      provider: settings.providerName,
      model: settings.id,
      providerMessage: scrubSecret(describe(error), settings.apiKey),
      cause,
    })
  );
}

function mentions(error: unknown, secret: string): boolean {
  if (describe(error).includes(secret)) return true;
  const body = (error as { error?: unknown } | null)?.error;
  try {
    return body !== undefined && JSON.stringify(body).includes(secret);
  } catch {
    return true;
  }
}

export function unavailableError(settings: AdapterSettings): ProviderError {
  return new ProviderError({
    errorClass: 'unavailable',
    provider: settings.providerName,
    model: settings.id,
    providerMessage: settings.unavailableReason ?? 'unavailable',
  });
}

/** Runs one non-streaming SDK call inside a scope. */
export async function guardedGenerate<T>(
  settings: AdapterSettings,
  options: CallOptions,
  readHttp: HttpErrorReader,
  call: (signal: AbortSignal, scope: CallScope) => Promise<T>,
): Promise<T> {
  if (settings.unavailableReason) throw unavailableError(settings);
  const scope = new CallScope(options.timeoutMs ?? settings.timeoutMs, options.abortSignal);
  try {
    return await call(scope.signal, scope);
  } catch (error) {
    throw toProviderError(error, scope, settings, readHttp);
  } finally {
    scope.dispose();
  }
}

/** Runs one streaming SDK call inside a scope; the timeout restarts on every part. */
export async function* guardedStream(
  settings: AdapterSettings,
  options: CallOptions,
  readHttp: HttpErrorReader,
  open: (signal: AbortSignal, scope: CallScope) => AsyncIterable<StreamPart>,
): AsyncGenerator<StreamPart> {
  if (settings.unavailableReason) throw unavailableError(settings);
  const scope = new CallScope(options.timeoutMs ?? settings.timeoutMs, options.abortSignal);
  try {
    for await (const part of open(scope.signal, scope)) {
      scope.touch();
      yield part;
    }
  } catch (error) {
    throw toProviderError(error, scope, settings, readHttp);
  } finally {
    scope.dispose();
  }
}

/** Builds a stream-truncation error with the class the chain expects (`network`). */
export function streamEndedEarly(settings: AdapterSettings, what: string): ProviderError {
  return new ProviderError({
    errorClass: 'network',
    provider: settings.providerName,
    model: settings.id,
    providerMessage: `stream ended before ${what}`,
  });
}

/**
 * Tool-call arguments as sent (a JSON string) to an object, tolerating what servers really send:
 * '' or 'null' for a call without arguments, and an object encoded twice (a JSON string of JSON,
 * seen from some OpenAI-compatible servers). Undefined when it is not an object at all.
 */
export function decodeToolArguments(text: string): Record<string, unknown> | undefined {
  let value: unknown = text;
  for (let depth = 0; depth < 2 && typeof value === 'string'; depth++) {
    if (value.trim() === '') return {};
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (value === null) return {};
  return typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Decodes tool-call arguments; what cannot be decoded is a typed, retryable server_error (the model may
 * well produce valid JSON on the next try), never a crash. The arguments themselves are not quoted. */
export function parseToolArguments(settings: AdapterSettings, text: string, toolName?: string): Record<string, unknown> {
  const decoded = decodeToolArguments(text);
  if (decoded) return decoded;
  throw new ProviderError({
    errorClass: 'server_error',
    provider: settings.providerName,
    model: settings.id,
    providerMessage: `arguments of tool call${toolName ? ` '${toolName}'` : ''} are not a JSON object (${text.length} characters)`,
  });
}
