/** Rows filed by id, for batch reads that answer many lookups from one statement. */
export function byId<T extends { id: string }>(rows: readonly T[]): Map<string, T> {
  return new Map(rows.map((row) => [row.id, row]));
}

/** Distinct ids, so a batch of repeated lookups (twenty messages of one run) reads each once. */
export function distinct(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
