import { type Db, isTransaction } from '../../../db/db.js';
import { queryRaw } from '../../../db/raw-sql.js';
import { RESPONSE_EVENTS_CHANNEL } from '../../../events/response-events.js';
import { Prisma, type ResponseEvent } from '../../../generated/prisma/client.js';

/** An event to log: OpenAI's type and its payload (without `sequence_number`). */
export interface ResponseEventData {
  type: string;
  [field: string]: unknown;
}

export interface ResponseWrite {
  /**
   * The UPDATE (or INSERT) of the response's row, given the SET item that hands out sequence
   * numbers; it must `RETURNING *`. It is the gate: no row, nothing logged.
   */
  counter(bump: Prisma.Sql, count: number): Prisma.Sql;
  /** Further CTEs writing `WHERE EXISTS (SELECT 1 FROM bumped)`, to share the gate. */
  writes?: Prisma.Sql[];
  events: ResponseEventData[];
}

export interface ResponseEventPublisher {
  publish(rows: ResponseEvent[]): void;
}

/**
 * One statement that changes a response (and its items) and logs the events describing the
 * change with the next sequence numbers, announced on COMMIT: the run store's `writeRun`
 * pattern over the response log, whose numbers start at 0 (OpenAI's `sequence_number`).
 * Returns the row's `event_seq` after the write (null: the gate matched nothing).
 */
export async function writeResponse(
  db: Db,
  write: ResponseWrite,
  options: {
    publisher?: ResponseEventPublisher;
    alsoNotify?: { channel: string; payload: string };
  } = {},
): Promise<{ eventSeq: number } | null> {
  const count = write.events.length;
  const values =
    count === 0
      ? Prisma.empty
      : Prisma.join(
          write.events.map(
            (event, index) =>
              Prisma.sql`(${index}::int, ${event.type}::text, ${JSON.stringify(event)}::jsonb)`,
          ),
        );
  const writes = write.writes ?? [];
  const publisher = options.publisher && !isTransaction(db) ? options.publisher : null;
  const notify = options.alsoNotify
    ? Prisma.sql`, pg_notify(${options.alsoNotify.channel}::text, ${options.alsoNotify.payload}::text)::text AS also`
    : Prisma.empty;
  const [row] = await queryRaw<{ eventSeq: number; logged: ResponseEvent[] | null }>(
    db,
    Prisma.sql`
    WITH bumped AS (${write.counter(Prisma.sql`event_seq = event_seq + ${count}::int`, count)})
    ${writes.length > 0 ? Prisma.sql`, ${Prisma.join(writes)}` : Prisma.empty}
    ${
      count > 0
        ? Prisma.sql`, logged AS (
      INSERT INTO response_events (response_id, seq, project_id, event, data, created_at)
      SELECT bumped.id, bumped.event_seq - ${count}::int + item.n, bumped.project_id, item.event,
             item.data, now() AT TIME ZONE 'UTC'
        FROM bumped, LATERAL (VALUES ${values}) AS item(n, event, data)
      RETURNING *
    )`
        : Prisma.empty
    }
    SELECT bumped.event_seq AS "eventSeq"
           ${
             publisher && count > 0
               ? Prisma.sql`, (SELECT json_agg(json_build_object('responseId', response_id, 'seq', seq,
                 'projectId', project_id, 'event', event, 'data', data,
                 'createdAt', to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY seq)
                 FROM logged) AS logged`
               : Prisma.sql`, NULL::json AS logged`
           }
           ${
             count > 0
               ? Prisma.sql`, pg_notify(${RESPONSE_EVENTS_CHANNEL}::text,
                 bumped.id || ':' || (bumped.event_seq - 1)::text)::text AS notified`
               : Prisma.empty
           }
           ${notify}
      FROM bumped`,
  );
  if (!row) {
    return null;
  }
  if (publisher && row.logged) {
    publisher.publish(
      row.logged.map((logged) => ({ ...logged, createdAt: new Date(logged.createdAt) })),
    );
  }
  return { eventSeq: row.eventSeq };
}
