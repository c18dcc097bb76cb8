import type { Db } from '../context.js';
import { Prisma } from '../generated/prisma/client.js';
import { RUN_EVENTS_CHANNEL, type RunEventName } from './run-events.js';

/** An event logged by a statement; its data is an SQL expression (jsonb). */
export interface EventSql {
  event: RunEventName;
  data: Prisma.Sql;
}

/** A JSON value from JavaScript as an event's data. */
export function jsonData(value: unknown): Prisma.Sql {
  return Prisma.sql`${JSON.stringify(value)}::jsonb`;
}

export interface RunWrite {
  /**
   * The UPDATE of the run's row, given the SET item that hands out the events' sequence numbers
   * (`event_seq = event_seq + n`), or the INSERT of the run (whose `event_seq` is `count`); it
   * must `RETURNING *`. It is the statement's gate: when it matches no row (the run is not in
   * the state the write expects), nothing is logged.
   */
  counter(bump: Prisma.Sql, count: number): Prisma.Sql;
  /**
   * Further CTEs (`name AS (…)`) of the statement. They run whatever happens, so each writes only
   * `FROM bumped` or `WHERE EXISTS (SELECT 1 FROM bumped)` to share the gate.
   */
  writes?: Prisma.Sql[];
  /**
   * The events, in order; their data may read the run's row as updated (`bumped`) and the CTEs
   * (`(SELECT … FROM message)`).
   */
  events: EventSql[];
}

/**
 * One statement that changes a run (and rows of it) and logs the events describing the change,
 * announced on COMMIT: the work of a transaction of several statements, in one round trip.
 * Returns the run's row as the counter's UPDATE left it (null: the gate matched nothing).
 */
export async function writeRun<Row = { event_seq: number }>(
  db: Db,
  write: RunWrite,
  /** What to return from `bumped` (Default: `event_seq`). */
  returning: Prisma.Sql = Prisma.sql`event_seq`,
): Promise<Row | null> {
  const count = write.events.length;
  const events = Prisma.join(
    write.events.map(
      (item, index) => Prisma.sql`(${index + 1}::int, ${item.event}::text, (${item.data})::jsonb)`,
    ),
  );
  const writes = write.writes ?? [];
  const [row] = await db.$queryRaw<Row[]>`
    WITH bumped AS (${write.counter(Prisma.sql`event_seq = event_seq + ${count}::int`, count)})
    ${writes.length > 0 ? Prisma.sql`, ${Prisma.join(writes)}` : Prisma.empty}
    , logged AS (
      INSERT INTO run_events (run_id, seq, project_id, thread_id, event, data)
      SELECT bumped.id, bumped.event_seq - ${count}::int + item.n, bumped.project_id,
             bumped.thread_id, item.event, item.data
        FROM bumped, LATERAL (VALUES ${events}) AS item(n, event, data)
    )
    SELECT ${returning},
           pg_notify(${RUN_EVENTS_CHANNEL}::text,
             bumped.id || ':' || bumped.event_seq::text || ':' || bumped.thread_id)::text AS notified
      FROM bumped`;
  return row ?? null;
}
