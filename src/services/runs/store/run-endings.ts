import { type Db, inTransaction } from '../../../db/db.js';
import { queryRaw } from '../../../db/raw-sql.js';
import { messageSql, runSql, runStepSql } from '../../../db/row-sql.js';
import { Prisma } from '../../../generated/prisma/client.js';
import type { Usage } from '../usage.js';
import { type EventSql, jsonData, type WriteRunOptions, writeRun } from './run-statement.js';
import { moveTo } from './status-sql.js';

export type EndStatus = 'completed' | 'incomplete' | 'cancelled' | 'failed' | 'expired';

export interface EndDetails {
  lastError?: { code: string; message: string };
  usage?: Usage | null;
  reason?: string;
}

/** How a run that ends completed or incomplete ends: nothing of it is left open. */
export interface CleanEnd {
  to: 'completed' | 'incomplete';
  details: EndDetails;
}

/** The SET items of the run row's UPDATE that ends it: its status move and the details. */
export function endSql(to: EndStatus, details: EndDetails, now: Date): Prisma.Sql {
  const sets = [moveTo(to, now).set];
  if (to === 'incomplete') {
    sets.push(Prisma.sql`incomplete_details = ${jsonData({ reason: details.reason })}`);
  }
  if (to === 'failed') {
    sets.push(Prisma.sql`last_error = ${lastErrorSql(details)}`);
  }
  if (details.usage !== undefined && details.usage !== null) {
    sets.push(Prisma.sql`usage = ${jsonData(details.usage)}`);
  }
  return Prisma.join(sets);
}

function lastErrorSql(details: EndDetails): Prisma.Sql {
  return details.lastError ? jsonData(details.lastError) : Prisma.sql`NULL::jsonb`;
}

/** The gate of an ending: a status it may end from, and (when given) still `leaseId`'s. */
function endGate(runId: string, to: EndStatus, leaseId?: string): Prisma.Sql {
  return Prisma.sql`id = ${runId} AND ${moveTo(to, new Date()).allowed}
    ${leaseId ? Prisma.sql`AND lease_id = ${leaseId}` : Prisma.empty}`;
}

type MessageReason = 'run_cancelled' | 'run_expired' | 'run_failed';

/** What an abnormal ending does to the steps and messages the run left in progress. */
const CLOSING: Record<
  'cancelled' | 'failed' | 'expired',
  { step: 'cancelled' | 'failed' | 'expired'; at: string; reason: MessageReason }
> = {
  cancelled: { step: 'cancelled', at: 'cancelled_at', reason: 'run_cancelled' },
  failed: { step: 'failed', at: 'failed_at', reason: 'run_failed' },
  expired: { step: 'expired', at: 'expired_at', reason: 'run_expired' },
};

export interface EndOptions {
  /** Only while this execution owns the run. */
  leaseId?: string;
  /** Further NOTIFYs sent on COMMIT (the run signal, so its worker stops). */
  alsoNotify?: WriteRunOptions['alsoNotify'];
}

/**
 * Moves a run to a terminal status if it is still in a status that allows it (and, when given,
 * still owned by `options.leaseId`), closes what it left open (in-progress steps take the run's
 * fate, in-progress messages become `incomplete`), and logs the events (messages, then steps,
 * then the run). Returns false when someone else got there first.
 */
export async function endRun(
  db: Db,
  runId: string,
  to: EndStatus,
  details: EndDetails,
  options: EndOptions = {},
): Promise<boolean> {
  const now = new Date();
  const counter = (bump: Prisma.Sql) => Prisma.sql`
    UPDATE runs SET ${endSql(to, details, now)}, ${bump}
     WHERE ${endGate(runId, to, options.leaseId)}
    RETURNING *`;
  const runEvent: EventSql = { event: `thread.run.${to}`, data: runSql.snapshot('bumped') };
  if (to === 'completed' || to === 'incomplete') {
    // Its message and step were closed as they ended: one statement, every run's last write.
    const ended = await writeRun(
      db,
      { counter, events: [runEvent] },
      { alsoNotify: options.alsoNotify },
    );
    return ended !== null;
  }
  const closing = CLOSING[to];
  return inTransaction(db, async (tx) => {
    // The run's row lock first: every write of its output takes it too, so nothing of the run
    // opens or closes between the look at what is open and the statement closing it.
    const open = await queryRaw<{ kind: 'step' | 'message'; id: string }>(
      tx,
      Prisma.sql`
      WITH locked AS (SELECT id FROM runs WHERE id = ${runId} FOR NO KEY UPDATE)
      SELECT 'message' AS kind, m.id, m.seq FROM messages m, locked
       WHERE m.run_id = locked.id AND m.status = 'in_progress'
      UNION ALL
      SELECT 'step' AS kind, s.id, s.seq FROM run_steps s, locked
       WHERE s.run_id = locked.id AND s.status = 'in_progress'
      ORDER BY kind, seq`,
    );
    const at = Prisma.raw(closing.at);
    const ended = await writeRun(
      tx,
      {
        counter,
        writes: [
          Prisma.sql`closed_steps AS (
            UPDATE run_steps
               SET status = ${closing.step}, ${at} = ${now}::timestamp(3)
                   ${to === 'failed' ? Prisma.sql`, last_error = ${lastErrorSql(details)}` : Prisma.empty}
             WHERE run_id = ${runId} AND status = 'in_progress' AND EXISTS (SELECT 1 FROM bumped)
            RETURNING *)`,
          Prisma.sql`closed_messages AS (
            UPDATE messages
               SET status = 'incomplete', incomplete_at = ${now}::timestamp(3),
                   incomplete_details = ${jsonData({ reason: closing.reason })}
             WHERE run_id = ${runId} AND status = 'in_progress' AND EXISTS (SELECT 1 FROM bumped)
            RETURNING *)`,
        ],
        events: [
          ...open
            .filter(({ kind }) => kind === 'message')
            .map(
              ({ id }): EventSql => ({
                event: 'thread.message.incomplete',
                data: Prisma.sql`(SELECT ${messageSql.snapshot('m')} FROM closed_messages m WHERE m.id = ${id})`,
              }),
            ),
          ...open
            .filter(({ kind }) => kind === 'step')
            .map(
              ({ id }): EventSql => ({
                event: `thread.run.step.${closing.step}`,
                data: Prisma.sql`(SELECT ${runStepSql.snapshot('s')} FROM closed_steps s WHERE s.id = ${id})`,
              }),
            ),
          runEvent,
        ],
      },
      { alsoNotify: options.alsoNotify },
    );
    return ended !== null;
  });
}
