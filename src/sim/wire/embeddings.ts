// The embeddings endpoints of each vendor, answered with the simulated embedder:
// OpenAI POST /v1/embeddings (float or base64), Gemini :embedContent and :batchEmbedContents,
// Ollama POST /api/embed (and the older /api/embeddings).

import { simulatedEmbedding, simulatedTokens } from '../embedder.js';
import type { SimApi } from '../script.js';
import { jsonReply, type WireReply } from './types.js';

export interface EmbeddingRoute {
  api: SimApi;
  model: string;
  /** Which request shape to read and answer. */
  shape: 'openai' | 'gemini-single' | 'gemini-batch' | 'ollama' | 'ollama-legacy';
}

export function embeddingRoute(path: string, body: Record<string, unknown>): EmbeddingRoute | undefined {
  const model = typeof body.model === 'string' ? body.model : '';
  if (path === '/v1/embeddings') return { api: 'openai', model, shape: 'openai' };
  if (path === '/api/embed') return { api: 'ollama', model, shape: 'ollama' };
  if (path === '/api/embeddings') return { api: 'ollama', model, shape: 'ollama-legacy' };
  const gemini = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(embedContent|batchEmbedContents)$/.exec(path);
  if (gemini?.[1]) return { api: 'gemini', model: decodeURIComponent(gemini[1]), shape: gemini[2] === 'embedContent' ? 'gemini-single' : 'gemini-batch' };
  return undefined;
}

const textList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]);

const geminiText = (content: unknown): string =>
  ((content as { parts?: Array<{ text?: string }> } | undefined)?.parts ?? []).map((part) => part.text ?? '').join('');

const positive = (value: unknown): number | undefined => (typeof value === 'number' && value > 0 ? Math.floor(value) : undefined);

/** The texts a request asks to embed (for the request log and tests counting embedded inputs). */
export function embeddingInputs(route: EmbeddingRoute, body: Record<string, unknown>): string[] {
  switch (route.shape) {
    case 'openai':
    case 'ollama':
      return textList(body.input);
    case 'ollama-legacy':
      return textList(body.prompt);
    case 'gemini-single':
      return [geminiText(body.content)];
    case 'gemini-batch':
      return ((body.requests as Array<{ content?: unknown }> | undefined) ?? []).map((request) => geminiText(request.content));
  }
}

function float32Base64(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

export function renderEmbeddings(route: EmbeddingRoute, body: Record<string, unknown>, defaultDims: number): WireReply {
  const inputs = embeddingInputs(route, body);
  const tokens = inputs.reduce((sum, text) => sum + simulatedTokens(text), 0);
  switch (route.shape) {
    case 'openai': {
      const dims = positive(body.dimensions) ?? defaultDims;
      const base64 = body.encoding_format === 'base64';
      return jsonReply(200, {
        object: 'list',
        data: inputs.map((text, index) => {
          const vector = simulatedEmbedding(text, dims);
          return { object: 'embedding', index, embedding: base64 ? float32Base64(vector) : vector };
        }),
        model: route.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      });
    }
    case 'gemini-single': {
      const dims = positive(body.outputDimensionality) ?? defaultDims;
      return jsonReply(200, { embedding: { values: simulatedEmbedding(inputs[0] ?? '', dims) } });
    }
    case 'gemini-batch': {
      const requests = (body.requests as Array<{ outputDimensionality?: number }> | undefined) ?? [];
      return jsonReply(200, { embeddings: inputs.map((text, index) => ({ values: simulatedEmbedding(text, positive(requests[index]?.outputDimensionality) ?? defaultDims) })) });
    }
    case 'ollama': {
      const dims = positive(body.dimensions) ?? defaultDims;
      return jsonReply(200, { model: route.model, embeddings: inputs.map((text) => simulatedEmbedding(text, dims)), total_duration: 1000, load_duration: 100, prompt_eval_count: tokens });
    }
    case 'ollama-legacy':
      return jsonReply(200, { embedding: simulatedEmbedding(inputs[0] ?? '', defaultDims) });
  }
}
