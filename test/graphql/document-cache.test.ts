import { describe, expect, it } from 'vitest';
import { createDocumentCache } from '../../src/graphql/document-cache.js';

describe('the parsed-document cache', () => {
  it('keeps the total length of its documents within its bound, dropping the least recent', () => {
    const cache = createDocumentCache<number>({ maxTotalChars: 100, maxDocumentChars: 60 });
    cache.set('a'.repeat(40), 1);
    cache.set('b'.repeat(40), 2);
    expect(cache.get('a'.repeat(40))).toBe(1); // now the most recent
    cache.set('c'.repeat(40), 3);
    expect(cache.chars).toBe(80);
    expect(cache.get('b'.repeat(40))).toBeUndefined();
    expect(cache.get('a'.repeat(40))).toBe(1);
    expect(cache.get('c'.repeat(40))).toBe(3);
  });

  it('does not cache a document longer than its per-document bound', () => {
    const cache = createDocumentCache<number>({ maxDocumentChars: 10 });
    cache.set('x'.repeat(11), 1);
    expect(cache.get('x'.repeat(11))).toBeUndefined();
    expect(cache.chars).toBe(0);
  });

  it('holds at most its number of entries, however short, and counts a key set twice once', () => {
    const cache = createDocumentCache<number>({ maxEntries: 3 });
    for (const key of ['a', 'b', 'b', 'c', 'd']) {
      cache.set(key, key.charCodeAt(0));
    }
    expect(['a', 'b', 'c', 'd'].map((key) => cache.get(key))).toEqual([undefined, 98, 99, 100]);
    expect(cache.chars).toBe(3);
  });

  it('stays within 512 K characters by default under a stream of distinct large documents', () => {
    const cache = createDocumentCache<number>();
    for (let index = 0; index < 10_000; index += 1) {
      cache.set(`{ thread(id: "${String(index).padStart(16_000, '0')}") { id } }`, index);
    }
    expect(cache.chars).toBeLessThanOrEqual(512 * 1024);
    expect(cache.chars).toBeGreaterThan(400 * 1024);
  });
});
