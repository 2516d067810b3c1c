// The coarse stage of vector search, in memory. sqlite-vec keeps the 1-bit codes (quantize.ts) of a
// vec0 table in blocks of 1,024 (its shadow tables `<table>_chunks`: partition value, validity bitmap,
// int64 rowids; `<table>_vector_chunks00`: the codes back to back). Reading those blocks as they are
// (a hundred rows at 100,000 codes) takes a fraction of the time that asking vec0 for its rows one by
// one does (most of a second). A query then scans them in two stages:
//   1. the Hamming distance over the first `prefixBits` bits of every code (each bit of a code is an
//      independent random-hyperplane test, so a prefix is a coarser code of the same vector), which
//      keeps the `shortlist` closest codes;
//   2. the Hamming distance over the whole code of those, which keeps the `limit` closest.
// That is about 1/8 of the work of a full scan, and a full scan is what sqlite-vec's k-NN does (in
// C, but through SQLite's blob I/O and its own top-k bookkeeping: 30-50 ms at 100,000 codes against
// 3-5 ms here; see bench/knowledge.mjs). The copy stays valid while nobody writes: the owner bumps
// `generation` on its own writes and SQLite's `data_version` changes when another connection commits;
// either makes the next query reload. If the shadow tables are not laid out as expected (another
// sqlite-vec version), `load` returns undefined and the caller falls back to vec0's own k-NN.

import type { DatabaseSync } from 'node:sqlite';

export const prefixBits = 256;
/** Codes kept by the prefix stage: at least this many, or this share of the table. */
export const minimumShortlist = 2048;
export const shortlistShare = 0.02;

/** One sqlite-vec block: `size` slots, live where the validity bit is set. */
export interface CodeBlock {
  size: number;
  validity: Uint8Array;
  /** Rowid per slot. */
  ids: Float64Array;
  /** `size` codes of `words` 32-bit words, back to back (the blob SQLite returned, not a copy). */
  codes: Uint32Array;
}

export interface CodeBlocks {
  /** Number of live codes. */
  count: number;
  /** 32-bit words per code. */
  words: number;
  blocks: CodeBlock[];
}

const live = (block: CodeBlock, slot: number): boolean => (block.validity[slot >> 3]! & (1 << (slot & 7))) !== 0;

/** Every live code with its rowid, in block order (for tests and tools; queries use nearestCodes). */
export function* liveCodes(blocks: CodeBlocks): Generator<{ id: number; code: Uint8Array }> {
  const bytes = blocks.words * 4;
  for (const block of blocks.blocks)
    for (let slot = 0; slot < block.size; slot++) if (live(block, slot)) yield { id: block.ids[slot]!, code: new Uint8Array(block.codes.buffer, block.codes.byteOffset + slot * bytes, bytes) };
}

interface ChunkRow {
  size: number;
  validity: Uint8Array;
  rowids: Uint8Array;
  vectors: Uint8Array;
}

/** The expected columns of sqlite-vec 0.1's shadow tables; anything else means "fall back". */
function laidOutAsExpected(database: DatabaseSync, table: string): boolean {
  const columns = (name: string) => new Set((database.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string }>).map((row) => row.name));
  const chunks = columns(`${table}_chunks`);
  const vectors = columns(`${table}_vector_chunks00`);
  return ['chunk_id', 'size', 'partition00', 'validity', 'rowids'].every((name) => chunks.has(name)) && ['rowid', 'vectors'].every((name) => vectors.has(name));
}

/** Bytes of the file SQLite may map while the codes are read (reading through mmap skips a copy per page). */
const loadMmapBytes = 1 << 30;

/** All live codes of one partition (`index`) of vec0 table `table`, whose codes have `bits` bits. */
export function loadCodeBlocks(database: DatabaseSync, table: string, index: string, bits: number): CodeBlocks | undefined {
  if (bits % 32 !== 0 || !laidOutAsExpected(database, table)) return undefined;
  const bytes = bits / 8;
  // An in-memory database reports no mmap_size.
  const previousMmap = Number((database.prepare('PRAGMA mmap_size').get() as { mmap_size?: number } | undefined)?.mmap_size ?? 0);
  let rows: ChunkRow[];
  database.exec(`PRAGMA mmap_size = ${loadMmapBytes}`);
  try {
    rows = database
      .prepare(`SELECT c.size AS size, c.validity AS validity, c.rowids AS rowids, v.vectors AS vectors FROM "${table}_chunks" c JOIN "${table}_vector_chunks00" v ON v.rowid = c.chunk_id WHERE c.partition00 = ? ORDER BY c.chunk_id`)
      .all(index) as unknown as ChunkRow[];
  } finally {
    database.exec(`PRAGMA mmap_size = ${previousMmap}`);
  }
  const words = bits / 32;
  const blocks: CodeBlock[] = [];
  let count = 0;
  for (const row of rows) {
    if (row.validity.byteLength * 8 < row.size || row.rowids.byteLength < row.size * 8 || row.vectors.byteLength < row.size * bytes) return undefined;
    // The codes are used where SQLite put them (copying 25 MiB costs more than the query it saves on
    // a machine with slow page faults); only a blob not aligned for 32-bit reads is copied.
    const vectors = row.vectors.byteOffset % 4 === 0 ? row.vectors : row.vectors.slice();
    // The rowids blob is int64 little-endian: read as pairs of 32-bit halves (no BigInt per row).
    const halves = new Uint32Array(row.rowids.slice(0, row.size * 8).buffer);
    const ids = new Float64Array(row.size);
    for (let slot = 0; slot < row.size; slot++) ids[slot] = halves[2 * slot]! + halves[2 * slot + 1]! * 4294967296;
    const block: CodeBlock = { size: row.size, validity: row.validity, ids, codes: new Uint32Array(vectors.buffer, vectors.byteOffset, row.size * words) };
    for (let slot = 0; slot < row.size; slot++) if (live(block, slot)) count++;
    blocks.push(block);
  }
  return { count, words, blocks };
}

function popcount(value: number): number {
  value -= (value >>> 1) & 0x55555555;
  value = (value & 0x33333333) + ((value >>> 2) & 0x33333333);
  return (Math.imul((value + (value >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
}

/**
 * The Hamming distance over the first `prefixWords` words of each code in `codes`, into `out`. The
 * usual prefix of 8 words is unrolled with the probe's words in locals: four to five times faster in
 * V8 than the loop over an array (measured on the 100,000-code bench).
 */
function prefixDistances(codes: Uint32Array, words: number, prefixWords: number, probe: Uint32Array, out: Uint16Array): void {
  if (prefixWords === 8) {
    const [p0, p1, p2, p3, p4, p5, p6, p7] = probe as unknown as [number, number, number, number, number, number, number, number];
    for (let slot = 0, offset = 0; slot < out.length; slot++, offset += words) {
      out[slot] =
        popcount(codes[offset]! ^ p0) +
        popcount(codes[offset + 1]! ^ p1) +
        popcount(codes[offset + 2]! ^ p2) +
        popcount(codes[offset + 3]! ^ p3) +
        popcount(codes[offset + 4]! ^ p4) +
        popcount(codes[offset + 5]! ^ p5) +
        popcount(codes[offset + 6]! ^ p6) +
        popcount(codes[offset + 7]! ^ p7);
    }
    return;
  }
  for (let slot = 0, offset = 0; slot < out.length; slot++, offset += words) {
    let distance = 0;
    for (let word = 0; word < prefixWords; word++) distance += popcount(codes[offset + word]! ^ probe[word]!);
    out[slot] = distance;
  }
}

/** Rowids of the `limit` codes nearest to `query` (packed like the stored codes) by Hamming distance. */
export function nearestCodes(blocks: CodeBlocks, query: Uint8Array, limit: number): number[] {
  const { count, words } = blocks;
  if (count === 0 || limit <= 0) return [];
  const probe = new Uint32Array(words);
  new Uint8Array(probe.buffer).set(query.subarray(0, words * 4));
  const prefixWords = Math.min(words, prefixBits / 32);
  const shortlist = Math.max(minimumShortlist, Math.ceil(count * shortlistShare), limit);
  // Candidates as (block, slot) pairs.
  const candidateBlocks: number[] = [];
  const candidateSlots: number[] = [];
  if (count <= shortlist || prefixWords === words) {
    blocks.blocks.forEach((block, index) => {
      for (let slot = 0; slot < block.size; slot++) if (live(block, slot)) candidateBlocks.push(index), candidateSlots.push(slot);
    });
  } else {
    // Stage 1: prefix distances and their histogram, then the smallest distance threshold that keeps
    // at least `shortlist` codes (ties at the threshold are all kept). Dead slots get a distance
    // above any real one.
    const dead = prefixWords * 32 + 1;
    const distances = blocks.blocks.map((block) => new Uint16Array(block.size));
    const histogram = new Int32Array(dead + 1);
    blocks.blocks.forEach((block, index) => {
      const out = distances[index]!;
      prefixDistances(block.codes, words, prefixWords, probe, out);
      for (let slot = 0; slot < block.size; slot++) {
        if (live(block, slot)) histogram[out[slot]!]!++;
        else out[slot] = dead;
      }
    });
    let threshold = 0;
    for (let kept = histogram[0]!; kept < shortlist && threshold < dead - 1; ) kept += histogram[++threshold]!;
    distances.forEach((out, index) => {
      for (let slot = 0; slot < out.length; slot++) if (out[slot]! <= threshold) candidateBlocks.push(index), candidateSlots.push(slot);
    });
  }
  // Stage 2: full distances of the shortlist; the `limit` smallest (ties broken by rowid).
  const full = new Uint16Array(candidateBlocks.length);
  const ids = new Float64Array(candidateBlocks.length);
  for (let index = 0; index < candidateBlocks.length; index++) {
    const block = blocks.blocks[candidateBlocks[index]!]!;
    const slot = candidateSlots[index]!;
    const offset = slot * words;
    const { codes } = block;
    let distance = 0;
    let word = 0;
    for (; word + 4 <= words; word += 4)
      distance +=
        popcount(codes[offset + word]! ^ probe[word]!) +
        popcount(codes[offset + word + 1]! ^ probe[word + 1]!) +
        popcount(codes[offset + word + 2]! ^ probe[word + 2]!) +
        popcount(codes[offset + word + 3]! ^ probe[word + 3]!);
    for (; word < words; word++) distance += popcount(codes[offset + word]! ^ probe[word]!);
    full[index] = distance;
    ids[index] = block.ids[slot]!;
  }
  const order = Array.from({ length: full.length }, (_, index) => index);
  order.sort((a, b) => full[a]! - full[b]! || ids[a]! - ids[b]!);
  return order.slice(0, limit).map((index) => ids[index]!);
}
