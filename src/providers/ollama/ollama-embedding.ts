// Ollama embeddings through ollama-js: POST /api/embed with `input` as a list (the older
// /api/embeddings takes one prompt at a time). `prompt_eval_count` is the token usage.

import type { Ollama } from 'ollama';
import type { EmbeddingModel } from '../types.js';
import { guardedGenerate, type AdapterSettings } from '../call-scope.js';
import { readOllamaError } from './map-error.js';
import { embedScope, estimatedUsage } from '../embeddings/scope.js';

/** Ollama sets no documented limit; larger requests only delay the first byte. */
const ollamaMaxBatch = 256;

export function createOllamaEmbeddingModel(settings: AdapterSettings): EmbeddingModel {
  const headers = { ...settings.headers, ...(settings.apiKey ? { Authorization: `Bearer ${settings.apiKey}` } : {}) };
  // ollama-js takes no per-call signal: the client is made per call with a fetch bound to it (cheap).
  const clientFor = async (signal: AbortSignal): Promise<Ollama> => {
    const { Ollama: OllamaClient } = await import('ollama');
    return new OllamaClient({ host: settings.baseUrl, headers, fetch: (input, init) => fetch(input, { ...init, signal }) });
  };
  return {
    provider: settings.providerName,
    modelId: settings.modelId,
    maxBatchSize: ollamaMaxBatch,
    embed: (options) =>
      guardedGenerate(settings, embedScope(options), readOllamaError, async (signal) => {
        const ollama = await clientFor(signal);
        const response = await ollama.embed({ model: settings.modelId, input: options.values });
        const counted = (response as { prompt_eval_count?: number }).prompt_eval_count;
        const usage = counted === undefined ? estimatedUsage(options.values) : { inputTokens: counted, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
        return { embeddings: response.embeddings, usage, responseModel: response.model };
      }),
  };
}
