import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import type { DatabaseTarget } from './database-url.js';

export type { PrismaClient };

/** A Prisma client over the pg driver adapter, bound to the target's schema. */
export function createPrismaClient(target: DatabaseTarget, poolSize = 10): PrismaClient {
  const adapter = new PrismaPg(
    // Prisma qualifies its own queries with `schema`; raw SQL (row locks, NOTIFY) relies on the
    // connection's search_path, so set both.
    { connectionString: target.url, max: poolSize, options: `-c search_path="${target.schema}"` },
    { schema: target.schema },
  );
  return new PrismaClient({ adapter });
}
