// Gemini embeddings through @google/genai: `models.embedContent` with several contents is sent as
// POST /v1beta/models/{model}:batchEmbedContents. The Gemini API reports no token usage for
// embeddings, so usage is estimated from the text (about 4 characters a token).

import type { EmbeddingModel } from '../types.js';
import { guardedGenerate, type AdapterSettings } from '../call-scope.js';
import { geminiClientFactory } from './client.js';
import { readGeminiError } from './map-error.js';
import { embedScope, estimatedUsage } from '../embeddings/scope.js';

/** batchEmbedContents accepts at most 100 requests. */
const geminiMaxBatch = 100;

export function createGeminiEmbeddingModel(settings: AdapterSettings): EmbeddingModel {
  const getClient = geminiClientFactory(settings);
  return {
    provider: settings.providerName,
    modelId: settings.modelId,
    maxBatchSize: geminiMaxBatch,
    embed: (options) =>
      guardedGenerate(settings, embedScope(options), readGeminiError, async (signal) => {
        const gemini = await getClient();
        const response = await gemini.models.embedContent({ model: settings.modelId, contents: options.values, config: { abortSignal: signal } });
        return { embeddings: (response.embeddings ?? []).map((item) => item.values ?? []), usage: estimatedUsage(options.values) };
      }),
  };
}
