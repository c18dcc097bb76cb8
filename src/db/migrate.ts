import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { type DatabaseTarget, quoteIdent } from './database-url.js';

// From src/db (tsx) and from dist/src/db alike: the build copies prisma/migrations to
// dist/prisma/migrations (scripts/build.mjs), so a deployed dist/ carries its own migrations.
const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations/', import.meta.url));

/** The migrations this build carries, in order (directory names under prisma/migrations). */
export async function migrationNames(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * Applies pending migrations from `prisma/migrations` in one schema.
 *
 * It keeps Prisma's own `_prisma_migrations` bookkeeping (same table, same sha256 checksums), so
 * `prisma migrate status/deploy` agree with it, but runs in-process: the Prisma CLI takes ~10 s
 * to exit after `migrate deploy`, too slow for every start and every test file. An advisory lock
 * makes concurrent starters (several servers and workers) wait for one another.
 */
export async function applyMigrations(target: DatabaseTarget, logger?: Logger): Promise<string[]> {
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  const schema = quoteIdent(target.schema);
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext($1))`, [`migrate:${target.schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const applied = await client.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations"
       WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const appliedByName = new Map(applied.rows.map((row) => [row.migration_name, row.checksum]));
    const names = await migrationNames();
    const newlyApplied: string[] = [];
    for (const name of names) {
      const sql = await readFile(`${MIGRATIONS_DIR}${name}/migration.sql`, 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const known = appliedByName.get(name);
      if (known !== undefined) {
        if (known !== checksum) {
          // An edited migration means this database and the code disagree about the schema.
          throw new Error(`Migration ${name} was changed after it was applied to this database`);
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations"
             (id, checksum, finished_at, migration_name, applied_steps_count)
           VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), checksum, name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${name} failed`, { cause: error });
      }
      newlyApplied.push(name);
      logger?.info({ migration: name, schema: target.schema }, 'applied migration');
    }
    return newlyApplied;
  } finally {
    await client.end();
  }
}
