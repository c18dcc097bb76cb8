import type { Db } from '../../../db/db.js';
import { queryRaw } from '../../../db/raw-sql.js';
import { Prisma } from '../../../generated/prisma/client.js';
import { ownerGoneSql } from '../../runs/store/run-ownership.js';

/**
 * In-progress responses whose owner is gone (its worker died: PostgreSQL freed its lease lock
 * when its connection closed; or it stopped heartbeating before `staleBefore`): up to 500 ids.
 */
export async function findOrphanedResponses(db: Db, staleBefore: Date): Promise<string[]> {
  const rows = await queryRaw<{ id: string }>(
    db,
    Prisma.sql`SELECT r.id FROM responses r
     WHERE r.status = 'in_progress' AND r.lease_id IS NOT NULL
       AND ${ownerGoneSql('r', staleBefore)}
     LIMIT 500`,
  );
  return rows.map(({ id }) => id);
}
