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

// Stored vectors are IEEE half floats: half the bytes of float32 (a 1,536-dim vector is 3 KiB and
// fits one 4 KiB page with its row instead of spilling onto overflow pages), and about 3 significant
// digits, far finer than the differences between unit-vector similarities that rescoring compares.

const scratch = new DataView(new ArrayBuffer(4));

function toHalf(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent <= 0) {
    // Subnormal half (or zero): shift the implicit leading 1 in, round to nearest.
    if (exponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - exponent;
    return sign | ((full + (1 << (shift - 1))) >>> shift);
  }
  if (exponent >= 31) return sign | 0x7c00;
  const rounded = (exponent << 10) + ((mantissa + 0x1000) >>> 13);
  return sign | Math.min(rounded, 0x7bff);
}

let halfTable: Float32Array | undefined;
/** All 65,536 half values as float32, built once: decoding is then one lookup per number. */
function halves(): Float32Array {
  if (halfTable) return halfTable;
  halfTable = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >>> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    halfTable[bits] = exponent === 0 ? sign * mantissa * 2 ** -24 : exponent === 31 ? (mantissa ? NaN : sign * Infinity) : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return halfTable;
}

/** The stored form of a vector: float16, little-endian. */
export function blobOf(vector: Float32Array): Uint8Array {
  const half = new Uint16Array(vector.length);
  for (let index = 0; index < vector.length; index++) half[index] = toHalf(vector[index]!);
  return new Uint8Array(half.buffer);
}

export function vectorOf(blob: Uint8Array): Float32Array {
  const table = halves();
  const vector = new Float32Array(blob.byteLength >>> 1);
  for (let index = 0; index < vector.length; index++) vector[index] = table[blob[index * 2]! | (blob[index * 2 + 1]! << 8)]!;
  return vector;
}
