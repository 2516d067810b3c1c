// The simulator's embedding model: deterministic, offline, and close for texts that share words.
// Feature hashing (the "hashing trick"): every word, and at a lower weight every character trigram
// of it (so `refund` and `refunds` land near each other), adds a signed weight to one of `dims`
// buckets chosen by a hash; the vector is then L2-normalised, so cosine similarity is a dot product.
// Not a language model: synonyms that share no letters are far apart, which is what real
// embeddings fix and what a retrieval test should not depend on.

export const defaultEmbeddingDimensions = 1536;

/** Words too common to say anything about a text's topic. */
const stopWords = new Set(
  'a an and are as at be but by can do does for from has have how i if in into is it its me my no not of on or our so than that the their them then there these they this to was we what when where which who why will with you your'.split(' '),
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
  for (const word of words(text)) if (!stopWords.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
  for (const [word, count] of counts) {
    // Sub-linear term frequency: a word said ten times is not ten times as much about the topic.
    const weight = 1 + Math.log(count);
    add(vector, `w:${word}`, weight);
    const padded = `^${word}$`;
    for (let index = 0; index + 3 <= padded.length; index++) add(vector, `t:${padded.slice(index, index + 3)}`, weight * trigramWeight);
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  return Array.from(vector, (value) => value / norm);
}

/** Tokens the simulator reports for an embedding input: one per word, at least one. */
export const simulatedTokens = (text: string): number => Math.max(1, words(text).length);
