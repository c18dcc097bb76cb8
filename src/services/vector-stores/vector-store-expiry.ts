import type { Db } from '../../db/db.js';

const DAY_MS = 86_400_000;

/** `expires_at` of a store with `expires_after.days` that was last active at `anchor`. */
export function expiresAtFrom(anchor: Date, days: number): Date {
  return new Date(anchor.getTime() + days * DAY_MS);
}

/**
 * Whether a store has expired: marked so by the sweep, or past its `expires_at` already (reads
 * need not wait for the sweep). Expiry is final, as on OpenAI: the store cannot be used again.
 */
export function isExpired(row: { status: string; expiresAt: Date | null }, now: Date): boolean {
  return row.status === 'expired' || (row.expiresAt !== null && row.expiresAt <= now);
}

/**
 * Marks stores past their `expires_at` as expired, so later activity cannot revive them. Safe
 * to run from every worker at once (a plain conditional update). Returns the ids marked.
 */
export async function sweepVectorStores(
  db: Db,
  options: { now?: Date } = {},
): Promise<{ expired: string[] }> {
  const now = options.now ?? new Date();
  const due = await db.vectorStore.findMany({
    where: { status: { not: 'expired' }, expiresAt: { lte: now } },
    select: { id: true },
    take: 1000,
  });
  if (due.length === 0) {
    return { expired: [] };
  }
  const ids = due.map(({ id }) => id);
  await db.vectorStore.updateMany({
    where: { id: { in: ids }, status: { not: 'expired' } },
    data: { status: 'expired' },
  });
  return { expired: ids };
}
