// The embedded store: one SQLite file, `.agentpipe/store.db`, through `node:sqlite` (no native build).
// Several features keep tables in it (the run index for serve, knowledge chunks, memory); each owns a
// *component* with its own ordered migrations, so they evolve independently in one file.
// WAL mode lets parallel steps and concurrent runs read while one writes; busy_timeout makes a writer
// wait for another process's write instead of failing with SQLITE_BUSY.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';

/** A migration: SQL (or a function) that moves a component from version `index` to `index + 1`. */
export type Migration = string | ((database: DatabaseSync) => void);

export interface OpenStoreOptions {
  /** Load loadable extensions (sqlite-vec). Needs Node >= 22.13. */
  allowExtension?: boolean;
  /** Milliseconds a writer waits for another connection's lock. */
  busyTimeoutMs?: number;
}

/** The default store file of a config repo. */
export function storePath(projectRoot: string, simulated = false): string {
  return join(projectRoot, '.agentpipe', simulated ? 'sim-store.db' : 'store.db');
}

/** Opens (creating when absent) the SQLite file at `path` in WAL mode. `:memory:` works for tests. */
export async function openSqlite(path: string, options: OpenStoreOptions = {}): Promise<DatabaseSync> {
  const { DatabaseSync } = await import('node:sqlite');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new DatabaseSync(path, { allowExtension: options.allowExtension ?? false });
  database.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  if (path !== ':memory:') database.exec('PRAGMA journal_mode = WAL');
  database.exec('PRAGMA synchronous = NORMAL');
  database.exec('PRAGMA foreign_keys = ON');
  database.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  return database;
}

/**
 * Brings `component` up to `migrations.length`, each step in its own transaction, and returns the
 * version it found. A file written by a newer agentpipe (a higher version) is refused rather than
 * guessed at.
 */
export function migrate(database: DatabaseSync, component: string, migrations: readonly Migration[]): number {
  const row = database.prepare('SELECT version FROM schema_versions WHERE component = ?').get(component) as { version: number } | undefined;
  const found = row?.version ?? 0;
  if (found > migrations.length) {
    throw new StoreVersionError(component, found, migrations.length);
  }
  for (let version = found; version < migrations.length; version += 1) {
    const migration = migrations[version]!;
    database.exec('BEGIN IMMEDIATE');
    try {
      if (typeof migration === 'string') database.exec(migration);
      else migration(database);
      database
        .prepare('INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version')
        .run(component, version + 1);
      database.exec('COMMIT');
    } catch (error) {
      database.exec('ROLLBACK');
      throw error;
    }
  }
  return found;
}

/** The store file was written by a newer agentpipe whose schema this one does not know. */
export class StoreVersionError extends Error {
  constructor(
    readonly component: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(`the store's ${component} tables are at version ${found}, newer than this agentpipe knows (${known}); upgrade agentpipe`);
    this.name = 'StoreVersionError';
  }
}
