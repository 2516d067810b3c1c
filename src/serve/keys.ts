// API keys for serve, in the project's store file (component `serve-keys`). A key is
// `ap_<id>_<secret>`: 12 hex digits naming the row, then 32 random bytes (base64url). Only the
// SHA-256 of the whole key is stored: a key holds 256 bits of entropy, so a slow hash (scrypt)
// would add per-request cost and no protection. The key itself is shown once, by `keys create`.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { migrate } from '../store/sqlite.js';

export type Role = 'viewer' | 'runner' | 'admin';
export const roles: readonly Role[] = ['viewer', 'runner', 'admin'];
/** viewer reads; runner also starts, cancels and resumes runs; admin also manages keys. */
export const roleRank: Record<Role, number> = { viewer: 1, runner: 2, admin: 3 };

export interface ApiKeyInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

const migrations = [
  `CREATE TABLE api_keys (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL,
     created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT, last_used_at TEXT)`,
];

interface Row {
  id: string;
  name: string;
  role: string;
  hash: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

const keyPattern = /^ap_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const digest = (key: string) => createHash('sha256').update(key).digest();

function info(row: Row): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    createdAt: row.created_at,
    ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
    ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
    ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
  };
}

export class KeyStore {
  /** last_used_at is written at most once a minute per key: a busy key must not write on every request. */
  private readonly touched = new Map<string, number>();
  private anyKey = false;
  private anyCheckedUntil = 0;
  private anyStatement: StatementSync | undefined;
  private verifyStatement: StatementSync | undefined;

  constructor(private readonly database: DatabaseSync) {
    migrate(database, 'serve-keys', migrations);
  }

  /** Creates a key; the returned `key` is the only time it exists outside the caller's hands. */
  create(options: { name: string; role: Role; expiresAt?: string }): { key: string; info: ApiKeyInfo } {
    const id = randomBytes(6).toString('hex');
    const key = `ap_${id}_${randomBytes(32).toString('base64url')}`;
    const createdAt = new Date().toISOString();
    this.database
      .prepare('INSERT INTO api_keys (id, name, role, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, options.name, options.role, digest(key).toString('hex'), createdAt, options.expiresAt ?? null);
    this.anyKey = true;
    return { key, info: { id, name: options.name, role: options.role, createdAt, ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}) } };
  }

  list(): ApiKeyInfo[] {
    return (this.database.prepare('SELECT * FROM api_keys ORDER BY created_at').all() as unknown as Row[]).map(info);
  }

  /** Marks a key revoked (kept for the audit trail); false when no such key or already revoked. */
  revoke(id: string): boolean {
    const result = this.database.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(new Date().toISOString(), id);
    return Number(result.changes) > 0;
  }

  /**
   * Whether any key was ever created: from then on every request needs credentials. Keys are
   * revoked, never deleted, so once true this stays true and is not asked again. While false the
   * table is asked again at most every 250 ms: a key made here (POST /v1/keys) counts at once, one
   * made by `agentpipe keys create` in another process within 250 ms, which is no different from
   * a request that came 250 ms earlier.
   */
  any(now = Date.now()): boolean {
    if (this.anyKey) return true;
    if (now < this.anyCheckedUntil) return false;
    this.anyStatement ??= this.database.prepare('SELECT 1 FROM api_keys LIMIT 1');
    this.anyKey = this.anyStatement.get() !== undefined;
    this.anyCheckedUntil = now + 250;
    return this.anyKey;
  }

  /** The key's row when `key` is a live key (known, hash equal, not revoked, not expired). */
  verify(key: string, now = new Date()): ApiKeyInfo | undefined {
    const match = keyPattern.exec(key);
    if (!match) return undefined;
    this.verifyStatement ??= this.database.prepare('SELECT * FROM api_keys WHERE id = ?');
    const row = this.verifyStatement.get(match[1]!) as Row | undefined;
    if (!row) return undefined;
    const stored = Buffer.from(row.hash, 'hex');
    const given = digest(key);
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) return undefined;
    if (row.revoked_at || (row.expires_at && Date.parse(row.expires_at) <= now.getTime())) return undefined;
    const last = this.touched.get(row.id) ?? 0;
    if (now.getTime() - last > 60_000) {
      this.touched.set(row.id, now.getTime());
      this.database.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now.toISOString(), row.id);
    }
    return info(row);
  }
}
