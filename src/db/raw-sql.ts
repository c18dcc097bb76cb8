import pg from 'pg';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { Db } from './db.js';

/** The pg pool under each root Prisma client (its driver adapter's), for statements alone. */
const pools = new WeakMap<object, pg.Pool>();

export function registerPool(client: PrismaClient, pool: pg.Pool): void {
  pools.set(client, pool);
}

/** The pool under a root Prisma client (for its connection counts). */
export function poolOf(client: PrismaClient): pg.Pool | undefined {
  return pools.get(client);
}

const TIMESTAMP = 1114;
const INT8 = 20;

/** Values typed as Prisma returns them: `timestamp(3)` (UTC) as Date, int8 as bigint. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP) {
      return (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
    }
    if (oid === INT8) {
      return (value: string) => BigInt(value);
    }
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** Dates as UTC ISO strings, whatever the process's time zone (pg would send local time). */
function parameter(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * Runs a raw statement. Outside a transaction it goes straight to the pool: Prisma's own path
 * for raw SQL costs about twice the CPU of the statement itself, and these are the statements
 * every run and every poll makes. Inside a transaction it must use the transaction's connection,
 * so it goes through Prisma. Both return the same JavaScript values.
 */
export async function queryRaw<T>(db: Db, sql: Prisma.Sql): Promise<T[]> {
  const pool = pools.get(db);
  if (!pool) {
    return db.$queryRaw<T[]>(sql);
  }
  const result = await pool.query({ text: sql.text, values: sql.values.map(parameter), types });
  return result.rows as T[];
}
