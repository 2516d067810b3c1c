// Hybrid retrieval: the store's vector ranking (cosine) and lexical ranking (BM25) fused by
// reciprocal rank fusion, score(d) = Σ 1 / (k + rank_i(d)) with k = 60 (Cormack et al., 2009).
// RRF needs no score calibration between the two, and a chunk that only one side finds still
// ranks: exact names and codes come from BM25, paraphrases from the vectors. Each side votes with
// its own top_k only (a chunk ranked 15th by one side would otherwise outvote a chunk ranked 1st by
// the other and absent from its list), and a BM25 hit votes only when it mentions at least half of
// the question's words (stop words aside) or one of its names or codes (`E4031`, `max_size_gb`): a
// chunk that shares one common word with a question phrased in other words than the document's is a
// near-zero match, and a ranking of those is noise that would push the vector side's finds out.

import { codeTerms, mentions, queryTerms } from '../store/query-terms.js';
import type { KnowledgeStore, StoredChunk } from '../store/types.js';

export const rrfK = 60;

export interface RetrievalOptions {
  topK: number;
  /** Chunks found only by vector search need at least this cosine similarity. */
  minScore: number;
  /** Which rankings to use (the evaluation compares them); default hybrid. */
  method?: 'hybrid' | 'vector' | 'lexical';
}

export interface RetrievedChunk extends StoredChunk {
  /** Fused RRF score (or the single method's score). */
  score: number;
  similarity?: number;
  vectorRank?: number;
  lexicalRank?: number;
}

/** Share of the question's words that a BM25 hit must mention to take part in hybrid fusion. */
export const lexicalCoverage = 0.5;

export function retrieve(store: KnowledgeStore, index: string, question: string, queryVector: Float32Array | undefined, options: RetrievalOptions): RetrievedChunk[] {
  const method = options.method ?? 'hybrid';
  const limit = options.topK;
  const vector = method !== 'lexical' && queryVector ? store.vectorSearch(index, queryVector, limit) : [];
  let lexical = method !== 'vector' ? store.lexicalSearch(index, question, limit) : [];
  if (method === 'hybrid' && lexical.length > 0) {
    const terms = queryTerms(question);
    const codes = codeTerms(question);
    const texts = new Map(store.chunks(lexical.map((hit) => hit.chunkId)).map((chunk) => [chunk.id, `${chunk.heading ?? ''}\n${chunk.text}`.toLowerCase()]));
    lexical = lexical.filter((hit) => {
      const text = texts.get(hit.chunkId) ?? '';
      return codes.some((code) => text.includes(code)) || terms.filter((term) => mentions(text, term)).length >= terms.length * lexicalCoverage;
    });
  }
  const fused = new Map<number, { score: number; similarity?: number; vectorRank?: number; lexicalRank?: number }>();
  vector.forEach((hit, rank) => {
    if (hit.similarity < options.minScore && method !== 'vector') return;
    fused.set(hit.chunkId, { score: 1 / (rrfK + rank + 1), similarity: hit.similarity, vectorRank: rank + 1 });
  });
  lexical.forEach((hit, rank) => {
    const entry = fused.get(hit.chunkId) ?? { score: 0 };
    entry.score += 1 / (rrfK + rank + 1);
    entry.lexicalRank = rank + 1;
    fused.set(hit.chunkId, entry);
  });
  const ranked = [...fused.entries()].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]).slice(0, options.topK);
  const chunks = new Map(store.chunks(ranked.map(([id]) => id)).map((chunk) => [chunk.id, chunk]));
  return ranked.flatMap(([id, ranking]) => {
    const chunk = chunks.get(id);
    return chunk ? [{ ...chunk, ...ranking }] : [];
  });
}
