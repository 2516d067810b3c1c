// One-bit quantization for the coarse vector search: each vector is rotated by a fixed randomized
// Hadamard transform (random signs, then the fast Walsh-Hadamard transform over the vector padded to
// a power of two) and only the sign of each coordinate is kept. After the rotation every bit is a
// random-hyperplane test, so the Hamming distance between two codes estimates the angle between the
// vectors (SimHash), even for sparse vectors whose raw signs would say little. Candidates found by
// Hamming distance are then rescored with the exact float vectors.

const seed = 0x5eed1234;

export const paddedLength = (dims: number): number => 2 ** Math.ceil(Math.log2(Math.max(8, dims)));

const signCache = new Map<number, Int8Array>();

/** Deterministic ±1 per coordinate (xorshift32), the same in every process. */
function signs(length: number): Int8Array {
  let cached = signCache.get(length);
  if (cached) return cached;
  cached = new Int8Array(length);
  let state = seed;
  for (let index = 0; index < length; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    cached[index] = state & 1 ? 1 : -1;
  }
  signCache.set(length, cached);
  return cached;
}

/** The 1-bit code of `vector`: `paddedLength(dims)` bits, packed 8 to a byte (sqlite-vec's bit[] layout). */
export function binaryCode(vector: Float32Array, work?: Float32Array): Uint8Array {
  const length = paddedLength(vector.length);
  const buffer = work && work.length === length ? work : new Float32Array(length);
  const flip = signs(length);
  for (let index = 0; index < length; index++) buffer[index] = index < vector.length ? vector[index]! * flip[index]! : 0;
  for (let half = 1; half < length; half *= 2) {
    for (let start = 0; start < length; start += half * 2) {
      for (let index = start; index < start + half; index++) {
        const a = buffer[index]!;
        const b = buffer[index + half]!;
        buffer[index] = a + b;
        buffer[index + half] = a - b;
      }
    }
  }
  const code = new Uint8Array(length / 8);
  for (let index = 0; index < length; index++) if (buffer[index]! > 0) code[index >> 3]! |= 1 << (index & 7);
  return code;
}

export function toFloat32(vector: readonly number[] | Float32Array): Float32Array {
  return vector instanceof Float32Array ? vector : Float32Array.from(vector);
}

export function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm === 0 || Math.abs(norm - 1) < 1e-6) return vector;
  return vector.map((value) => value / norm);
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) sum += a[index]! * b[index]!;
  return sum;
}

export const blobOf = (vector: Float32Array): Uint8Array => new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);

export function vectorOf(blob: Uint8Array): Float32Array {
  // Copy: a blob from node:sqlite may not be 4-byte aligned.
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer);
}
