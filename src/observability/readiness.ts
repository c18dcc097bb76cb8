import { migrationNames } from '../db/migrate.js';
import type { PrismaClient } from '../db/prisma.js';

/** What a process runs: `/readyz` waits for each of them. */
export type ReadinessPart = 'server' | 'worker';

export interface ReadinessReport {
  ready: boolean;
  /** Each check by name: `ok`, or why not. */
  checks: Record<string, string>;
}

/**
 * Whether this process should get traffic (`/readyz`): the database answers, this build's last
 * migration is applied there, each part of its role (server, worker) has started, and it is not
 * shutting down. Draining is set once, where the process starts its shutdown, so a load
 * balancer stops sending work before anything stops.
 */
export interface Readiness {
  readonly draining: boolean;
  /** A part of the role has started. */
  markStarted(part: ReadinessPart): void;
  /** From now on the process is not ready (it is shutting down). */
  startDraining(): void;
  check(db: PrismaClient): Promise<ReadinessReport>;
}

export function createReadiness(parts: readonly ReadinessPart[]): Readiness {
  const started = new Set<ReadinessPart>();
  let draining = false;
  let lastMigration: Promise<string | undefined> | null = null;
  return {
    get draining() {
      return draining;
    },
    markStarted(part) {
      started.add(part);
    },
    startDraining() {
      draining = true;
    },
    async check(db) {
      const checks: Record<string, string> = {};
      checks.shutdown = draining ? 'draining' : 'ok';
      for (const part of parts) {
        checks[part] = started.has(part) ? 'ok' : 'starting';
      }
      if (!draining) {
        lastMigration ??= migrationNames().then((names) => names.at(-1));
        checks.database = await databaseCheck(db, await lastMigration);
      }
      return { ready: Object.values(checks).every((value) => value === 'ok'), checks };
    },
  };
}

async function databaseCheck(db: PrismaClient, lastMigration: string | undefined): Promise<string> {
  try {
    const rows = await db.$queryRaw<{ applied: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM "_prisma_migrations"
                      WHERE migration_name = ${lastMigration ?? ''}
                        AND finished_at IS NOT NULL AND rolled_back_at IS NULL) AS applied`;
    return rows[0]?.applied ? 'ok' : `migration ${lastMigration ?? '(none)'} not applied`;
  } catch {
    return 'unreachable';
  }
}
