// What knowledge adds to a run's cost, for `estimate` and `explain`, without calling anything:
// retrieval tokens (the injected source block, or knowledge_search results), the embedding of the
// question, and what a full (re-)index of the sources would embed. The index is a separate
// one-time cost (`agentpipe index`), so it is reported beside the run total, not inside it.

import type { KnowledgeSettings, ToolSet } from '../compile/ir.js';
import { priceUsage } from '../cost/price.js';
import { approximateTokens } from '../search/format.js';
import { chunkText } from './chunk.js';
import { listSources } from './sources.js';

/** Header and citation instruction of the source block, and the `[n] path:lines (heading)` framing per chunk. */
const blockOverheadTokens = 50;
const chunkFramingTokens = 15;

export interface KnowledgeEstimate {
  mode: KnowledgeSettings['mode'];
  embeddingModel: string;
  /** Tokens retrieval adds to the agent's input: the injected block (inject) or the tool results (tool). */
  retrievalTokens: number;
  /** Tokens of the question embedded per run. */
  queryTokens: number;
  queryCostUsd: number;
  /** A full index of the readable sources: files, chunks, tokens to embed and their price. */
  index: { files: number; chunks: number; tokens: number; costUsd: number };
}

/** Worst-case retrieval tokens: top_k full chunks, capped by max_tokens in inject mode. */
export function retrievalTokens(knowledge: KnowledgeSettings): number {
  const full = blockOverheadTokens + knowledge.topK * (knowledge.chunk.size + chunkFramingTokens);
  return knowledge.mode === 'inject' ? Math.min(knowledge.maxTokens, full) : full;
}

export async function estimateKnowledge(knowledge: KnowledgeSettings, toolSet: ToolSet, question: string): Promise<KnowledgeEstimate> {
  const model = knowledge.embedding.models[0];
  const price = (tokens: number) => (model ? priceUsage({ inputTokens: tokens, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, model.pricing) : 0);
  const listing = await listSources(knowledge, toolSet);
  let chunks = 0;
  let tokens = 0;
  for (const file of listing.files) {
    for (const chunk of chunkText(file.path, file.text, knowledge.chunk)) {
      chunks++;
      tokens += approximateTokens(chunk.heading ? `${chunk.heading}\n${chunk.text}` : chunk.text);
    }
  }
  const queryTokens = approximateTokens(question);
  return {
    mode: knowledge.mode,
    embeddingModel: model?.ref.id ?? knowledge.embedding.name,
    retrievalTokens: retrievalTokens(knowledge),
    queryTokens,
    queryCostUsd: price(queryTokens),
    index: { files: listing.files.length, chunks, tokens, costUsd: price(tokens) },
  };
}
