import type { PrismaClient } from '../../db/prisma.js';
import { executeRunJob } from '../../jobs/execute-run.js';
import type { JobQueue } from '../../jobs/queue.js';
import { RUN_SIGNAL_CHANNEL } from './run-signals.js';
import { ACTIVE_RUN_STATUSES } from './run-status.js';
import { endRun } from './store/run-endings.js';
import { findOrphanedRuns } from './store/run-ownership.js';

export interface SweepResult {
  expired: string[];
  resumed: string[];
}

/**
 * Periodic upkeep, safe to run from every worker at once (each change is a compare-and-set):
 * - runs past `expires_at` in any active status (requires_action included) become `expired`,
 *   and their executing worker is told to stop;
 * - executing runs whose owner is gone (it died, or gave them up) are queued for another worker.
 */
export async function sweepRuns(
  db: PrismaClient,
  jobs: JobQueue,
  options: { staleAfterMs: number; now?: Date },
): Promise<SweepResult> {
  const now = options.now ?? new Date();
  const due = await db.run.findMany({
    where: { status: { in: [...ACTIVE_RUN_STATUSES] }, expiresAt: { lt: now } },
    select: { id: true },
    take: 500,
  });
  const expired: string[] = [];
  for (const { id } of due) {
    // Its executing worker (if any) is signalled on COMMIT and stops at once.
    const ended = await endRun(
      db,
      id,
      'expired',
      {},
      {
        alsoNotify: [{ channel: RUN_SIGNAL_CHANNEL, payload: id }],
      },
    );
    if (ended) {
      expired.push(id);
    }
  }

  const resumed = await takeOverOrphanedRuns(db, jobs, {
    staleBefore: new Date(now.getTime() - options.staleAfterMs),
  });
  return { expired, resumed };
}

/**
 * Queues executing runs whose owner is gone (`findOrphanedRuns`) for another worker, whose
 * claim takes them over. Cheap enough to run every second: a dead worker's lease locks are free
 * the moment PostgreSQL sees its connections close, so its runs continue within about that.
 */
export async function takeOverOrphanedRuns(
  db: PrismaClient,
  jobs: JobQueue,
  options: { staleBefore: Date },
): Promise<string[]> {
  const orphaned = await findOrphanedRuns(db, options.staleBefore);
  for (const id of orphaned) {
    await db.$transaction((tx) => jobs.send(tx, executeRunJob, { runId: id }));
  }
  return orphaned;
}
