/**
 * A least-recently-used cache of parsed documents (or their parse errors) keyed by their text,
 * bounded by the total length of the texts it holds, not only by their number. Yoga's default
 * keeps 1,024 documents and 1,024 errors for an hour whatever their size, and a parsed document
 * holds its source and every token (about 100 bytes per character of source, measured): hostile documents,
 * each different, kept a gigabyte alive under fuzzing. Documents longer than `maxDocumentChars`
 * are not cached at all; real operations are a few kilobytes and repeat.
 */
export function createDocumentCache<T>(
  options: { maxEntries?: number; maxDocumentChars?: number; maxTotalChars?: number } = {},
): { get(key: string): T | undefined; set(key: string, value: T): void; readonly chars: number } {
  const maxEntries = options.maxEntries ?? 1024;
  const maxDocumentChars = options.maxDocumentChars ?? 16 * 1024;
  const maxTotalChars = options.maxTotalChars ?? 512 * 1024;
  // A Map iterates in insertion order: re-inserting on use makes its first key the least recent.
  const entries = new Map<string, T>();
  let chars = 0;
  return {
    get(key) {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      if (key.length > maxDocumentChars) {
        return;
      }
      if (entries.delete(key)) {
        chars -= key.length;
      }
      entries.set(key, value);
      chars += key.length;
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries && chars <= maxTotalChars) {
          break;
        }
        entries.delete(oldest);
        chars -= oldest.length;
      }
    },
    get chars() {
      return chars;
    },
  };
}
