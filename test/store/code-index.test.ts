// The in-memory Hamming stage of vector search (src/store/code-index.ts) against sqlite-vec's own
// k-NN over the same vec0 table: same candidates, deletions and other connections' writes seen.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { liveCodes, loadCodeBlocks, minimumShortlist, nearestCodes } from '../../src/store/code-index.js';
import { binaryCode } from '../../src/store/quantize.js';
import { openStores } from '../../src/store/registry.js';
import { simulatedEmbedding } from '../../src/sim/index.js';

const folders: string[] = [];
const folder = () => {
  const path = mkdtempSync(join(tmpdir(), 'agentpipe-code-index-'));
  folders.push(path);
  return path;
};
afterEach(() => {
  for (const path of folders.splice(0)) rmSync(path, { recursive: true, force: true });
});

// 1,024 bits a code: longer than the 256-bit prefix, so both stages run.
const dims = 1024;
const bytes = dims / 8;
const textOf = (number: number) => `topic${number % 53} item${number} alpha${number % 11} beta${number % 17} gamma${number % 5} delta${number % 29}`;
const embed = (text: string) => Float32Array.from(simulatedEmbedding(text, dims));
/** A second, bare connection to the store file, with sqlite-vec loaded. */
async function openRaw(path: string) {
  const { DatabaseSync } = await import('node:sqlite');
  const database = new DatabaseSync(path, { allowExtension: true });
  const { getLoadablePath } = (await import('sqlite-vec')) as { getLoadablePath(): string };
  database.loadExtension(getLoadablePath());
  return database;
}
/** `files` files of `perFile` chunks, chunk n of the whole set being textOf(n). */
function fill(stores: Awaited<ReturnType<typeof openStores>>, index: string, files: number, perFile: number, offset = 0): void {
  for (let file = 0; file < files; file++) {
    const path = `f${file}.md`;
    const chunks = Array.from({ length: perFile }, (_, line) => {
      const text = textOf(offset + file * perFile + line);
      return { path, startLine: line + 1, endLine: line + 1, text, embedding: embed(text) };
    });
    stores.knowledge.replaceFile(index, { path, contentHash: `${file}`, embeddingModel: 'sim/e' }, chunks);
  }
}

describe('the in-memory code scan', () => {
  it('reads every live code of one index out of the vec0 blocks, skipping deleted slots', async () => {
    const path = join(folder(), 'store.db');
    const stores = await openStores({ root: folder(), path });
    try {
      // 3 files x 900 chunks: more than two vec0 blocks of 1,024; another index shares the table.
      fill(stores, 'one', 3, 900);
      fill(stores, 'two', 1, 50, 10_000);
      stores.knowledge.removeFile('one', 'f1.md');
      const database = await openRaw(path);
      const blocks = loadCodeBlocks(database, 'knowledge_codes_1024', 'one', 1024)!;
      const live = (database.prepare("SELECT rowid FROM knowledge_codes_1024 WHERE index_name = 'one' ORDER BY rowid").all() as Array<{ rowid: number }>).map((row) => row.rowid);
      const codes = [...liveCodes(blocks)];
      expect(blocks.count).toBe(1800);
      expect(blocks.blocks.length).toBeGreaterThan(1);
      expect(codes.map((entry) => entry.id).sort((a, b) => a - b)).toEqual(live);
      // Each code read is the one vec0 holds for that rowid (one per block checked, and the last).
      for (const entry of [codes[5]!, codes[1100]!, codes.at(-1)!]) {
        const stored = database.prepare('SELECT code FROM knowledge_codes_1024 WHERE rowid = ?').get(entry.id) as { code: Uint8Array };
        expect(entry.code).toEqual(new Uint8Array(stored.code));
      }
      database.close();
    } finally {
      stores.close();
    }
  });

  it('returns the Hamming-nearest codes, the same ones as sqlite-vec k-NN, with and without the prefix stage', async () => {
    const root = folder();
    const memory = await openStores({ root });
    const vec = await openStores({ root, codeScan: 'sqlite-vec' });
    try {
      // More codes than the shortlist, so the prefix stage really prunes.
      fill(memory, 'one', 5, minimumShortlist);
      // The first query of a process goes to vec0; the copy is made from the second on.
      memory.knowledge.vectorSearch('one', embed('warm up'), 1);
      for (const question of ['topic7 alpha3 beta9', 'item42 gamma1', 'delta4 topic12 alpha10 beta2']) {
        const query = embed(question);
        const fast = memory.knowledge.vectorSearch('one', query, 10);
        const exact = vec.knowledge.vectorSearch('one', query, 10);
        expect(fast.map((hit) => hit.chunkId)).toEqual(exact.map((hit) => hit.chunkId));
      }
      // After a deletion (dead slots in the middle of vec0's blocks), still the same as vec0's k-NN.
      memory.knowledge.removeFile('one', 'f2.md');
      for (const question of ['topic7 alpha3 beta9', 'delta4 topic12 alpha10 beta2']) {
        const query = embed(question);
        const fast = memory.knowledge.vectorSearch('one', query, 10);
        expect(fast.map((hit) => hit.chunkId)).toEqual(vec.knowledge.vectorSearch('one', query, 10).map((hit) => hit.chunkId));
        expect(memory.knowledge.chunks(fast.map((hit) => hit.chunkId)).some((chunk) => chunk.path === 'f2.md')).toBe(false);
      }
      // The coarse stage alone, against a full Hamming scan done here.
      const database = await openRaw(join(root, '.agentpipe', 'store.db'));
      const blocks = loadCodeBlocks(database, 'knowledge_codes_1024', 'one', 1024)!;
      database.close();
      const code = binaryCode(embed('topic7 alpha3 beta9'));
      const distance = (stored: Uint8Array) => {
        let bits = 0;
        for (let byte = 0; byte < bytes; byte++) {
          let value = stored[byte]! ^ code[byte]!;
          for (; value; value &= value - 1) bits++;
        }
        return bits;
      };
      const all = [...liveCodes(blocks)].map((entry) => ({ id: entry.id, distance: distance(entry.code) })).sort((a, b) => a.distance - b.distance || a.id - b.id);
      expect(all).toHaveLength(4 * minimumShortlist);
      expect(nearestCodes(blocks, code, 50)).toEqual(all.slice(0, 50).map((entry) => entry.id));
    } finally {
      memory.close();
      vec.close();
    }
  });

  it('declines (so vec0 k-NN answers) when the shadow tables are not laid out as expected', async () => {
    const { DatabaseSync } = await import('node:sqlite');
    const database = new DatabaseSync(':memory:');
    database.exec('CREATE TABLE t_chunks (chunk_id INTEGER PRIMARY KEY, size INTEGER, validity BLOB, rowids BLOB); CREATE TABLE t_vector_chunks00 (rowid PRIMARY KEY, vectors BLOB)');
    expect(loadCodeBlocks(database, 't', 'one', 1024)).toBeUndefined();
    // Blobs shorter than the block size says: also declined, not misread.
    database.exec('ALTER TABLE t_chunks ADD COLUMN partition00');
    database.prepare("INSERT INTO t_chunks VALUES (1, 1024, ?, ?, 'one')").run(new Uint8Array(128).fill(255), new Uint8Array(8192));
    database.prepare('INSERT INTO t_vector_chunks00 VALUES (1, ?)').run(new Uint8Array(1000));
    expect(loadCodeBlocks(database, 't', 'one', 1024)).toBeUndefined();
    database.close();
  });

  it("sees another connection's writes and its own", async () => {
    const root = folder();
    const reader = await openStores({ root });
    const writer = await openStores({ root });
    try {
      fill(writer, 'one', 1, 40);
      const query = embed(textOf(5000));
      expect(reader.knowledge.vectorSearch('one', query, 1)[0]!.similarity).toBeLessThan(0.99);
      // Another connection adds the exact text: the reader's copy is stale and must be reloaded.
      writer.knowledge.replaceFile('one', { path: 'new.md', contentHash: 'n', embeddingModel: 'sim/e' }, [{ path: 'new.md', startLine: 1, endLine: 1, text: textOf(5000), embedding: query }]);
      const [hit] = reader.knowledge.vectorSearch('one', query, 1);
      expect(hit!.similarity).toBeGreaterThan(0.99);
      expect(reader.knowledge.chunks([hit!.chunkId])[0]!.path).toBe('new.md');
      // And its own deletion.
      reader.knowledge.removeFile('one', 'new.md');
      expect(reader.knowledge.vectorSearch('one', query, 1)[0]!.similarity).toBeLessThan(0.99);
    } finally {
      reader.close();
      writer.close();
    }
  });
});
