import type { PrismaClient } from '../../db/prisma.js';
import { executeRunJob } from '../../jobs/execute-run.js';
import type { JobQueue } from '../../jobs/queue.js';
import { RUN_SIGNAL_CHANNEL } from './run-signals.js';
import { ACTIVE_RUN_STATUSES, EXECUTING_RUN_STATUSES } from './run-status.js';
import { endRun } from './store/run-endings.js';

export interface SweepResult {
  expired: string[];
  resumed: string[];
}

/**
 * Periodic upkeep, safe to run from every worker at once (each change is a compare-and-set):
 * - runs past `expires_at` in any active status (requires_action included) become `expired`,
 *   and their executing worker is told to stop;
 * - in-progress runs whose worker stopped heartbeating (it died) are queued for another worker.
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

  const stale = await db.run.findMany({
    where: {
      status: { in: [...EXECUTING_RUN_STATUSES] },
      leaseId: { not: null },
      heartbeatAt: { lt: new Date(now.getTime() - options.staleAfterMs) },
    },
    select: { id: true },
    take: 500,
  });
  for (const { id } of stale) {
    await db.$transaction((tx) => jobs.send(tx, executeRunJob, { runId: id }));
  }
  return { expired, resumed: stale.map(({ id }) => id) };
}
