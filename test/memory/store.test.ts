// The SQLite driver of KnowledgeStore/MemoryStore directly: two connections to one file (concurrent
// runs), the vector search against an exact scan, migrations recorded per component.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStores } from '../../src/store/registry.js';
import { simulatedEmbedding } from '../../src/sim/index.js';
import { blobOf, dot, vectorOf } from '../../src/store/quantize.js';

const folders: string[] = [];
const folder = () => {
  const path = mkdtempSync(join(tmpdir(), 'agentpipe-memory-store-'));
  folders.push(path);
  return path;
};
afterEach(() => {
  for (const path of folders.splice(0)) rmSync(path, { recursive: true, force: true });
});

describe('the SQLite knowledge and memory store', () => {
  it('lets two connections (two runs) write threads to one file, each seeing the other', async () => {
    const root = folder();
    const [first, second] = await Promise.all([openStores({ root }), openStores({ root })]);
    try {
      for (let turn = 0; turn < 20; turn++) {
        const a = first.memory.beginTurn('a', 'agent-a', `question ${turn}`, 'run-a');
        const b = second.memory.beginTurn('b', 'agent-b', `question ${turn}`, 'run-b');
        second.memory.finishTurn('b', b, `answer ${turn}`, 'run-b');
        first.memory.finishTurn('a', a, `answer ${turn}`, 'run-a');
      }
      expect(first.memory.turns('b')).toHaveLength(40);
      expect(second.memory.turns('a')).toHaveLength(40);
      const versions = (await import('node:sqlite')).DatabaseSync;
      const database = new versions(join(root, '.agentpipe', 'store.db'), { readOnly: true });
      const rows = database.prepare('SELECT component, version FROM schema_versions ORDER BY component').all();
      database.close();
      expect(rows).toEqual([
        { component: 'knowledge', version: 1 },
        { component: 'memory', version: 1 },
      ]);
    } finally {
      first.close();
      second.close();
    }
  });

  it('finds the exact nearest chunks through 1-bit codes and rescoring, per index', async () => {
    const stores = await openStores({ root: folder() });
    try {
      const texts = Array.from({ length: 600 }, (_, number) => `topic ${number % 37} item ${number} alpha${number % 11} beta${number % 13} gamma${number % 7}`);
      const vectors = texts.map((text) => Float32Array.from(simulatedEmbedding(text, 256)));
      stores.knowledge.replaceFile('one', { path: 'a.md', contentHash: 'x', embeddingModel: 'sim/e' }, texts.map((text, index) => ({ path: 'a.md', startLine: index + 1, endLine: index + 1, text, embedding: vectors[index]! })));
      stores.knowledge.replaceFile('two', { path: 'b.md', contentHash: 'y', embeddingModel: 'sim/e' }, [{ path: 'b.md', startLine: 1, endLine: 1, text: texts[5]!, embedding: vectors[5]! }]);
      const query = Float32Array.from(simulatedEmbedding('topic 5 alpha3 beta9', 256));
      const hits = stores.knowledge.vectorSearch('one', query, 10);
      const exact = vectors.map((vector, index) => ({ index, score: dot(query, vector) })).sort((a, b) => b.score - a.score).slice(0, 10);
      // Hits are exactly the 10 best (up to ties at the 10th score), none from index 'two'.
      const tenth = exact[9]!.score;
      for (const hit of hits) expect(hit.similarity).toBeGreaterThanOrEqual(tenth - 1e-3);
      expect(hits[0]!.similarity).toBeCloseTo(exact[0]!.score, 2);
      expect(stores.knowledge.chunks(hits.map((hit) => hit.chunkId)).every((chunk) => chunk.path === 'a.md')).toBe(true);
      // Replacing a file drops its old chunks from every table.
      stores.knowledge.removeFile('one', 'a.md');
      expect(stores.knowledge.vectorSearch('one', query, 10)).toEqual([]);
      expect(stores.knowledge.lexicalSearch('one', 'topic', 10)).toEqual([]);
      expect(stores.knowledge.lexicalSearch('two', 'topic', 10)).toHaveLength(1);
    } finally {
      stores.close();
    }
  });

  it('stores vectors as float16 close to the original', () => {
    const vector = Float32Array.from(simulatedEmbedding('a few words to embed', 64));
    const back = vectorOf(blobOf(vector));
    expect(back.length).toBe(64);
    for (let index = 0; index < 64; index++) expect(Math.abs(back[index]! - vector[index]!)).toBeLessThan(1e-3);
  });
});
