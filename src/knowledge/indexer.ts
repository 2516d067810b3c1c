// Builds or updates an agent's index: only added and changed files are chunked and embedded (the
// plan compares content hashes and the embedding model), removed files are dropped, and each file
// is replaced atomically, so an interrupted index keeps every file it finished.

import type { CompiledAgent, KnowledgeSettings } from '../compile/ir.js';
import type { EmbedCharge } from '../providers/embed-chain.js';
import type { KnowledgeStore } from '../store/types.js';
import { normalize, toFloat32 } from '../store/quantize.js';
import { chunkText } from './chunk.js';
import { planIndex, type IndexPlan } from './index-state.js';
import { listSources } from './sources.js';
import { priceUsage } from '../cost/price.js';

/** Embeds texts through the knowledge chain; reports each answered batch (for cost and progress). */
export type Embedder = (values: string[], onBatch?: (charge: EmbedCharge) => void) => Promise<number[][]>;

export interface IndexProgress {
  file: string;
  /** Files done of those to embed. */
  done: number;
  total: number;
  chunks: number;
}

export interface IndexReport {
  agent: string;
  embeddingModel: string;
  files: number;
  added: number;
  changed: number;
  unchanged: number;
  removed: number;
  /** Chunks embedded in this pass. */
  embeddedChunks: number;
  /** Chunks in the index now. */
  chunks: number;
  denied: Array<{ path: string; reason: string }>;
  charges: EmbedCharge[];
  /** Embedding tokens and their price, from the providers.yaml pricing of the models that answered. */
  tokens: number;
  costUsd: number;
}

/** Files per embedding request group: small enough for a live progress bar, big enough to batch. */
const filesPerGroup = 16;

export async function indexAgent(
  agent: CompiledAgent & { knowledge: KnowledgeSettings },
  store: KnowledgeStore,
  embed: Embedder,
  onProgress?: (progress: IndexProgress) => void,
): Promise<IndexReport> {
  const { knowledge } = agent;
  const listing = await listSources(knowledge, agent.toolSet);
  const plan: IndexPlan = planIndex(knowledge, listing.files, store);
  const charges: EmbedCharge[] = [];
  for (const file of plan.removed) store.removeFile(knowledge.index, file.path);
  const work = [...plan.added, ...plan.changed];
  let embeddedChunks = 0;
  for (let start = 0; start < work.length; start += filesPerGroup) {
    const group = work.slice(start, start + filesPerGroup).map((file) => ({ file, chunks: chunkText(file.path, file.text, knowledge.chunk) }));
    const texts = group.flatMap(({ chunks }) => chunks.map((chunk) => (chunk.heading ? `${chunk.heading}\n${chunk.text}` : chunk.text)));
    let answeredBy = plan.embeddingModel;
    const vectors = texts.length === 0 ? [] : await embed(texts, (charge) => {
      charges.push(charge);
      answeredBy = charge.model.ref.id;
    });
    let offset = 0;
    for (const [position, { file, chunks }] of group.entries()) {
      const embedded = chunks.map((chunk, index) => ({ ...chunk, embedding: normalize(toFloat32(vectors[offset + index] ?? [])) }));
      offset += chunks.length;
      store.replaceFile(knowledge.index, { path: file.path, contentHash: file.contentHash, embeddingModel: answeredBy }, embedded);
      embeddedChunks += chunks.length;
      onProgress?.({ file: file.path, done: start + position + 1, total: work.length, chunks: embeddedChunks });
    }
  }
  const chunks = store.indexes().find((entry) => entry.index === knowledge.index)?.chunks ?? 0;
  return {
    agent: agent.name,
    embeddingModel: plan.embeddingModel,
    files: listing.files.length,
    added: plan.added.length,
    changed: plan.changed.length,
    unchanged: plan.unchanged.length,
    removed: plan.removed.length,
    embeddedChunks,
    chunks,
    denied: listing.denied,
    charges,
    tokens: charges.reduce((sum, charge) => sum + charge.usage.inputTokens, 0),
    costUsd: charges.reduce((sum, charge) => sum + priceUsage(charge.usage, charge.model.pricing), 0),
  };
}
