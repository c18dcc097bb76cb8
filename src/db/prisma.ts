import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import type { DatabaseTarget } from './database-url.js';
import { PreparingClient } from './prepared-statements.js';
import { registerPool } from './raw-sql.js';

export type { PrismaClient };

/**
 * A Prisma client over the pg driver adapter, bound to the target's schema. Its pool also serves
 * raw statements outside transactions (`queryRaw` in raw-sql.ts).
 */
export function createPrismaClient(
  target: DatabaseTarget,
  options: {
    poolSize?: number;
    preparedStatements?: boolean;
    /**
     * An idle connection was lost (PostgreSQL restarted): the pool drops it and connects anew
     * when next asked. Without a listener the pool's `error` event would end the process.
     */
    onIdleError?: (error: Error) => void;
  } = {},
): PrismaClient {
  // Prisma qualifies its own queries with `schema`; raw SQL (row locks, NOTIFY) relies on the
  // connection's search_path, so set both.
  const pool = new pg.Pool({
    connectionString: target.url,
    max: options.poolSize ?? 10,
    options: `-c search_path="${target.schema}"`,
    Client: options.preparedStatements === false ? pg.Client : PreparingClient,
  });
  pool.on('error', options.onIdleError ?? (() => undefined));
  const adapter = new PrismaPg(pool, { schema: target.schema, disposeExternalPool: true });
  const client = new PrismaClient({ adapter });
  registerPool(client, pool);
  return client;
}
