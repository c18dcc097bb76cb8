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
    /** How long a caller waits for a pooled connection (Default: 10 s). */
    poolTimeoutMs?: number;
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
  const poolTimeoutMs = options.poolTimeoutMs ?? 10_000;
  const pool = new pg.Pool({
    connectionString: target.url,
    max: options.poolSize ?? 10,
    // The one real bound on waiting for a connection: the pool drops the waiter with "timeout
    // exceeded when trying to connect", which is answered 503 (database-unavailable.ts).
    connectionTimeoutMillis: poolTimeoutMs,
    options: `-c search_path="${target.schema}"`,
    Client: options.preparedStatements === false ? pg.Client : PreparingClient,
  });
  pool.on('error', options.onIdleError ?? (() => undefined));
  const adapter = new PrismaPg(pool, { schema: target.schema, disposeExternalPool: true });
  // Prisma's maxWait does not bound the wait with a driver adapter: it starts the transaction,
  // waits as long as the pool takes, and only then throws "Unable to start a transaction in the
  // given time" if that was longer, discarding the connection it waited for (a 500 under load
  // at its 2 s default). Past the pool's own bound, it never fires before the pool does.
  const client = new PrismaClient({
    adapter,
    transactionOptions: { maxWait: poolTimeoutMs + 1000 },
  });
  registerPool(client, pool);
  return client;
}
