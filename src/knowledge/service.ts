// Wiring between an agent's knowledge settings, the provider chain and the store, shared by
// `agentpipe index`, `run` (staleness check, --reindex, retrieval) and explain.

import type { CompiledAgent, KnowledgeSettings, ModelChain } from '../compile/ir.js';
import { embedWithChain, type EmbedCharge, type EmbeddingModelCache } from '../providers/embed-chain.js';
import { ModelCache } from '../providers/model-cache.js';
import type { EventSink } from '../run/events.js';
import { normalize, toFloat32 } from '../store/quantize.js';
import type { KnowledgeStore } from '../store/types.js';
import { planIndex, type IndexPlan } from './index-state.js';
import type { Embedder } from './indexer.js';
import { retrieve, type RetrievedChunk } from './retrieve.js';
import { listSources } from './sources.js';

export type KnowledgeAgent = CompiledAgent & { knowledge: KnowledgeSettings };

export const hasKnowledge = (agent: CompiledAgent): agent is KnowledgeAgent => agent.knowledge !== undefined;

export interface EmbedderOptions {
  env: NodeJS.ProcessEnv;
  emit?: EventSink;
  signal?: AbortSignal;
  models?: ModelCache;
  embeddingModels?: EmbeddingModelCache;
}

export function createEmbedder(chain: ModelChain, options: EmbedderOptions): Embedder {
  const models = options.models ?? new ModelCache(options.env);
  return async (values, onBatch) => {
    const { embeddings } = await embedWithChain(chain, values, {
      emit: options.emit ?? (() => {}),
      models,
      ...(options.embeddingModels ? { embeddingModels: options.embeddingModels } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(onBatch ? { onBatch } : {}),
    });
    return embeddings;
  };
}

/** The index plan of an agent: what `agentpipe index` would embed now. */
export async function knowledgePlan(agent: KnowledgeAgent, store: KnowledgeStore): Promise<IndexPlan & { denied: Array<{ path: string; reason: string }> }> {
  const listing = await listSources(agent.knowledge, agent.toolSet);
  return { ...planIndex(agent.knowledge, listing.files, store), denied: listing.denied };
}

/** Embeds the question and runs hybrid retrieval; `onCharge` prices the query embedding. */
export async function searchKnowledge(
  knowledge: KnowledgeSettings,
  store: KnowledgeStore,
  embed: Embedder,
  question: string,
  onCharge?: (charge: EmbedCharge) => void,
  topK = knowledge.topK,
): Promise<RetrievedChunk[]> {
  const [vector] = await embed([question], onCharge);
  return retrieve(store, knowledge.index, question, vector ? normalize(toFloat32(vector)) : undefined, { topK, minScore: knowledge.minScore });
}
