// Runs a ModelChain: retry (per model, on retryable classes, exponential backoff with full jitter,
// honouring retry-after) and fallback (to the next model, only for classes in fallbackOn) are two
// separate policies. The final ChainError lists every attempt. No vendor SDK is imported here.

import { setTimeout as delay } from 'node:timers/promises';
import type { ErrorClass, ModelChain, ModelSpec, RetryPolicy } from '../compile/ir.js';
import type { EventSink } from '../run/events.js';
import type { CallOptions, GenerateResult, LanguageModel, StreamPart, Usage } from './types.js';
import { ChainError, ProviderError, describe, type ChainAttempt } from './errors.js';
import { ModelCache } from './model-cache.js';
import { processRateLimiter, type RateLimitBackend, type RateScope } from './rate-limit.js';

export interface ChainOptions {
  emit: EventSink;
  /** Per-run adapters and cooldown state; pass the same cache to every call of one run. */
  models?: ModelCache;
  signal?: AbortSignal;
  /** Injected in tests to record delays instead of waiting. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  rateLimiter?: RateLimitBackend;
  /** Expected tokens of one call, charged against tpm limits before the call. */
  estimatedTokens?: number;
}

export interface ChainSuccess<T> {
  value: T;
  /** The model that answered. */
  model: ModelSpec;
  /** Failed attempts before the answer (empty when the first call succeeded). */
  attempts: ChainAttempt[];
}

/** A stream part from a chain; `finish` also says which model answered, for pricing. */
export type ChainStreamPart = Exclude<StreamPart, { type: 'finish' }> | { type: 'finish'; result: GenerateResult; model: ModelSpec };

const defaultSleep = (ms: number, signal?: AbortSignal) => delay(ms, undefined, signal ? { signal } : {});

/** invalid_request means the request itself is wrong: another model would get the same wrong request. */
export function mayFallBack(errorClass: ErrorClass, fallbackOn: readonly ErrorClass[]): boolean {
  return errorClass !== 'invalid_request' && fallbackOn.includes(errorClass);
}

/** Delay before retry number `attempt` (1-based): the provider's retry-after when honoured, else full jitter. */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random: () => number): number {
  if (policy.honorRetryAfter && retryAfterMs !== undefined) return Math.min(policy.maxDelayMs, Math.max(0, retryAfterMs));
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/** Rough token estimate of a call (4 characters a token) plus its output budget, for tpm limits. */
export function estimateCallTokens(options: CallOptions): number {
  const characters = JSON.stringify(options.system).length + JSON.stringify(options.messages).length + JSON.stringify(options.tools ?? []).length;
  return Math.ceil(characters / 4) + (options.maxTokens ?? 1024);
}

const totalTokens = (usage: Usage) => usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;

/** The limits a call to this model draws from: its provider's, then its own (`rate_limits.<provider/model>`). */
function rateScopesOf(chain: ModelChain, spec: ModelSpec): RateScope[] {
  return [spec.provider.name, spec.ref.id].flatMap((key) => {
    const limit = chain.rateLimits[key];
    return limit ? [{ key, limit }] : [];
  });
}

type Attempt<T> = (model: LanguageModel, spec: ModelSpec) => AsyncGenerator<ChainStreamPart, T>;

function asProviderError(error: unknown, spec: ModelSpec): ProviderError {
  if (error instanceof ProviderError) return error;
  return new ProviderError({ errorClass: 'server_error', provider: spec.provider.name, model: spec.ref.id, providerMessage: describe(error), cause: error });
}

async function* runLoop<T>(
  chain: ModelChain,
  options: ChainOptions,
  attemptOnce: Attempt<T>,
  resultOf: (value: T) => GenerateResult | undefined,
): AsyncGenerator<ChainStreamPart, ChainSuccess<T>> {
  const models = options.models ?? new ModelCache();
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const limiter = options.rateLimiter ?? processRateLimiter();
  const estimated = options.estimatedTokens ?? 0;
  const attempts: ChainAttempt[] = [];
  const hasKey = (spec: ModelSpec) => models.keyStatus(spec).reason === undefined;
  // A cooling model is skipped only while some other model of the chain can still be called.
  const anotherUsable = (spec: ModelSpec) => chain.models.some((other) => other !== spec && hasKey(other) && !models.isCooling(other.ref.id));

  for (const [index, spec] of chain.models.entries()) {
    const id = spec.ref.id;
    const status = models.keyStatus(spec);
    const skipReason = status.reason ?? (models.isCooling(id) && anotherUsable(spec) ? 'rate limited earlier in this run' : undefined);
    if (skipReason) {
      options.emit({ type: 'model-skipped', model: id, reason: skipReason });
      attempts.push({ model: id, attempt: 0, errorClass: status.reason ? 'unavailable' : 'rate_limited', delayMs: 0, message: skipReason, skipped: true });
      continue;
    }
    const model = models.get(spec);
    const rateScopes = rateScopesOf(chain, spec);
    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted();
      await limiter.acquire(rateScopes, estimated, { emit: options.emit, ...(options.signal ? { signal: options.signal } : {}) });
      options.emit({ type: 'model-call', model: id, attempt });
      let yielded = false;
      try {
        const parts = attemptOnce(model, spec);
        let step = await parts.next();
        while (!step.done) {
          if (step.value.type !== 'finish') yielded = true;
          yield step.value;
          step = await parts.next();
        }
        const result = resultOf(step.value);
        if (result) limiter.settle(rateScopes, estimated, totalTokens(result.usage));
        // Settings the provider could not honour are data (STYLE 6): reported once per model and run.
        for (const warning of result?.warnings ?? [])
          if (models.firstWarning(id, warning.message)) options.emit({ type: 'warning', message: `${id}: ${warning.message}` });
        return { value: step.value, model: spec, attempts };
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason ?? error;
        const failure = asProviderError(error, spec);
        const statusField = failure.status === undefined ? {} : { status: failure.status };
        // Once text reached the caller, a retry would repeat it: the stream fails as is.
        const retry = failure.retryable && !yielded && attempt < chain.retry.attempts;
        const delayMs = retry ? retryDelay(chain.retry, attempt, failure.retryAfterMs, random) : 0;
        attempts.push({ model: id, attempt, errorClass: failure.errorClass, ...statusField, delayMs, message: failure.providerMessage ?? failure.message });
        if (retry) {
          options.emit({ type: 'model-retry', model: id, attempt, errorClass: failure.errorClass, ...statusField, delayMs });
          await sleep(delayMs, options.signal);
          continue;
        }
        if (failure.errorClass === 'rate_limited') models.coolDown(id);
        const next = chain.models[index + 1];
        if (yielded || !next || !mayFallBack(failure.errorClass, chain.fallbackOn)) throw new ChainError(chain.name, attempts, { cause: failure });
        options.emit({ type: 'model-fallback', from: id, to: next.ref.id, errorClass: failure.errorClass, ...statusField });
        break;
      }
    }
  }
  throw new ChainError(chain.name, attempts);
}

/** Runs any call through the chain: `call` gets each model in turn. */
export async function runChain<T>(chain: ModelChain, call: (model: LanguageModel, spec: ModelSpec) => Promise<T>, options: ChainOptions): Promise<ChainSuccess<T>> {
  const loop = runLoop<T>(
    chain,
    options,
    // A one-shot call is an attempt that yields no parts.
    async function* (model, spec) {
      return await call(model, spec);
    },
    (value) => (isGenerateResult(value) ? value : undefined),
  );
  let step = await loop.next();
  while (!step.done) step = await loop.next();
  return step.value;
}

function isGenerateResult(value: unknown): value is GenerateResult {
  return typeof value === 'object' && value !== null && 'usage' in value && 'finishReason' in value;
}

/** `generate` through the chain. */
export function generateWithChain(chain: ModelChain, callOptions: CallOptions, options: ChainOptions): Promise<ChainSuccess<GenerateResult>> {
  return runChain(chain, (model) => model.generate(callOptions), { estimatedTokens: estimateCallTokens(callOptions), ...options });
}

/** `stream` through the chain: retries and falls back only while nothing has been yielded yet. */
export async function* streamWithChain(chain: ModelChain, callOptions: CallOptions, options: ChainOptions): AsyncGenerator<ChainStreamPart, ChainSuccess<GenerateResult>> {
  return yield* runLoop<GenerateResult>(
    chain,
    { estimatedTokens: estimateCallTokens(callOptions), ...options },
    async function* (model, spec) {
      for await (const part of model.stream(callOptions)) {
        if (part.type === 'finish') {
          yield { type: 'finish', result: part.result, model: spec };
          return part.result;
        }
        yield part;
      }
      throw new ProviderError({ errorClass: 'network', provider: spec.provider.name, model: spec.ref.id, providerMessage: 'stream ended without a finish part' });
    },
    (result) => result,
  );
}
