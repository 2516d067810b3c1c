import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openSqlite, StoreVersionError } from '../../src/store/sqlite.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('the embedded SQLite store', () => {
  it('opens in WAL mode and migrates each component independently, once', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'agentpipe-store-'));
    folders.push(folder);
    const path = join(folder, '.agentpipe', 'store.db');
    const first = await openSqlite(path);
    expect((first.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    expect(migrate(first, 'a', ['CREATE TABLE a1 (x)', 'CREATE TABLE a2 (y)'])).toBe(0);
    expect(migrate(first, 'b', ['CREATE TABLE b1 (x)'])).toBe(0);
    first.close();
    const second = await openSqlite(path);
    expect(migrate(second, 'a', ['CREATE TABLE a1 (x)', 'CREATE TABLE a2 (y)', 'CREATE TABLE a3 (z)'])).toBe(2);
    const tables = (second.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((row) => row.name);
    expect(tables).toEqual(['a1', 'a2', 'a3', 'b1', 'schema_versions']);
    expect(() => migrate(second, 'b', [])).toThrow(StoreVersionError);
    second.close();
  });

  it('rolls a failed migration back and keeps the version', async () => {
    const database = await openSqlite(':memory:');
    expect(() => migrate(database, 'c', ['CREATE TABLE c1 (x)', 'CREATE TABLE c1 (x)'])).toThrow();
    expect((database.prepare("SELECT version FROM schema_versions WHERE component = 'c'").get() as { version: number }).version).toBe(1);
    database.close();
  });
});
