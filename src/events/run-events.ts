import type { Db } from '../context.js';
import type { Prisma } from '../generated/prisma/client.js';

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

/**
 * Appends events to a run's log in the caller's transaction and announces them. The run row's
 * counter hands out sequence numbers under its row lock, so concurrent writers interleave
 * cleanly; the NOTIFY is delivered on COMMIT, never for events a rollback removed.
 */
export async function appendRunEvents(
  db: Db,
  run: { id: string; projectId: string; threadId: string },
  events: RunEventInput[],
): Promise<number | null> {
  if (events.length === 0) {
    return null;
  }
  const [row] = await db.$queryRaw<{ event_seq: number }[]>`
    UPDATE runs SET event_seq = event_seq + ${events.length} WHERE id = ${run.id}
    RETURNING event_seq`;
  if (!row) {
    return null;
  }
  const last = row.event_seq;
  const first = last - events.length + 1;
  await db.runEvent.createMany({
    data: events.map((item, index) => ({
      runId: run.id,
      seq: first + index,
      projectId: run.projectId,
      threadId: run.threadId,
      event: item.event,
      data: item.data as Prisma.InputJsonValue,
    })),
  });
  await db.$executeRaw`SELECT pg_notify(${RUN_EVENTS_CHANNEL}, ${`${run.id}:${last}:${run.threadId}`})`;
  return last;
}

/** Events of a run after `afterSeq`, in order. */
export function readRunEvents(db: Db, runId: string, afterSeq: number, limit = 500) {
  return db.runEvent.findMany({
    where: { runId, seq: { gt: afterSeq } },
    orderBy: { seq: 'asc' },
    take: limit,
  });
}
