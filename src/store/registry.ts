// The one place that maps a store driver name to its code. `sqlite` (the embedded file
// .agentpipe/store.db) is the only driver; a `postgres` driver (pgvector + tsvector) would be added
// here and nowhere else.

import { SqliteStoreError, openSqliteStores } from './sqlite-stores.js';
import type { Stores } from './types.js';

export type StoreDriverName = 'sqlite';

export interface OpenStoresOptions {
  /** Project root: the SQLite driver keeps its file at `<root>/.agentpipe/store.db`. */
  root: string;
  /** Overrides the SQLite file path (tests, benchmarks). */
  path?: string;
  /** SQLite driver: how the Hamming stage of vector search runs (default `memory`; tests and benchmarks compare). */
  codeScan?: 'memory' | 'sqlite-vec';
  /** `--sim`: a store of its own (`.agentpipe/sim-store.db`), so simulated vectors and threads never mix with real ones. */
  simulated?: boolean;
}

const drivers: Record<StoreDriverName, (options: OpenStoresOptions) => Promise<Stores>> = {
  sqlite: openSqliteStores,
};

export function openStores(options: OpenStoresOptions, driver: StoreDriverName = 'sqlite'): Promise<Stores> {
  return drivers[driver](options);
}

export { SqliteStoreError };
