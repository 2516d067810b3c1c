// `run --record/--replay <cassette>`: a LanguageModel wrapper under the normal chain (retry, fallback,
// cooldown and pricing all run as usual). Recording stores each model call (request key, normalised
// request, and the result, stream parts or error) as it finishes. Replay answers each call from the
// cassette by request key, repeated keys in recorded order; it builds no SDK client and makes no
// network call, so it needs no API key. Embedding calls made during the run (knowledge retrieval,
// recall of facts) are recorded and replayed the same way, keyed by model and values; indexing
// (`agentpipe index`, `run --reindex`) is not part of a run and is not recorded. Tools are not part
// of the cassette: they run for real.

import type { ModelChain, ModelSpec } from '../compile/ir.js';
import type { ChainOptions } from '../providers/chain.js';
import { ChainError, ProviderError, describe } from '../providers/errors.js';
import { ModelCache } from '../providers/model-cache.js';
import { NoRateLimits } from '../providers/rate-limit.js';
import type { ProviderKeyStatus } from '../providers/registry.js';
import type { CallOptions, EmbeddingModel, GenerateResult, LanguageModel, StreamPart } from '../providers/types.js';
import { redactValue } from '../tools/redact.js';
import { CassetteWriter, agentpipeVersion, cassetteVersion, decodeVector, encodeVector, readCassette, type Cassette, type RecordedCall, type RecordedChatCall, type RecordedEmbedCall, type RecordedError } from './cassette-file.js';
import { EmbeddingModelCache } from '../providers/embed-chain.js';
import { createEmbeddingModel } from '../providers/registry.js';
import { embedKey, firstDifference, normaliseRequest, requestKey, runPlaceholders, type NormalisedRequest, type Placeholders } from './cassette-key.js';

/** What createDefaultPorts needs from a recorder or a player. */
export interface CassetteWiring {
  readonly mode: 'record' | 'replay';
  /** The run's model cache: real adapters when recording, cassette-backed ones when replaying. */
  createModels(env: NodeJS.ProcessEnv): ModelCache;
  /** The run's embedding adapters: recording wrappers around real ones, or cassette-backed ones. */
  createEmbeddingModels(env: NodeJS.ProcessEnv): EmbeddingModelCache;
  /** Wraps each model the chain calls; `searchWrap` is the agent's search augmentation, if any. */
  wrapModel(model: LanguageModel, spec: ModelSpec, searchWrap?: (model: LanguageModel) => LanguageModel): LanguageModel;
  chainOptions: Pick<ChainOptions, 'sleep' | 'rateLimiter'>;
  /** The error to report for a failed chain: a cassette miss is reported as itself, not as a chain failure. */
  chainFailure(error: unknown, chain: ModelChain): unknown;
  /** Called with the run id once the run starts; the id and its date are normalised out of request keys. */
  startRun(runId: string): void;
}

/** Replay met a model call that the cassette does not hold. Never falls back, never retries (exit 1). */
export class CassetteMissError extends ProviderError {
  constructor(
    readonly cassettePath: string,
    model: ModelSpec,
    readonly requestKey: string | undefined,
    reason: string,
    target: string,
  ) {
    super({ errorClass: 'invalid_request', provider: model.provider.name, model: model.ref.id });
    const request = requestKey ? ` (request ${requestKey.slice(0, 12)})` : '';
    this.message =
      `replay: no recorded answer in ${cassettePath} for a call to ${model.ref.id}${request}: ${reason}. ` +
      `The prompt, inputs, tools, params or a tool result changed since the recording; ` +
      `re-record it with \`agentpipe run ${target} --record ${cassettePath}\`. No network call was made.`;
  }
}

abstract class CassetteSession {
  private placeholders: Placeholders;

  constructor(
    readonly path: string,
    private readonly root: string,
  ) {
    this.placeholders = runPlaceholders({ root });
  }

  startRun(runId: string): void {
    this.placeholders = runPlaceholders({ root: this.root, runId });
  }

  protected keyOf(spec: ModelSpec, options: CallOptions): { key: string; request: NormalisedRequest } {
    const request = normaliseRequest(options, this.placeholders);
    return { key: requestKey(spec.ref.id, request), request };
  }
}

type Slot = { call: RecordedCall; done: boolean };

export class CassetteRecorder extends CassetteSession implements CassetteWiring {
  readonly mode = 'record';
  readonly chainOptions = {};
  private readonly slots: Slot[] = [];
  private readonly writer: CassetteWriter;
  private readonly metadata: Cassette['metadata'];

  constructor(path: string, run: { root: string; target: string; inputs: Record<string, unknown>; env: NodeJS.ProcessEnv }) {
    super(path, run.root);
    this.metadata = { agentpipe: agentpipeVersion(), recordedAt: new Date().toISOString(), target: run.target, inputs: run.inputs };
    this.writer = new CassetteWriter(path, () => this.snapshot(), run.env);
  }

  get recordedCalls(): number {
    return this.slots.filter((slot) => slot.done).length;
  }

  snapshot(): Cassette {
    return { version: cassetteVersion, metadata: this.metadata, calls: this.slots.filter((slot) => slot.done).map((slot) => slot.call) };
  }

  /** Writes the file now (an empty cassette before the run, so an unwritable path fails before any call) and waits. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  createModels(env: NodeJS.ProcessEnv): ModelCache {
    return new ModelCache(env);
  }

  createEmbeddingModels(env: NodeJS.ProcessEnv): EmbeddingModelCache {
    return new EmbeddingModelCache(env, (spec, modelEnv) => {
      const inner = createEmbeddingModel(spec, modelEnv);
      if (!inner) return undefined;
      const recorder = this;
      return {
        provider: inner.provider,
        modelId: inner.modelId,
        maxBatchSize: inner.maxBatchSize,
        async embed(options) {
          const call: RecordedEmbedCall = { key: embedKey(spec.ref.id, options.values), model: spec.ref.id, request: { values: [...options.values] }, kind: 'embed' };
          const slot: Slot = { call, done: false };
          recorder.slots.push(slot);
          try {
            const result = await inner.embed(options);
            call.result = { embeddings: result.embeddings.map(encodeVector), usage: result.usage };
            recorder.finishSlot(slot, options.abortSignal);
            return result;
          } catch (error) {
            call.error = recordedError(error);
            recorder.finishSlot(slot, options.abortSignal);
            throw error;
          }
        },
      };
    });
  }

  chainFailure(error: unknown): unknown {
    return error;
  }

  // Outside the search wrapper: the key is the request before sources are added, and replay does not search.
  wrapModel(model: LanguageModel, spec: ModelSpec, searchWrap?: (model: LanguageModel) => LanguageModel): LanguageModel {
    const inner = searchWrap ? searchWrap(model) : model;
    const recorder = this;
    return {
      provider: inner.provider,
      modelId: inner.modelId,
      async generate(options) {
        const slot = recorder.begin(spec, options, 'generate');
        try {
          const result = await inner.generate(options);
          if (slot.call.kind === 'generate') slot.call.result = result;
          recorder.finish(slot, options);
          return result;
        } catch (error) {
          recorder.finish(slot, options, error);
          throw error;
        }
      },
      async *stream(options) {
        const slot = recorder.begin(spec, options, 'stream');
        const parts = slot.call.kind === 'stream' ? slot.call.parts : [];
        let failure: unknown;
        let finished = false;
        try {
          for await (const part of inner.stream(options)) {
            parts.push(part);
            if (part.type === 'finish') finished = true;
            yield part;
          }
        } catch (error) {
          failure = error;
          throw error;
        } finally {
          // The chain stops reading at the finish part, so this is where a streamed call ends.
          if (failure !== undefined || finished) recorder.finish(slot, options, failure);
        }
      },
    };
  }

  /** Takes the call's place in the cassette when it starts, so repeated keys keep their call order. */
  private begin(spec: ModelSpec, options: CallOptions, kind: RecordedChatCall['kind']): Slot {
    const { key, request } = this.keyOf(spec, options);
    const base = { key, model: spec.ref.id, request };
    const slot: Slot = { call: kind === 'stream' ? { ...base, kind, parts: [] } : { ...base, kind }, done: false };
    this.slots.push(slot);
    return slot;
  }

  private finish(slot: Slot, options: CallOptions, error?: unknown): void {
    if (error !== undefined) slot.call.error = recordedError(error);
    this.finishSlot(slot, options.abortSignal);
  }

  private finishSlot(slot: Slot, signal: AbortSignal | undefined): void {
    // A call cut short by Ctrl-C or a timeout of the run has no answer worth replaying.
    if (signal?.aborted) return;
    slot.done = true;
    this.writer.save();
  }
}

function recordedError(error: unknown): RecordedError {
  if (!(error instanceof ProviderError)) return { errorClass: 'server_error', message: describe(error) };
  return {
    errorClass: error.errorClass,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    ...(error.providerMessage === undefined ? {} : { message: error.providerMessage }),
  };
}

export class CassettePlayer extends CassetteSession implements CassetteWiring {
  readonly mode = 'replay';
  readonly chainOptions = { sleep: async () => {}, rateLimiter: new NoRateLimits() };
  private readonly byKey = new Map<string, RecordedCall[]>();
  private readonly used = new Map<string, number>();
  private readonly models: Set<string>;

  private constructor(
    path: string,
    root: string,
    readonly cassette: Cassette,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    super(path, root);
    for (const call of cassette.calls) this.byKey.set(call.key, [...(this.byKey.get(call.key) ?? []), call]);
    this.models = new Set(cassette.calls.map((call) => call.model));
  }

  static async open(path: string, run: { root: string; env: NodeJS.ProcessEnv }): Promise<CassettePlayer> {
    return new CassettePlayer(path, run.root, await readCassette(path), run.env);
  }

  /** A model the recording never called stays skipped in replay, as it was skipped (no key) or not needed then. */
  createModels(): ModelCache {
    const player = this;
    return new (class extends ModelCache {
      override keyStatus(spec: ModelSpec): ProviderKeyStatus {
        const recorded = player.models.has(spec.ref.id);
        return { envVars: [], required: false, isSet: recorded, ...(recorded ? {} : { reason: `not called when ${player.path} was recorded` }) };
      }
    })({}, (spec) => this.model(spec));
  }

  createEmbeddingModels(): EmbeddingModelCache {
    return new EmbeddingModelCache({}, (spec) => this.embeddingModel(spec));
  }

  wrapModel(model: LanguageModel): LanguageModel {
    return model;
  }

  chainFailure(error: unknown, chain: ModelChain): unknown {
    if (!(error instanceof ChainError)) return error;
    if (error.cause instanceof CassetteMissError) return error.cause;
    if (error.attempts.length > 0 && error.attempts.every((attempt) => attempt.skipped)) {
      const spec = chain.models[0];
      const reason = `the recording has no call to any model of chain '${chain.name}' (${chain.models.map((model) => model.ref.id).join(', ')}); it called ${[...this.models].join(', ') || 'no model'}`;
      if (spec) return new CassetteMissError(this.path, spec, undefined, reason, this.cassette.metadata.target);
    }
    return error;
  }

  private model(spec: ModelSpec): LanguageModel {
    const player = this;
    return {
      provider: spec.provider.name,
      modelId: spec.ref.model,
      async generate(options) {
        const call = player.take(spec, options);
        if (call.kind === 'generate') {
          if (call.error) throw replayedError(call.error, spec);
          return call.result!;
        }
        const finish = call.parts.find((part) => part.type === 'finish');
        if (finish?.type === 'finish') return finish.result;
        throw replayedError(call.error ?? { errorClass: 'network', message: 'stream ended without a finish part' }, spec);
      },
      async *stream(options) {
        const call = player.take(spec, options);
        yield* call.kind === 'stream' ? call.parts : call.result ? partsOf(call.result) : [];
        if (call.error) throw replayedError(call.error, spec);
      },
    };
  }

  private embeddingModel(spec: ModelSpec): EmbeddingModel {
    const player = this;
    return {
      provider: spec.provider.name,
      modelId: spec.ref.model,
      // Replay must cut the values into the same batches as the recording did: the recorded calls say how.
      maxBatchSize: Math.max(1, ...this.cassette.calls.flatMap((call) => (call.kind === 'embed' && call.model === spec.ref.id ? [call.request.values.length] : []))),
      async embed(options) {
        options.abortSignal?.throwIfAborted();
        const key = embedKey(spec.ref.id, options.values);
        const call = player.next(key);
        if (!call || call.kind !== 'embed') {
          const recorded = player.cassette.calls.filter((entry) => entry.kind === 'embed' && entry.model === spec.ref.id).length;
          const reason = recorded === 0 ? `the recording has no embeddings call to ${spec.ref.id}` : `none of its ${recorded} embeddings call(s) to ${spec.ref.id} had these ${options.values.length} value(s) (a question or a fact changed)`;
          throw new CassetteMissError(player.path, spec, key, reason, player.cassette.metadata.target);
        }
        if (call.error) throw replayedError(call.error, spec);
        return { embeddings: (call.result?.embeddings ?? []).map(decodeVector), usage: call.result!.usage };
      },
    };
  }

  /** The next unused recorded call with `key`, marked used. */
  private next(key: string): RecordedCall | undefined {
    const calls = this.byKey.get(key) ?? [];
    const index = this.used.get(key) ?? 0;
    const call = calls[index];
    if (call) this.used.set(key, index + 1);
    return call;
  }

  private take(spec: ModelSpec, options: CallOptions): RecordedChatCall {
    options.abortSignal?.throwIfAborted();
    const { key, request } = this.keyOf(spec, options);
    const call = this.next(key);
    if (call && call.kind !== 'embed') return call;
    const calls = this.byKey.get(key) ?? [];
    throw new CassetteMissError(this.path, spec, key, calls.length > 0 ? `this exact request was recorded ${calls.length} time(s) and is now made once more` : this.closest(spec, request), this.cassette.metadata.target);
  }

  /** Names where the request departs from the most similar recorded call to the same model. */
  private closest(spec: ModelSpec, live: NormalisedRequest): string {
    const candidates = this.cassette.calls.flatMap((call) => (call.kind !== 'embed' && call.model === spec.ref.id ? [call] : []));
    if (candidates.length === 0) return `the recording has no call to ${spec.ref.id}`;
    // Recorded requests are redacted on disk; redact this one alike so only real changes show.
    const redacted = redactValue(live, this.env) as NormalisedRequest;
    const same = (recorded: unknown, live: unknown) => firstDifference(recorded, live) === undefined;
    const score = (call: RecordedChatCall) => sharedPrefix(call.request.messages, redacted.messages, same) * 4 + (same(call.request.system, redacted.system) ? 2 : 0) + (same(call.request.tools, redacted.tools) ? 1 : 0);
    const best = candidates.reduce((top, call) => (score(call) > score(top) ? call : top));
    return `closest recorded call differs at ${firstDifference(best.request, redacted) ?? 'an unknown place'}`;
  }
}

function sharedPrefix(a: readonly unknown[], b: readonly unknown[], same: (a: unknown, b: unknown) => boolean): number {
  let count = 0;
  while (count < a.length && count < b.length && same(a[count], b[count])) count++;
  return count;
}

function replayedError(error: RecordedError, spec: ModelSpec): ProviderError {
  return new ProviderError({
    errorClass: error.errorClass,
    provider: spec.provider.name,
    model: spec.ref.id,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    providerMessage: `${error.message ?? error.errorClass} (replayed from the cassette)`,
  });
}

/** A generate-recorded answer asked for as a stream. */
function partsOf(result: GenerateResult): StreamPart[] {
  const parts: StreamPart[] = [];
  for (const content of result.content) parts.push(content.type === 'text' ? { type: 'text-delta', delta: content.text } : { type: 'tool-call', call: content });
  parts.push({ type: 'finish', result });
  return parts;
}
