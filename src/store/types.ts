// What knowledge and memory need from a store, independent of where it lives. The SQLite driver
// (sqlite-vec + FTS5 in .agentpipe/store.db) is the only one today; the shapes are chosen so that a
// Postgres driver (pgvector for vectorSearch, tsvector/ts_rank for lexicalSearch) can implement
// them unchanged. Fusion of the two rankings happens above the store (src/knowledge/retrieve.ts).

/** A stored chunk of a knowledge source, with its `file:line` provenance. */
export interface ChunkInput {
  /** Workspace-relative path, `/`-separated. */
  path: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** The markdown heading trail or code symbol the chunk sits under, when there is one. */
  heading?: string;
  text: string;
}

export interface StoredChunk extends ChunkInput {
  id: number;
}

/** One indexed file: what it was indexed from (content hash) and with (embedding model). */
export interface IndexedFile {
  path: string;
  /** sha256 of the file's bytes. */
  contentHash: string;
  /** `provider/model` whose vectors its chunks carry. */
  embeddingModel: string;
  chunks: number;
  indexedAt: string;
}

export interface VectorHit {
  chunkId: number;
  /** Cosine similarity to the query, -1..1 (exact, after rescoring). */
  similarity: number;
}

export interface LexicalHit {
  chunkId: number;
  /** BM25 score, higher is better (FTS5's bm25() negated). */
  score: number;
}

export interface KnowledgeStore {
  /** Files of one index (an agent's knowledge), by path. */
  files(index: string): Map<string, IndexedFile>;
  /** Replaces everything stored for one file, atomically (a crash leaves the old or the new version). */
  replaceFile(index: string, file: Omit<IndexedFile, 'chunks' | 'indexedAt'>, chunks: Array<ChunkInput & { embedding: Float32Array }>): void;
  removeFile(index: string, path: string): void;
  vectorSearch(index: string, query: Float32Array, limit: number): VectorHit[];
  lexicalSearch(index: string, query: string, limit: number): LexicalHit[];
  chunks(ids: number[]): StoredChunk[];
  /** Names of the indexes in the store, with their chunk counts. */
  indexes(): Array<{ index: string; files: number; chunks: number }>;
}

export interface ThreadInfo {
  id: string;
  agent: string;
  /** Rolling summary of the turns before `summarizedThrough` (empty when none). */
  summary: string;
  /** Turn id up to which (inclusive) the summary covers the conversation; 0 when none. */
  summarizedThrough: number;
  createdAt: string;
  updatedAt: string;
  turns: number;
}

export interface Turn {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  runId?: string;
  /** A user turn whose run never produced an answer (interrupted or killed) is `answered: false`. */
  answered: boolean;
  createdAt: string;
}

export interface Fact {
  id: number;
  /** The agent name, or the shared scope name the agents agreed on. */
  scope: string;
  text: string;
  embeddingModel: string;
  createdAt: string;
}

export interface MemoryStore {
  thread(id: string): ThreadInfo | undefined;
  threads(): ThreadInfo[];
  turns(threadId: string): Turn[];
  /** Records the user's turn before the model is called (committed: it survives a crash). */
  beginTurn(threadId: string, agent: string, content: string, runId: string): number;
  /** Records the answer and marks its user turn answered, in one transaction. */
  finishTurn(threadId: string, userTurnId: number, answer: string, runId: string): void;
  setSummary(threadId: string, summary: string, summarizedThrough: number): void;
  addFact(scope: string, text: string, embeddingModel: string, embedding: Float32Array): number;
  facts(scope?: string): Fact[];
  searchFacts(scope: string, embeddingModel: string, query: Float32Array, limit: number): Array<Fact & { similarity: number }>;
  /** Deletes a thread (and its turns) and scrubs the file so its text is gone. Returns the ids of the
   * runs that took part (their records under .agentpipe/runs/ hold the same text), or undefined when unknown. */
  forgetThread(id: string): string[] | undefined;
  forgetFact(id: number): boolean;
  /** Deletes every fact of a scope; returns how many. */
  forgetScope(scope: string): number;
}

/** Both halves of one store connection. */
export interface Stores {
  driver: string;
  /** Where it lives, for messages (a file path or a redacted URL). */
  location: string;
  knowledge: KnowledgeStore;
  memory: MemoryStore;
  close(): void;
}
