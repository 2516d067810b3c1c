// Knowledge in SQLite: chunks with their vectors (float16), an FTS5 table for BM25, and one sqlite-vec
// vec0 table per code length holding 1-bit codes (quantize.ts) partitioned by index name. A vector
// query takes the nearest codes by Hamming distance, then rescores those candidates with the stored
// float vectors. The Hamming stage scans an in-memory copy of the vec0 code blocks (code-index.ts),
// copied on the second query of a process and again after any write; the first query, and any
// query when sqlite-vec's shadow tables are not laid out as this version expects, use sqlite-vec's
// own k-NN (see bench/knowledge.mjs for figures of both).

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { migrate, type Migration } from './sqlite.js';
import { loadCodeBlocks, nearestCodes, type CodeBlocks } from './code-index.js';
import { binaryCode, blobOf, dot, paddedLength, vectorOf } from './quantize.js';
import type { ChunkInput, IndexedFile, KnowledgeStore, LexicalHit, StoredChunk, VectorHit } from './types.js';
import { queryTerms } from './query-terms.js';
import { redactSecrets } from '../tools/redact.js';

const migrations: Migration[] = [
  `CREATE TABLE knowledge_files (
     index_name TEXT NOT NULL, path TEXT NOT NULL, content_hash TEXT NOT NULL, embedding_model TEXT NOT NULL,
     dims INTEGER NOT NULL, chunks INTEGER NOT NULL, indexed_at TEXT NOT NULL, PRIMARY KEY (index_name, path));
   CREATE TABLE knowledge_chunks (
     id INTEGER PRIMARY KEY, index_name TEXT NOT NULL, path TEXT NOT NULL, start_line INTEGER NOT NULL, end_line INTEGER NOT NULL,
     heading TEXT, text TEXT NOT NULL, embedding BLOB NOT NULL);
   CREATE INDEX knowledge_chunks_file ON knowledge_chunks (index_name, path);
   CREATE VIRTUAL TABLE knowledge_fts USING fts5(text, tokenize = 'porter unicode61');`,
];

/** How many Hamming-nearest candidates are rescored per wanted result (and at least how many). */
export const rescoreFactor = 10;
export const minimumCandidates = 100;

const codeTable = (bits: number) => `knowledge_codes_${bits}`;

export interface SqliteKnowledgeOptions {
  /** `memory` (default): Hamming scan of an in-memory copy of the codes; `sqlite-vec`: vec0's k-NN. */
  codeScan?: 'memory' | 'sqlite-vec';
}

export class SqliteKnowledgeStore implements KnowledgeStore {
  private readonly statements = new Map<string, StatementSync>();
  private readonly codeTables = new Set<string>();
  /** In-memory code copies by table and index (undefined: layout not understood, use vec0's k-NN). */
  private readonly codeCache = new Map<string, CodeBlocks | undefined>();
  /** Indexes (by table) this connection has already answered a vector query for. */
  private readonly queried = new Set<string>();
  private cachedDataVersion = -1;

  constructor(
    private readonly database: DatabaseSync,
    private readonly options: SqliteKnowledgeOptions = {},
  ) {
    migrate(database, 'knowledge', migrations);
    this.findCodeTables();
  }

  /** The vec0 tables in the file (another connection may have created one since this one opened). */
  private findCodeTables(): void {
    for (const row of this.statement("SELECT name FROM sqlite_master WHERE name LIKE 'knowledge_codes_%' AND sql LIKE 'CREATE VIRTUAL%'").all() as Array<{ name: string }>)
      this.codeTables.add(row.name);
  }

  private statement(sql: string): StatementSync {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = this.database.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  private ensureCodeTable(bits: number): string {
    const name = codeTable(bits);
    if (!this.codeTables.has(name)) {
      this.database.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${name} USING vec0(index_name TEXT PARTITION KEY, code BIT[${bits}])`);
      this.codeTables.add(name);
    }
    return name;
  }

  files(index: string): Map<string, IndexedFile> {
    const rows = this.statement('SELECT path, content_hash, embedding_model, chunks, indexed_at FROM knowledge_files WHERE index_name = ?').all(index) as Array<Record<string, string | number>>;
    return new Map(
      rows.map((row) => [
        String(row.path),
        { path: String(row.path), contentHash: String(row.content_hash), embeddingModel: String(row.embedding_model), chunks: Number(row.chunks), indexedAt: String(row.indexed_at) },
      ]),
    );
  }

  private deleteChunks(index: string, path: string): void {
    const ids = (this.statement('SELECT id FROM knowledge_chunks WHERE index_name = ? AND path = ?').all(index, path) as Array<{ id: number }>).map((row) => row.id);
    for (const id of ids) {
      this.statement('DELETE FROM knowledge_fts WHERE rowid = ?').run(BigInt(id));
      for (const table of this.codeTables) this.statement(`DELETE FROM ${table} WHERE rowid = ?`).run(BigInt(id));
    }
    this.statement('DELETE FROM knowledge_chunks WHERE index_name = ? AND path = ?').run(index, path);
  }

  replaceFile(index: string, file: Omit<IndexedFile, 'chunks' | 'indexedAt'>, chunks: Array<ChunkInput & { embedding: Float32Array }>): void {
    this.codeCache.clear();
    const dims = chunks[0]?.embedding.length ?? 0;
    const table = dims > 0 ? this.ensureCodeTable(paddedLength(dims)) : undefined;
    const work = new Float32Array(paddedLength(Math.max(dims, 8)));
    this.transaction(() => {
      this.deleteChunks(index, file.path);
      const insertChunk = this.statement('INSERT INTO knowledge_chunks (index_name, path, start_line, end_line, heading, text, embedding) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const chunk of chunks) {
        // store.db is a run file like any other: a key pasted in a doc is not copied into it.
        const text = redactSecrets(chunk.text);
        const { lastInsertRowid } = insertChunk.run(index, chunk.path, chunk.startLine, chunk.endLine, chunk.heading ?? null, text, blobOf(chunk.embedding));
        const id = BigInt(lastInsertRowid);
        this.statement('INSERT INTO knowledge_fts (rowid, text) VALUES (?, ?)').run(id, chunk.heading ? `${chunk.heading}\n${text}` : text);
        if (table) this.statement(`INSERT INTO ${table} (rowid, index_name, code) VALUES (?, ?, vec_bit(?))`).run(id, index, binaryCode(chunk.embedding, work));
      }
      this.statement(
        `INSERT INTO knowledge_files (index_name, path, content_hash, embedding_model, dims, chunks, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (index_name, path) DO UPDATE SET content_hash = excluded.content_hash, embedding_model = excluded.embedding_model,
           dims = excluded.dims, chunks = excluded.chunks, indexed_at = excluded.indexed_at`,
      ).run(index, file.path, file.contentHash, file.embeddingModel, dims, chunks.length, new Date().toISOString());
    });
  }

  removeFile(index: string, path: string): void {
    this.codeCache.clear();
    this.transaction(() => {
      this.deleteChunks(index, path);
      this.statement('DELETE FROM knowledge_files WHERE index_name = ? AND path = ?').run(index, path);
    });
  }

  vectorSearch(index: string, query: Float32Array, limit: number): VectorHit[] {
    const table = codeTable(paddedLength(query.length));
    if (limit <= 0) return [];
    if (!this.codeTables.has(table)) this.findCodeTables();
    if (!this.codeTables.has(table)) return [];
    const candidates = Math.max(minimumCandidates, limit * rescoreFactor);
    const code = binaryCode(query);
    const blocks = this.options.codeScan === 'sqlite-vec' ? undefined : this.codeBlocks(table, index, paddedLength(query.length));
    const coarse = blocks
      ? nearestCodes(blocks, code, candidates)
      : (this.statement(`SELECT rowid FROM ${table} WHERE code MATCH vec_bit(?) AND k = ? AND index_name = ?`).all(code, candidates, index) as Array<{ rowid: number }>).map((row) => row.rowid);
    if (coarse.length === 0) return [];
    const rows = this.statement('SELECT id, embedding FROM knowledge_chunks WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(coarse.sort((a, b) => a - b))) as Array<{
      id: number;
      embedding: Uint8Array;
    }>;
    return rows
      .map((row) => ({ chunkId: row.id, similarity: dot(query, vectorOf(row.embedding)) }))
      .sort((a, b) => b.similarity - a.similarity || a.chunkId - b.chunkId)
      .slice(0, limit);
  }

  /**
   * The in-memory codes of `index` in `table`, reloaded when this or another connection has written
   * since; undefined (use vec0's k-NN) for the first query of an index in this process, since copying
   * the codes costs several queries' worth and a one-shot `run` makes only one.
   */
  private codeBlocks(table: string, index: string, bits: number): CodeBlocks | undefined {
    const version = Number((this.statement('PRAGMA data_version').get() as { data_version: number }).data_version);
    if (version !== this.cachedDataVersion) {
      this.codeCache.clear();
      this.cachedDataVersion = version;
    }
    const key = `${table}\u0000${index}`;
    if (!this.queried.has(key)) {
      this.queried.add(key);
      return undefined;
    }
    if (!this.codeCache.has(key)) this.codeCache.set(key, loadCodeBlocks(this.database, table, index, bits));
    return this.codeCache.get(key);
  }

  lexicalSearch(index: string, query: string, limit: number): LexicalHit[] {
    const match = ftsQuery(query);
    if (!match || limit <= 0) return [];
    const rows = this.statement(
      `SELECT knowledge_fts.rowid AS id, bm25(knowledge_fts) AS rank FROM knowledge_fts JOIN knowledge_chunks ON knowledge_chunks.id = knowledge_fts.rowid
       WHERE knowledge_fts MATCH ? AND knowledge_chunks.index_name = ? ORDER BY rank LIMIT ?`,
    ).all(match, index, limit) as Array<{ id: number; rank: number }>;
    return rows.map((row) => ({ chunkId: row.id, score: -row.rank }));
  }

  chunks(ids: number[]): StoredChunk[] {
    if (ids.length === 0) return [];
    const rows = this.statement('SELECT id, path, start_line, end_line, heading, text FROM knowledge_chunks WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as Array<
      Record<string, string | number | null>
    >;
    return rows.map((row) => ({
      id: Number(row.id),
      path: String(row.path),
      startLine: Number(row.start_line),
      endLine: Number(row.end_line),
      ...(row.heading ? { heading: String(row.heading) } : {}),
      text: String(row.text),
    }));
  }

  indexes(): Array<{ index: string; files: number; chunks: number }> {
    return (this.statement('SELECT index_name, COUNT(*) AS files, SUM(chunks) AS chunks FROM knowledge_files GROUP BY index_name ORDER BY index_name').all() as Array<Record<string, string | number>>).map(
      (row) => ({ index: String(row.index_name), files: Number(row.files), chunks: Number(row.chunks) }),
    );
  }

  private transaction(work: () => void): void {
    this.database.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.database.exec('COMMIT');
    } catch (error) {
      this.database.exec('ROLLBACK');
      throw error;
    }
  }
}

/**
 * A user's question as an FTS5 query: its words, each quoted (so `AND`, `-` or `:` in the text are
 * never operators), joined by OR so that BM25 ranks by how many and how rare the shared words are.
 * Stop words are dropped unless nothing else is left.
 */
export function ftsQuery(text: string): string | undefined {
  const words = queryTerms(text);
  return words.length === 0 ? undefined : words.map((word) => `"${word}"`).join(' OR ');
}
