import { type DatabaseTarget, parseDatabaseUrl } from './db/database-url.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded-postgres.js';
import { applyMigrations } from './db/migrate.js';
import { createPrismaClient, type PrismaClient } from './db/prisma.js';
import type { Env } from './env.js';
import type { Logger } from './logger.js';

/** Long-lived resources shared by the server and the worker of one process. */
export interface Deps {
  env: Env;
  logger: Logger;
  db: PrismaClient;
  database: DatabaseTarget;
  /** Resolves once migrations are applied; `/healthz` waits for it. */
  close(): Promise<void>;
}

/**
 * Connects to PostgreSQL (or starts the embedded one when `DATABASE_URL` is absent) and applies
 * pending migrations before anything is served.
 */
export async function createDeps(env: Env, logger: Logger): Promise<Deps> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(env.DATA_DIR, logger);
    databaseUrl = embedded.url;
  }
  const database = parseDatabaseUrl(databaseUrl);
  try {
    await applyMigrations(database, logger);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const db = createPrismaClient(database);
  return {
    env,
    logger,
    db,
    database,
    async close() {
      await db.$disconnect();
      await embedded?.stop();
    },
  };
}
