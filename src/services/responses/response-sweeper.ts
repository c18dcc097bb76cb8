import type { PrismaClient } from '../../db/prisma.js';
import { executeResponseJob } from '../../jobs/execute-response.js';
import type { JobQueue } from '../../jobs/queue.js';
import { responseItems } from './response-history.js';
import { responseObject } from './response-object.js';
import { findOrphanedResponses } from './store/response-ownership.js';
import { expireResponseRow } from './store/response-writes.js';

export interface ResponseSweepResult {
  expired: string[];
  resumed: string[];
}

/** What an expired response's `error` says (OpenAI's codes have none for a timeout). */
export const EXPIRED_RESPONSE_ERROR = {
  code: 'server_error',
  message: 'The response did not finish before it expired, and was stopped.',
} as const;

/**
 * Periodic upkeep of responses, as `sweepRuns` is for runs, safe from every worker at once (each
 * change is a compare-and-set):
 * - responses past `expires_at` that have not ended become `failed` (`server_error`), their
 *   stream ends with `response.failed`, and their executing worker is told to stop;
 * - in-progress responses whose owner is gone are queued for another worker.
 */
export async function sweepResponses(
  db: PrismaClient,
  jobs: JobQueue,
  options: { staleAfterMs: number; now?: Date },
): Promise<ResponseSweepResult> {
  const now = options.now ?? new Date();
  const due = await db.response.findMany({
    where: { status: { in: ['queued', 'in_progress'] }, expiresAt: { lt: now } },
    take: 500,
  });
  const expired: string[] = [];
  for (const row of due) {
    // The snapshot shows the output written so far; the write is skipped if more came since.
    const output = await responseItems(db, row.id, 'output');
    const failed = { ...row, status: 'failed', error: EXPIRED_RESPONSE_ERROR };
    const ended = await expireResponseRow(db, row.id, {
      eventSeq: row.eventSeq,
      error: EXPIRED_RESPONSE_ERROR,
      event: { type: 'response.failed', response: responseObject(failed, output) },
    });
    if (ended) {
      expired.push(row.id);
    }
  }
  const resumed = await takeOverOrphanedResponses(db, jobs, {
    staleBefore: new Date(now.getTime() - options.staleAfterMs),
  });
  return { expired, resumed };
}

/**
 * Queues in-progress responses whose owner is gone for another worker, whose claim takes them
 * over. Cheap enough to run every second (`RUN_TAKEOVER_CHECK_MS`): a dead worker's lease locks
 * are free the moment PostgreSQL sees its connections close.
 */
export async function takeOverOrphanedResponses(
  db: PrismaClient,
  jobs: JobQueue,
  options: { staleBefore: Date },
): Promise<string[]> {
  const orphaned = await findOrphanedResponses(db, options.staleBefore);
  for (const id of orphaned) {
    await db.$transaction((tx) => jobs.send(tx, executeResponseJob, { responseId: id }));
  }
  return orphaned;
}
