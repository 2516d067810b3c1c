// Memory in SQLite: conversation threads (turns plus a rolling summary) and long-term facts with
// their vectors. Facts are few per scope, so recall scans a scope's vectors exactly.
// Forgetting must leave no trace in the file: the connection runs with secure_delete (freed
// content is overwritten with zeros), and after a delete the WAL is checkpointed and truncated,
// since it may still hold the pages written when the text was stored.

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { migrate, type Migration } from './sqlite.js';
import { blobOf, dot, vectorOf } from './quantize.js';
import type { Fact, MemoryStore, ThreadInfo, Turn } from './types.js';
// store.db is a run file like any other: no known secret value is ever written to it.
import { redactSecrets } from '../tools/redact.js';

const migrations: Migration[] = [
  `CREATE TABLE memory_threads (
     id TEXT PRIMARY KEY, agent TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '', summarized_through INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE TABLE memory_turns (
     id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id TEXT NOT NULL REFERENCES memory_threads (id) ON DELETE CASCADE,
     role TEXT NOT NULL, content TEXT NOT NULL, run_id TEXT, answered INTEGER NOT NULL, created_at TEXT NOT NULL);
   CREATE INDEX memory_turns_thread ON memory_turns (thread_id, id);
   CREATE TABLE memory_facts (
     id INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL, text TEXT NOT NULL, embedding_model TEXT NOT NULL,
     embedding BLOB NOT NULL, created_at TEXT NOT NULL);
   CREATE INDEX memory_facts_scope ON memory_facts (scope);`,
];

type Row = Record<string, string | number | null | Uint8Array>;

const threadOf = (row: Row): ThreadInfo => ({
  id: String(row.id),
  agent: String(row.agent),
  summary: String(row.summary ?? ''),
  summarizedThrough: Number(row.summarized_through ?? 0),
  createdAt: String(row.created_at),
  updatedAt: String(row.updated_at),
  turns: Number(row.turns ?? 0),
});

const factOf = (row: Row): Fact => ({ id: Number(row.id), scope: String(row.scope), text: String(row.text), embeddingModel: String(row.embedding_model), createdAt: String(row.created_at) });

export class SqliteMemoryStore implements MemoryStore {
  private readonly statements = new Map<string, StatementSync>();

  constructor(private readonly database: DatabaseSync) {
    database.exec('PRAGMA secure_delete = ON');
    migrate(database, 'memory', migrations);
  }

  private statement(sql: string): StatementSync {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = this.database.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  thread(id: string): ThreadInfo | undefined {
    const row = this.statement('SELECT t.*, (SELECT COUNT(*) FROM memory_turns WHERE thread_id = t.id) AS turns FROM memory_threads t WHERE id = ?').get(id) as Row | undefined;
    return row ? threadOf(row) : undefined;
  }

  threads(): ThreadInfo[] {
    return (this.statement('SELECT t.*, (SELECT COUNT(*) FROM memory_turns WHERE thread_id = t.id) AS turns FROM memory_threads t ORDER BY updated_at DESC').all() as Row[]).map(threadOf);
  }

  turns(threadId: string): Turn[] {
    return (this.statement('SELECT * FROM memory_turns WHERE thread_id = ? ORDER BY id').all(threadId) as Row[]).map((row) => ({
      id: Number(row.id),
      role: row.role === 'assistant' ? 'assistant' : 'user',
      content: String(row.content),
      ...(row.run_id ? { runId: String(row.run_id) } : {}),
      answered: Number(row.answered) === 1,
      createdAt: String(row.created_at),
    }));
  }

  beginTurn(threadId: string, agent: string, content: string, runId: string): number {
    const now = new Date().toISOString();
    let id = 0;
    this.transaction(() => {
      this.statement('INSERT INTO memory_threads (id, agent, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at').run(threadId, agent, now, now);
      id = Number(this.statement("INSERT INTO memory_turns (thread_id, role, content, run_id, answered, created_at) VALUES (?, 'user', ?, ?, 0, ?)").run(threadId, redactSecrets(content), runId, now).lastInsertRowid);
    });
    return id;
  }

  finishTurn(threadId: string, userTurnId: number, answer: string, runId: string): void {
    const now = new Date().toISOString();
    this.transaction(() => {
      this.statement('UPDATE memory_turns SET answered = 1 WHERE id = ?').run(userTurnId);
      this.statement("INSERT INTO memory_turns (thread_id, role, content, run_id, answered, created_at) VALUES (?, 'assistant', ?, ?, 1, ?)").run(threadId, redactSecrets(answer), runId, now);
      this.statement('UPDATE memory_threads SET updated_at = ? WHERE id = ?').run(now, threadId);
    });
  }

  setSummary(threadId: string, summary: string, summarizedThrough: number): void {
    this.statement('UPDATE memory_threads SET summary = ?, summarized_through = ?, updated_at = ? WHERE id = ?').run(redactSecrets(summary), summarizedThrough, new Date().toISOString(), threadId);
    // An earlier summary's text is replaced in place; scrub the WAL copy of it as forget does.
    this.scrub();
  }

  addFact(scope: string, text: string, embeddingModel: string, embedding: Float32Array): number {
    return Number(
      this.statement('INSERT INTO memory_facts (scope, text, embedding_model, embedding, created_at) VALUES (?, ?, ?, ?, ?)').run(scope, redactSecrets(text), embeddingModel, blobOf(embedding), new Date().toISOString())
        .lastInsertRowid,
    );
  }

  facts(scope?: string): Fact[] {
    const rows = scope === undefined ? this.statement('SELECT * FROM memory_facts ORDER BY id').all() : this.statement('SELECT * FROM memory_facts WHERE scope = ? ORDER BY id').all(scope);
    return (rows as Row[]).map(factOf);
  }

  searchFacts(scope: string, embeddingModel: string, query: Float32Array, limit: number): Array<Fact & { similarity: number }> {
    const rows = this.statement('SELECT * FROM memory_facts WHERE scope = ? AND embedding_model = ?').all(scope, embeddingModel) as Row[];
    return rows
      .map((row) => ({ ...factOf(row), similarity: dot(query, vectorOf(row.embedding as Uint8Array)) }))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, limit);
  }

  forgetThread(id: string): string[] | undefined {
    let found = false;
    const runs = (this.statement('SELECT DISTINCT run_id FROM memory_turns WHERE thread_id = ? AND run_id IS NOT NULL').all(id) as Array<{ run_id: string }>).map((row) => row.run_id);
    this.transaction(() => {
      this.statement('DELETE FROM memory_turns WHERE thread_id = ?').run(id);
      found = Number(this.statement('DELETE FROM memory_threads WHERE id = ?').run(id).changes) > 0;
    });
    this.scrub();
    return found ? runs : undefined;
  }

  forgetFact(id: number): boolean {
    const found = Number(this.statement('DELETE FROM memory_facts WHERE id = ?').run(id).changes) > 0;
    this.scrub();
    return found;
  }

  forgetScope(scope: string): number {
    const count = Number(this.statement('DELETE FROM memory_facts WHERE scope = ?').run(scope).changes);
    this.scrub();
    return count;
  }

  /** Moves every page out of the WAL into the (secure-deleted) main file and truncates the WAL to zero bytes. */
  private scrub(): void {
    this.database.exec('PRAGMA wal_checkpoint(TRUNCATE)');
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
