// Opens .agentpipe/store.db with the sqlite-vec extension loaded and both knowledge and memory
// migrated. sqlite-vec ships its loadable extension per platform as an npm optional dependency;
// loading it needs node:sqlite's allowExtension (Node >= 22.13).

import { createRequire } from 'node:module';
import { AgentpipeError, ExitCode } from '../errors.js';
import { openSqlite, storePath } from './sqlite.js';
import { SqliteKnowledgeStore } from './sqlite-knowledge.js';
import { SqliteMemoryStore } from './sqlite-memory.js';
import type { Stores } from './types.js';
import type { OpenStoresOptions } from './registry.js';

export class SqliteStoreError extends AgentpipeError {
  constructor(message: string) {
    super(message, ExitCode.runFailed);
    this.name = 'SqliteStoreError';
  }
}

function vecExtensionPath(): string {
  try {
    const require = createRequire(import.meta.url);
    const { getLoadablePath } = require('sqlite-vec') as { getLoadablePath(): string };
    return getLoadablePath();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new SqliteStoreError(`the sqlite-vec extension is not available for ${process.platform}-${process.arch} (${reason}); reinstall agentpipe with optional dependencies`);
  }
}

export async function openSqliteStores(options: OpenStoresOptions): Promise<Stores> {
  const path = options.path ?? storePath(options.root, options.simulated === true);
  const database = await openSqlite(path, { allowExtension: true });
  try {
    database.loadExtension(vecExtensionPath());
    const knowledge = new SqliteKnowledgeStore(database, options.codeScan ? { codeScan: options.codeScan } : {});
    const memory = new SqliteMemoryStore(database);
    return { driver: 'sqlite', location: path, knowledge, memory, close: () => database.close() };
  } catch (error) {
    database.close();
    throw error;
  }
}
