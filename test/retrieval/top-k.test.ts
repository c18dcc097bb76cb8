import { describe, expect, it } from 'vitest';
import { TopK } from '../../src/retrieval/top-k.js';

describe('TopK', () => {
  it('keeps the best items, best first, whatever the arrival order', () => {
    const scores = [0.3, 0.9, -0.5, 0.1, 0.7, 0.9, 0.2, 0.8];
    const top = new TopK<number>(3);
    for (const [index, score] of scores.entries()) {
      top.add(index, score);
    }
    expect(top.best()).toEqual([
      { item: 1, score: 0.9 },
      { item: 5, score: 0.9 },
      { item: 7, score: 0.8 },
    ]);
  });

  it('keeps everything when there are fewer items than the limit, and nothing at limit 0', () => {
    const few = new TopK<string>(10);
    few.add('a', -1);
    few.add('b', 2);
    expect(few.best().map(({ item }) => item)).toEqual(['b', 'a']);
    const none = new TopK<string>(0);
    none.add('a', 1);
    expect(none.best()).toEqual([]);
  });
});
