import { describe, expect, it } from 'vitest';
import { base64ToVector, dot, normalize } from '../../src/retrieval/float-vectors.js';

describe('float vectors', () => {
  it('normalises to length 1, leaving a zero vector zero', () => {
    expect(Array.from(normalize([3, 4]))).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(Array.from(normalize([0, 0, 0]))).toEqual([0, 0, 0]);
  });

  it('computes dot products at an offset, for every length (unrolled by four)', () => {
    for (const length of [1, 2, 3, 4, 5, 7, 8, 9, 1536]) {
      const a = Float32Array.from({ length }, (_, i) => (i % 5) - 2);
      const matrix = Float32Array.from({ length: length * 3 }, (_, i) => (i % 7) - 3);
      for (const row of [0, 1, 2]) {
        let expected = 0;
        for (let i = 0; i < length; i += 1) {
          expected += (a[i] ?? 0) * (matrix[row * length + i] ?? 0);
        }
        expect(dot(a, matrix, row * length), `${length}/${row}`).toBe(expected);
      }
    }
  });

  it('reads vectors from base64 of their float32 bytes, as PostgreSQL encodes bytea', () => {
    const vector = Float32Array.from([0.5, -1.25, 3]);
    const encoded = Buffer.from(vector.buffer).toString('base64');
    expect(Array.from(base64ToVector(encoded))).toEqual([0.5, -1.25, 3]);
  });
});
