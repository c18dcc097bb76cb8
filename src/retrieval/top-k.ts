/**
 * The `limit` best-scoring items seen, without keeping (or sorting) the rest: after the first
 * `limit` items, an item is one comparison unless it beats the current worst.
 */
export class TopK<T> {
  /** Ascending by score: the worst kept item first. */
  private readonly items: { item: T; score: number }[] = [];

  constructor(private readonly limit: number) {}

  /** The score an item must beat to be kept (-Infinity until `limit` items are kept). */
  get floor(): number {
    return this.items.length < this.limit ? Number.NEGATIVE_INFINITY : (this.items[0]?.score ?? 0);
  }

  add(item: T, score: number): void {
    if (this.limit <= 0 || score <= this.floor) {
      return;
    }
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.items[middle]?.score ?? 0) < score) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    this.items.splice(low, 0, { item, score });
    if (this.items.length > this.limit) {
      this.items.shift();
    }
  }

  /** Best first. */
  best(): { item: T; score: number }[] {
    return [...this.items].reverse();
  }
}
