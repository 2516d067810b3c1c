// OpenAI (and OpenAI-compatible) embeddings through the official SDK: POST /v1/embeddings.
// OpenAI itself is asked for base64 (a quarter of the bytes of a JSON float list, and no float
// parsing: it is what the SDK does by default); compatible servers get `float`, since some (older
// vLLM, LM Studio) do not speak base64.

import type { EmbeddingModel } from '../types.js';
import { guardedGenerate, type AdapterSettings } from '../call-scope.js';
import { openAIClientFactory } from './client.js';
import { readOpenAIError } from './map-error.js';
import { embedScope } from '../embeddings/scope.js';

/** OpenAI documents at most 2,048 inputs per request. */
const openAIMaxBatch = 2048;

export function createOpenAIEmbeddingModel(settings: AdapterSettings, flavour: { compatible: boolean }): EmbeddingModel {
  const encoding = flavour.compatible ? 'float' : 'base64';
  const getClient = openAIClientFactory(settings);
  return {
    provider: settings.providerName,
    modelId: settings.modelId,
    maxBatchSize: openAIMaxBatch,
    embed: (options) =>
      guardedGenerate(settings, embedScope(options), readOpenAIError, async (signal) => {
        const openai = await getClient();
        const response = await openai.embeddings.create({ model: settings.modelId, input: options.values, encoding_format: encoding }, { signal });
        const ordered = [...response.data].sort((a, b) => a.index - b.index);
        return {
          embeddings: ordered.map((item) => decode(item.embedding as number[] | string)),
          usage: { inputTokens: response.usage?.prompt_tokens ?? 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
          responseModel: response.model,
        };
      }),
  };
}

/** A base64 embedding is little-endian float32 bytes. */
function decode(embedding: number[] | string): number[] {
  if (typeof embedding !== 'string') return embedding;
  const bytes = Buffer.from(embedding, 'base64');
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  return Array.from(new Float32Array(aligned.buffer, 0, aligned.byteLength >>> 2));
}
