// OpenAI (and OpenAI-compatible) embeddings through the official SDK: POST /v1/embeddings.
// `encoding_format: 'float'` is sent explicitly: the SDK otherwise asks for base64, which some
// compatible servers (older vLLM, LM Studio) do not speak.

import type { EmbeddingModel } from '../types.js';
import { guardedGenerate, type AdapterSettings } from '../call-scope.js';
import { openAIClientFactory } from './client.js';
import { readOpenAIError } from './map-error.js';
import { embedScope } from '../embeddings/scope.js';

/** OpenAI documents at most 2,048 inputs per request. */
const openAIMaxBatch = 2048;

export function createOpenAIEmbeddingModel(settings: AdapterSettings): EmbeddingModel {
  const getClient = openAIClientFactory(settings);
  return {
    provider: settings.providerName,
    modelId: settings.modelId,
    maxBatchSize: openAIMaxBatch,
    embed: (options) =>
      guardedGenerate(settings, embedScope(options), readOpenAIError, async (signal) => {
        const openai = await getClient();
        const response = await openai.embeddings.create({ model: settings.modelId, input: options.values, encoding_format: 'float' }, { signal });
        const ordered = [...response.data].sort((a, b) => a.index - b.index);
        return {
          embeddings: ordered.map((item) => item.embedding),
          usage: { inputTokens: response.usage?.prompt_tokens ?? 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
          responseModel: response.model,
        };
      }),
  };
}
