import type { Db } from '../../../db/db.js';
import { leaseLockHeld } from '../../../db/lease-locks.js';
import { queryRaw } from '../../../db/raw-sql.js';
import { Prisma } from '../../../generated/prisma/client.js';
import { EXECUTING_RUN_STATUSES } from '../run-status.js';

/**
 * SQL: the run row `alias` has no live owner. Its worker died (its lease lock is free: PostgreSQL
 * frees it the moment the worker's connection closes), gave it up (no heartbeat), or hangs (its
 * heartbeat is older than `staleBefore`, for a worker whose connection outlives its work).
 */
export function ownerGoneSql(alias: string, staleBefore: Date): Prisma.Sql {
  const column = (name: string) => Prisma.raw(`${alias}.${name}`);
  return Prisma.sql`(${column('heartbeat_at')} IS NULL
    OR ${column('heartbeat_at')} < ${staleBefore}::timestamp(3)
    OR NOT ${leaseLockHeld(Prisma.sql`${column('lease_id')}`)})`;
}

/** Executing runs (in progress or being cancelled) whose owner is gone: up to 500 ids. */
export async function findOrphanedRuns(db: Db, staleBefore: Date): Promise<string[]> {
  const rows = await queryRaw<{ id: string }>(
    db,
    Prisma.sql`SELECT r.id FROM runs r
     WHERE r.status IN (${Prisma.join([...EXECUTING_RUN_STATUSES])}) AND r.lease_id IS NOT NULL
       AND ${ownerGoneSql('r', staleBefore)}
     LIMIT 500`,
  );
  return rows.map(({ id }) => id);
}

/** Whether the run is executing under a live owner (another worker's, or an earlier execution). */
export async function hasLiveOwner(db: Db, runId: string, staleBefore: Date): Promise<boolean> {
  const [row] = await queryRaw<{ live: boolean }>(
    db,
    Prisma.sql`SELECT (r.lease_id IS NOT NULL AND NOT ${ownerGoneSql('r', staleBefore)}) AS live
      FROM runs r WHERE r.id = ${runId}`,
  );
  return row?.live ?? false;
}
