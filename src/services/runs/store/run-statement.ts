import { type Db, isTransaction } from '../../../db/db.js';
import { queryRaw } from '../../../db/raw-sql.js';
import { RUN_EVENTS_CHANNEL, type RunEventName } from '../../../events/run-events.js';
import { Prisma, type RunEvent } from '../../../generated/prisma/client.js';
import { runDuration, runsTotal } from '../../../observability/metrics.js';
import { withSpan } from '../../../observability/tracing.js';

/** The run a write is about. */
export interface RunRef {
  id: string;
  projectId: string;
  threadId: string;
}

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
   * CTEs (`name AS (…)`) before the counter, the last named `gate` and always of one row, which
   * the counter reads to decide. The statement then returns gate's columns (name them apart from
   * the run's) even when the counter matched nothing, the run's columns null then.
   */
  gate?: Prisma.Sql[];
  /**
   * The events, in order; their data may read the run's row as updated (`bumped`) and the CTEs
   * (`(SELECT … FROM message)`). None: the write is logged nowhere and announced to no one.
   */
  events: EventSql[];
}

/** Where rows committed by this process go at once: the run event hub's `publish`. */
export interface RunEventPublisher {
  publish(rows: RunEvent[]): void;
}

export interface WriteRunOptions {
  /** What to return from `bumped` (Default: `event_seq`). */
  returning?: Prisma.Sql;
  /**
   * Hands the logged rows to this process's followers once committed: only a statement outside
   * any transaction is committed when it returns, so inside one this is ignored (the NOTIFY on
   * COMMIT tells everyone).
   */
  publisher?: RunEventPublisher;
  /** Further NOTIFYs the statement sends (delivered on COMMIT, like its own). */
  alsoNotify?: { channel: string; payload: string }[];
}

/**
 * One statement that changes a run (and rows of it) and logs the events describing the change,
 * announced on COMMIT: the work of a transaction of several statements, in one round trip.
 * Returns the run's row as the counter's UPDATE left it (null: the gate matched nothing).
 */
export function writeRun<Row = { event_seq: number }>(
  db: Db,
  write: RunWrite,
  options: WriteRunOptions = {},
): Promise<Row | null> {
  const attributes = {
    'db.system.name': 'postgresql',
    'assistants.run.events': write.events.map((item) => item.event),
  };
  return withSpan('db.run.write', { attributes }, () => writeRunStatement<Row>(db, write, options));
}

/** A run's terminal status from the event a write logs for it (`thread.run.completed`…). */
const TERMINAL_EVENTS = new Map(
  ['completed', 'incomplete', 'cancelled', 'failed', 'expired'].map((status) => [
    `thread.run.${status}`,
    status,
  ]),
);

async function writeRunStatement<Row>(
  db: Db,
  write: RunWrite,
  options: WriteRunOptions,
): Promise<Row | null> {
  const count = write.events.length;
  const ended = write.events.map((item) => TERMINAL_EVENTS.get(item.event)).find(Boolean);
  const events =
    count === 0
      ? Prisma.empty
      : Prisma.join(
          write.events.map(
            (item, index) =>
              Prisma.sql`(${index + 1}::int, ${item.event}::text, (${item.data})::jsonb)`,
          ),
        );
  const writes = write.writes ?? [];
  const publisher = options.publisher && !isTransaction(db) ? options.publisher : null;
  const gate = write.gate ?? [];
  const gated = gate.length > 0;
  // Behind a gate the row may come without a run: then nothing is announced.
  const whenWritten = (notify: Prisma.Sql) =>
    gated ? Prisma.sql`CASE WHEN bumped.id IS NOT NULL THEN ${notify} END` : notify;
  const extraNotifies = options.alsoNotify ?? [];
  const alsoNotify =
    extraNotifies.length === 0
      ? Prisma.empty
      : Prisma.sql`, ${Prisma.join(
          extraNotifies.map(
            ({ channel, payload }, index) =>
              Prisma.sql`${whenWritten(Prisma.sql`pg_notify(${channel}::text, ${payload}::text)::text`)} AS ${Prisma.raw(`"notified_${index}"`)}`,
          ),
        )}`;
  // Without events there is nothing to log or announce: the counter alone is the gate.
  const logs = count > 0;
  const [row] = await queryRaw<Row & { logged?: RunEvent[] | null; observed_created_at?: Date }>(
    db,
    Prisma.sql`
    WITH ${gated ? Prisma.sql`${Prisma.join(gate)},` : Prisma.empty}
    bumped AS (${write.counter(Prisma.sql`event_seq = event_seq + ${count}::int`, count)})
    ${writes.length > 0 ? Prisma.sql`, ${Prisma.join(writes)}` : Prisma.empty}
    ${
      logs
        ? Prisma.sql`, logged AS (
      INSERT INTO run_events (run_id, seq, project_id, thread_id, event, data, created_at)
      SELECT bumped.id, bumped.event_seq - ${count}::int + item.n, bumped.project_id,
             bumped.thread_id, item.event, item.data, now() AT TIME ZONE 'UTC'
        FROM bumped, LATERAL (VALUES ${events}) AS item(n, event, data)
      RETURNING *
    )`
        : Prisma.empty
    }
    SELECT ${gated ? Prisma.sql`gate.*,` : Prisma.empty} ${options.returning ?? Prisma.sql`event_seq`}
           ${ended ? Prisma.sql`, bumped.created_at AS observed_created_at` : Prisma.empty}
           ${publisher && logs ? Prisma.sql`, (SELECT ${LOGGED_ROWS} FROM logged) AS logged` : Prisma.empty}
           ${alsoNotify}
           ${
             logs
               ? Prisma.sql`, ${whenWritten(Prisma.sql`pg_notify(${RUN_EVENTS_CHANNEL}::text,
             bumped.id || ':' || bumped.event_seq::text || ':' || bumped.thread_id)::text`)} AS notified`
               : Prisma.empty
           }
      FROM ${gated ? Prisma.sql`gate LEFT JOIN bumped ON true` : Prisma.sql`bumped`}`,
  );
  if (!row) {
    return null;
  }
  if (ended && row.observed_created_at) {
    // Counted when the statement ran: one inside a transaction that then rolls back is counted
    // all the same (rare: that transaction's other statements already succeeded).
    runsTotal.inc({ status: ended });
    runDuration.observe({ status: ended }, (Date.now() - row.observed_created_at.getTime()) / 1000);
  }
  if (publisher && row.logged) {
    publisher.publish(
      row.logged.map((logged) => ({ ...logged, createdAt: new Date(logged.createdAt) })),
    );
  }
  // What the statement returns for its own sake (rows handed over, NOTIFYs' void) is not the row.
  const result: Record<string, unknown> = { ...row };
  for (const key of Object.keys(result)) {
    if (
      key === 'logged' ||
      key === 'notified' ||
      key === 'observed_created_at' ||
      key.startsWith('notified_')
    ) {
      delete result[key];
    }
  }
  return result as Row;
}

/** The logged rows as a JSON array of RunEvent objects (dates as ISO strings), in order. */
const LOGGED_ROWS = Prisma.raw(`json_agg(json_build_object(
  'runId', run_id, 'seq', seq, 'projectId', project_id, 'threadId', thread_id, 'event', event,
  'data', data, 'createdAt', to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY seq)`);
