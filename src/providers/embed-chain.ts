// Embeddings through the same chain as language models: values are cut into batches (the adapter's
// limit, and a character cap so one request stays small), and each batch is retried and falls back
// exactly like a chat call. Each answered batch reports its model and usage so the caller can price
// and charge it in the ledger.

import type { ModelChain, ModelSpec } from '../compile/ir.js';
import { runChain, type ChainOptions } from './chain.js';
import { ProviderError } from './errors.js';
import { createEmbeddingModel } from './registry.js';
import type { EmbeddingModel, Usage } from './types.js';
import { approximateTokens } from '../search/format.js';

/** Per-run embedding adapters, one per model id. */
export class EmbeddingModelCache {
  private readonly models = new Map<string, EmbeddingModel>();
  constructor(
    readonly env: NodeJS.ProcessEnv = process.env,
    private readonly factory: (spec: ModelSpec, env: NodeJS.ProcessEnv) => EmbeddingModel | undefined = createEmbeddingModel,
  ) {}

  get(spec: ModelSpec): EmbeddingModel {
    let model = this.models.get(spec.ref.id);
    if (!model) {
      model = this.factory(spec, this.env);
      if (!model) {
        throw new ProviderError({ errorClass: 'invalid_request', provider: spec.provider.name, model: spec.ref.id, providerMessage: `provider type '${spec.provider.type}' has no embeddings API` });
      }
      this.models.set(spec.ref.id, model);
    }
    return model;
  }
}

/** One answered batch: which model embedded it and what it used. */
export interface EmbedCharge {
  model: ModelSpec;
  usage: Usage;
  values: number;
}

export interface EmbedChainOptions extends ChainOptions {
  embeddingModels?: EmbeddingModelCache;
  /** Called after each batch (for progress bars and ledger charges). */
  onBatch?: (charge: EmbedCharge) => void;
}

/** About 100k tokens a request: under every vendor's per-request cap (OpenAI allows 300k). */
const maxBatchCharacters = 400_000;

export function batches(values: string[], maxSize: number, maxCharacters = maxBatchCharacters): string[][] {
  const result: string[][] = [];
  let current: string[] = [];
  let characters = 0;
  for (const value of values) {
    if (current.length > 0 && (current.length >= maxSize || characters + value.length > maxCharacters)) {
      result.push(current);
      current = [];
      characters = 0;
    }
    current.push(value);
    characters += value.length;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** Embeds `values` in order; returns the vectors and every batch's charge. */
export async function embedWithChain(chain: ModelChain, values: string[], options: EmbedChainOptions): Promise<{ embeddings: number[][]; charges: EmbedCharge[] }> {
  const cache = options.embeddingModels ?? new EmbeddingModelCache(options.models?.env);
  const first = chain.models[0];
  // The smallest limit of the chain: a fallback model must accept the same batch.
  const maxSize = Math.min(...chain.models.map((spec) => safeBatchSize(cache, spec)), first ? Infinity : 1);
  const embeddings: number[][] = [];
  const charges: EmbedCharge[] = [];
  for (const batch of batches(values, Number.isFinite(maxSize) ? maxSize : 100)) {
    const estimatedTokens = batch.reduce((sum, value) => sum + approximateTokens(value), 0);
    const answer = await runChain(
      chain,
      (_languageModel, spec) => cache.get(spec).embed({ values: batch, ...(options.signal ? { abortSignal: options.signal } : {}) }),
      { ...options, estimatedTokens },
    );
    if (answer.value.embeddings.length !== batch.length) {
      throw new ProviderError({ errorClass: 'server_error', provider: answer.model.provider.name, model: answer.model.ref.id, providerMessage: `returned ${answer.value.embeddings.length} embeddings for ${batch.length} inputs` });
    }
    embeddings.push(...answer.value.embeddings);
    const charge = { model: answer.model, usage: answer.value.usage, values: batch.length };
    charges.push(charge);
    options.onBatch?.(charge);
  }
  return { embeddings, charges };
}

function safeBatchSize(cache: EmbeddingModelCache, spec: ModelSpec): number {
  try {
    return cache.get(spec).maxBatchSize;
  } catch {
    return Infinity;
  }
}
