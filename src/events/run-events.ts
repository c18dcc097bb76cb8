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

export interface RunEventInput {
  event: RunEventName;
  data: unknown;
}

/**
 * A row as JSON for the log: dates as ISO strings, BigInt sequence columns dropped (they are
 * internal ordering, never shown).
 */
export function snapshot(row: object): Prisma.InputJsonValue {
  return JSON.parse(
    JSON.stringify(row, (key, value: unknown) =>
      typeof value === 'bigint' || key === 'seq' ? undefined : value,
    ),
  ) as Prisma.InputJsonValue;
}

/** `pg_notify` of the run-events channel for `runId` at `lastSeq` (an SQL expression). */
export function notifyRunEventsSql(
  run: { id: string; threadId: string },
  lastSeq: Prisma.Sql,
): Prisma.Sql {
  // Explicit casts: untyped parameters inside `||` make PostgreSQL guess (and fail).
  return Prisma.sql`pg_notify(${RUN_EVENTS_CHANNEL}::text, ${run.id}::text || ':' || (${lastSeq})::text || ':' || ${run.threadId}::text)::text`;
}

/**
 * Appends events to a run's log in the caller's transaction and announces them, in one
 * statement: the run row's counter hands out sequence numbers under its row lock, so concurrent
 * writers interleave cleanly; the NOTIFY is delivered on COMMIT, never for events a rollback
 * removed. Returns the last sequence number, or null when the run does not exist.
 */
export async function appendRunEvents(
  db: Db,
  run: { id: string; projectId: string; threadId: string },
  events: RunEventInput[],
): Promise<number | null> {
  if (events.length === 0) {
    return null;
  }
  const items = JSON.stringify(events.map(({ event, data }) => ({ event, data })));
  const [row] = await db.$queryRaw<{ last: number }[]>`
    WITH bumped AS (
      UPDATE runs SET event_seq = event_seq + ${events.length}::int WHERE id = ${run.id}
      RETURNING event_seq
    ), logged AS (
      INSERT INTO run_events (run_id, seq, project_id, thread_id, event, data, created_at)
      SELECT ${run.id}, bumped.event_seq - ${events.length}::int + item.ordinality::int,
             ${run.projectId}, ${run.threadId}, item.value->>'event', item.value->'data',
             now() AT TIME ZONE 'UTC'
        FROM bumped, jsonb_array_elements(${items}::jsonb) WITH ORDINALITY AS item(value, ordinality)
    )
    SELECT event_seq AS last, ${notifyRunEventsSql(run, Prisma.sql`event_seq`)} AS notified
      FROM bumped`;
  return row?.last ?? null;
}

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
