import type { Prisma, PrismaClient } from '../generated/prisma/client.js';

/** The root client, or the client of an open transaction. */
export type Db = PrismaClient | Prisma.TransactionClient;

/**
 * The root client, or null for the client of an open transaction. Prisma gives transaction
 * clients no `$transaction` (they cannot nest): the one reliable mark of the root client.
 */
function rootClient(db: Db): PrismaClient | null {
  return '$transaction' in db ? db : null;
}

/** Whether `db` is the client of an open transaction (its writes commit with it, not now). */
export function isTransaction(db: Db): boolean {
  return rootClient(db) === null;
}

/**
 * Runs `work` in a transaction: a new one on the root client, the open one otherwise, so
 * callers compose without knowing who opened it.
 */
export function inTransaction<T>(
  db: Db,
  work: (tx: Prisma.TransactionClient) => Promise<T>,
  /** For a new transaction only: how long it may run (Default: Prisma's 5000 ms). */
  options: { timeoutMs?: number } = {},
): Promise<T> {
  const root = rootClient(db);
  if (!root) {
    return work(db);
  }
  return root.$transaction(work, {
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  });
}
