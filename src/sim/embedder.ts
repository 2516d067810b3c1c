// The simulator's embedding model: deterministic, offline, and close for texts that share words or
// meaning. Feature hashing (the "hashing trick"): every word, lightly stemmed (concepts.ts), and at
// a lower weight every character trigram of it, adds a signed weight to one of `dims` buckets chosen
// by a hash; so does every concept of the simulator's synonym table (concepts.ts) that the word
// belongs to, which is how "the database went dark" comes near "Postgres primary unreachable" as it
// would with a real model. The vector is then L2-normalised, so cosine similarity is a dot product.
// Not a language model: the synonym table is small and hand-written (see concepts.ts for what that
// means for the retrieval figures).

import { conceptsOf, stem } from './concepts.js';

export const defaultEmbeddingDimensions = 1536;

/** Words too common to say anything about a text's topic. */
const stopWords = new Set(
  'a about all an and any anything are as at be but by can cannot could did do does for from get got has have how i if in into is it its me my no not of on or our so some something than that the their them then there these they this to us was we went were what when where which who why will with would you your'.split(' '),
);

/** FNV-1a, 32 bits: fast, stable across platforms and runs. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

const trigramWeight = 0.35;
/** Weight of each concept a word belongs to, relative to the word itself. */
const conceptWeight = 0.8;

function add(vector: Float64Array, feature: string, weight: number): void {
  const value = hash(feature);
  const bucket = value % vector.length;
  // The top bit picks the sign, so colliding features cancel out on average instead of piling up.
  vector[bucket] = vector[bucket]! + (value & 0x80000000 ? -weight : weight);
}

/** The embedding of `text`: `dims` numbers, unit length (all zeros only for a text with no words). */
export function simulatedEmbedding(text: string, dims = defaultEmbeddingDimensions): number[] {
  const vector = new Float64Array(Math.max(1, dims));
  const counts = new Map<string, number>();
  for (const word of words(text)) if (!stopWords.has(word)) counts.set(stem(word), (counts.get(stem(word)) ?? 0) + 1);
  for (const [word, count] of counts) {
    // Sub-linear term frequency: a word said ten times is not ten times as much about the topic.
    const weight = 1 + Math.log(count);
    add(vector, `w:${word}`, weight);
    const padded = `^${word}$`;
    for (let index = 0; index + 3 <= padded.length; index++) add(vector, `t:${padded.slice(index, index + 3)}`, weight * trigramWeight);
    for (const concept of conceptsOf(word)) add(vector, `c:${concept}`, weight * conceptWeight);
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  return Array.from(vector, (value) => value / norm);
}

/** Tokens the simulator reports for an embedding input: one per word, at least one. */
export const simulatedTokens = (text: string): number => Math.max(1, words(text).length);
