import type { Db } from '../db/db.js';
import { queryRaw } from '../db/raw-sql.js';
import { Prisma, type RunEvent } from '../generated/prisma/client.js';

/** NOTIFY channel announcing new run events; the payload is `<runId>:<last seq>:<threadId>`. */
export const RUN_EVENTS_CHANNEL = 'assistants_run_events';

/** OpenAI's stream event names (CONTRACT.md §6.3), minus `done`, which ends a stream. */
export type RunEventName =
  | 'thread.created'
  | 'thread.run.created'
  | 'thread.run.queued'
  | 'thread.run.in_progress'
  | 'thread.run.requires_action'
  | 'thread.run.completed'
  | 'thread.run.incomplete'
  | 'thread.run.failed'
  | 'thread.run.cancelling'
  | 'thread.run.cancelled'
  | 'thread.run.expired'
  | 'thread.run.step.created'
  | 'thread.run.step.in_progress'
  | 'thread.run.step.delta'
  | 'thread.run.step.completed'
  | 'thread.run.step.failed'
  | 'thread.run.step.cancelled'
  | 'thread.run.step.expired'
  | 'thread.message.created'
  | 'thread.message.in_progress'
  | 'thread.message.delta'
  | 'thread.message.completed'
  | 'thread.message.incomplete';

/** Events of a run after `afterSeq`, in order (raw SQL: every live stream reads here). */
export function readRunEvents(
  db: Db,
  runId: string,
  afterSeq: number,
  limit = 500,
): Promise<RunEvent[]> {
  return queryRaw<RunEvent>(
    db,
    Prisma.sql`
    SELECT run_id AS "runId", seq, project_id AS "projectId", thread_id AS "threadId", event,
           data, created_at AS "createdAt"
      FROM run_events
     WHERE run_id = ${runId} AND seq > ${afterSeq}::int
     ORDER BY seq
     LIMIT ${limit}::int`,
  );
}
