// Worker for bench/knowledge.mjs: each phase runs in its own process so that RSS figures are its own.
//   node bench/knowledge-worker.mjs build <dir> <vectors>   store file with <vectors> chunks (1,536 dims)
//   node bench/knowledge-worker.mjs query <dir> <queries> [memory|sqlite-vec]   top-10 through the store (1-bit codes + float rescoring;
//                                                           Hamming stage in memory, or sqlite-vec's k-NN)
//   node bench/knowledge-worker.mjs scan  <dir> <queries>   exact top-10 by a brute-force Float32Array scan, and recall@10 of query's answers
//   node bench/knowledge-worker.mjs index <dir> <chunks> <simUrl>   chunk + embed (simulator over HTTP) + store
// Prints one JSON line. Texts are synthetic (seeded topics plus a Zipf-like background vocabulary),
// embedded by the simulator's hashed bag-of-words model, so vectors are reproducible in every phase.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const dist = (file) => import(pathToFileURL(`${repoRoot}dist/${file}`).href);
const [mode, dir, countText, simUrl] = process.argv.slice(2);
const count = Number(countText);
const dims = 1536;
const index = 'bench';

function random(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}
const vocabulary = Array.from({ length: 20000 }, (_, number) => `w${number.toString(36)}`);
/** `length` background words, drawn with a Zipf-like skew (a few common words, a long tail). */
function text(next, length = 30) {
  const words = [];
  for (let word = 0; word < length; word++) words.push(vocabulary[Math.floor(vocabulary.length * next() ** 2.2)]);
  return words.join(' ');
}
// Documents are about topics, as real ones are: each of 2,000 topics has 40 words of its own; a
// document takes 20 words of its topic and 10 background words, so its nearest neighbours are the
// other documents of its topic, as with real text embeddings.
const topics = 2000;
const topicWords = (topic) => {
  const next = random(500000 + topic);
  return Array.from({ length: 40 }, () => `t${topic.toString(36)}x${Math.floor(next() * 1e6).toString(36)}`);
};
const topicOf = (number) => Math.floor(random(700000 + number)() * topics);
function documentText(number) {
  const next = random(1000 + number);
  const own = topicWords(topicOf(number));
  return [...Array.from({ length: 20 }, () => own[Math.floor(next() * own.length)]), ...text(next, 10).split(' ')].join(' ');
}
/** A query: 8 words of a random document's topic (not necessarily its own) and 2 background words. */
function queryText(number, documents) {
  const next = random(900000 + number);
  const own = topicWords(topicOf(Math.floor(next() * documents)));
  return [...Array.from({ length: 8 }, () => own[Math.floor(next() * own.length)]), ...text(next, 2).split(' ')].join(' ');
}

const rss = () => process.memoryUsage().rss;
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

async function build() {
  const [{ simulatedEmbedding }, { openStores }] = await Promise.all([dist('sim/embedder.js'), dist('store/registry.js')]);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'store.db');
  const stores = await openStores({ root: dir, path });
  const started = performance.now();
  const perFile = 500;
  for (let file = 0; file * perFile < count; file++) {
    const chunks = [];
    for (let number = file * perFile; number < Math.min(count, (file + 1) * perFile); number++) {
      const body = documentText(number);
      chunks.push({ path: `docs/${file}.md`, startLine: number, endLine: number, text: body, embedding: Float32Array.from(simulatedEmbedding(body, dims)) });
    }
    stores.knowledge.replaceFile(index, { path: `docs/${file}.md`, contentHash: String(file), embeddingModel: 'sim/embed' }, chunks);
  }
  stores.close();
  const { DatabaseSync } = await import('node:sqlite');
  const database = new DatabaseSync(path);
  database.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  database.close();
  return { vectors: count, seconds: (performance.now() - started) / 1000, bytes: statSync(path).size };
}

async function query() {
  const [{ simulatedEmbedding }, { openStores }] = await Promise.all([dist('sim/embedder.js'), dist('store/registry.js')]);
  const codeScan = simUrl ?? 'memory';
  const stores = await openStores({ root: dir, path: join(dir, 'store.db'), codeScan });
  const documents = stores.knowledge.indexes()[0].chunks;
  const latencies = [];
  const results = [];
  const warmUp = [];
  let cpuMicros = 0;
  // Two warm-up queries, timed apart: the first reads the codes from disk (through sqlite-vec's k-NN
  // in both modes); with the in-memory scan, the second copies them into the process.
  for (let number = -2; number < count; number++) {
    const vector = Float32Array.from(simulatedEmbedding(queryText(Math.abs(number), documents), dims));
    const started = performance.now();
    const cpu = process.cpuUsage();
    const hits = stores.knowledge.vectorSearch(index, vector, 10);
    const used = process.cpuUsage(cpu);
    if (number < 0) warmUp.push(performance.now() - started);
    if (number < 0) continue;
    cpuMicros += used.user + used.system;
    latencies.push(performance.now() - started);
    results.push(hits.map((hit) => hit.chunkId));
  }
  const memory = rss();
  stores.close();
  writeFileSync(join(dir, `approximate-${codeScan}.json`), JSON.stringify(results));
  return { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), max: Math.max(...latencies), cpu: cpuMicros / 1000 / latencies.length, first: warmUp[0], second: warmUp[1], rss: memory };
}

async function scan() {
  const { simulatedEmbedding } = await dist('sim/embedder.js');
  // The exact baseline scans the original float32 vectors (the store keeps float16), regenerated
  // from the same seeded texts: chunk id n + 1 is document n (build inserts them in order).
  const { DatabaseSync } = await import('node:sqlite');
  const database = new DatabaseSync(join(dir, 'store.db'), { readOnly: true });
  const total = Number(database.prepare('SELECT COUNT(*) AS n FROM knowledge_chunks').get().n);
  database.close();
  const matrix = new Float32Array(total * dims);
  const ids = new Int32Array(total);
  for (let position = 0; position < total; position++) {
    ids[position] = position + 1;
    matrix.set(simulatedEmbedding(documentText(position), dims), position * dims);
  }
  const approximate = Object.fromEntries(['memory', 'sqlite-vec'].flatMap((scan) => {
    try {
      return [[scan, JSON.parse(readFileSync(join(dir, `approximate-${scan}.json`), 'utf8'))]];
    } catch {
      return [];
    }
  }));
  const found = Object.fromEntries(Object.keys(approximate).map((scan) => [scan, 0]));
  const latencies = [];
  const scores = new Float32Array(ids.length);
  for (let number = 0; number < count; number++) {
    const vector = Float32Array.from(simulatedEmbedding(queryText(number, ids.length), dims));
    const started = performance.now();
    for (let row = 0; row < ids.length; row++) {
      let sum = 0;
      const offset = row * dims;
      for (let dim = 0; dim < dims; dim++) sum += matrix[offset + dim] * vector[dim];
      scores[row] = sum;
    }
    const top = Array.from({ length: ids.length }, (_, row) => row).sort((a, b) => scores[b] - scores[a] || ids[a] - ids[b]).slice(0, 10);
    latencies.push(performance.now() - started);
    // recall@10: a store hit counts when it is in the exact top 10, or scores the same as the 10th
    // exact hit (a tie the exact order broke by id; common with bag-of-words vectors).
    const tenth = scores[top[9]];
    const wanted = new Set(top.map((row) => ids[row]));
    for (const [scan, answers] of Object.entries(approximate)) for (const id of answers[number] ?? []) if (wanted.has(id) || scores[id - 1] >= tenth - 1e-6) found[scan]++;
  }
  const memory = rss();
  const recall = Object.fromEntries(Object.entries(found).map(([scan, hits]) => [scan, hits / (count * 10)]));
  return { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), rss: memory, recall };
}

async function indexChunks() {
  const [{ chunkText }, { embedWithChain }, { ModelCache }, { openStores }, { normalize, toFloat32 }] = await Promise.all([
    dist('knowledge/chunk.js'),
    dist('providers/embed-chain.js'),
    dist('providers/model-cache.js'),
    dist('store/registry.js'),
    dist('store/quantize.js'),
  ]);
  const spec = { ref: { provider: 'openai', model: 'text-embedding-3-small', id: 'openai/text-embedding-3-small' }, provider: { name: 'openai', type: 'openai', baseUrl: `${simUrl}/v1` }, pricing: { input: 0.02, output: 0 } };
  const chain = { name: 'embed', models: [spec], retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 100, honorRetryAfter: false }, fallbackOn: [], rateLimits: {} };
  const models = new ModelCache({ OPENAI_API_KEY: 'bench-key' });
  mkdirSync(dir, { recursive: true });
  const stores = await openStores({ root: dir, path: join(dir, 'index.db') });
  // 100 markdown files of 100 sections: 10,000 chunks of about 60 words.
  const files = Array.from({ length: count / 100 }, (_, file) => ({
    path: `docs/${file}.md`,
    text: Array.from({ length: 100 }, (_, section) => `## Section ${section}\n\n${text(random(file * 1000 + section), 60)}\n`).join('\n'),
  }));
  const started = performance.now();
  let chunks = 0;
  for (const file of files) {
    const pieces = chunkText(file.path, file.text, { size: 400, overlap: 50 });
    const { embeddings } = await embedWithChain(chain, pieces.map((piece) => `${piece.heading ?? ''}\n${piece.text}`), { emit: () => {}, models });
    stores.knowledge.replaceFile(index, { path: file.path, contentHash: file.path, embeddingModel: spec.ref.id }, pieces.map((piece, number) => ({ ...piece, embedding: normalize(toFloat32(embeddings[number])) })));
    chunks += pieces.length;
  }
  const seconds = (performance.now() - started) / 1000;
  stores.close();
  return { chunks, seconds };
}

const phases = { build, query, scan, index: indexChunks };
process.stdout.write(`${JSON.stringify(await phases[mode]())}\n`);
