import { type Db, inTransaction } from '../../db/db.js';
import { runSql } from '../../db/row-sql.js';
import { writeRun } from '../../events/run-event-sql.js';
import { Prisma } from '../../generated/prisma/client.js';
import { toJson } from '../common/json.js';
import { emitSnapshots } from './run-events-emit.js';
import { statusesBefore } from './run-status.js';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export function addUsage(a: Usage | null, b: Usage | null): Usage | null {
  if (!a) {
    return b;
  }
  if (!b) {
    return a;
  }
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

type MessageReason = 'run_cancelled' | 'run_expired' | 'run_failed';
type EndStatus = 'completed' | 'incomplete' | 'cancelled' | 'failed' | 'expired';

/**
 * Closes what a run left open when it ends abnormally: in-progress steps take the run's fate,
 * in-progress messages become `incomplete` with the matching reason. Returns their ids.
 */
async function closeOpenItems(
  db: Db,
  runId: string,
  step: { status: 'cancelled' | 'failed' | 'expired'; lastError?: unknown },
  messageReason: MessageReason,
  now: Date,
): Promise<{ stepIds: string[]; messageIds: string[] }> {
  const steps = await db.runStep.findMany({
    where: { runId, status: 'in_progress' },
    select: { id: true },
  });
  const messages = await db.message.findMany({
    where: { runId, status: 'in_progress' },
    select: { id: true },
  });
  await db.runStep.updateMany({
    where: { runId, status: 'in_progress' },
    data: {
      status: step.status,
      ...(step.status === 'cancelled' ? { cancelledAt: now } : {}),
      ...(step.status === 'failed' ? { failedAt: now, lastError: toJson(step.lastError) } : {}),
      ...(step.status === 'expired' ? { expiredAt: now } : {}),
    },
  });
  await db.message.updateMany({
    where: { runId, status: 'in_progress' },
    data: {
      status: 'incomplete',
      incompleteAt: now,
      incompleteDetails: toJson({ reason: messageReason }),
    },
  });
  return { stepIds: steps.map(({ id }) => id), messageIds: messages.map(({ id }) => id) };
}

const CLOSING: Partial<
  Record<EndStatus, { step: 'cancelled' | 'failed' | 'expired'; reason: MessageReason }>
> = {
  cancelled: { step: 'cancelled', reason: 'run_cancelled' },
  failed: { step: 'failed', reason: 'run_failed' },
  expired: { step: 'expired', reason: 'run_expired' },
};

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

/** The SET items of the run row's UPDATE that ends it as `end` says. */
export function cleanEndSql(end: CleanEnd, now: Date): Prisma.Sql {
  const sets = [
    Prisma.sql`status = ${end.to}`,
    Prisma.sql`lease_id = NULL`,
    Prisma.sql`completed_at = ${now}::timestamp(3)`,
    Prisma.sql`expires_at = NULL`,
  ];
  if (end.to === 'incomplete') {
    sets.push(
      Prisma.sql`incomplete_details = ${JSON.stringify({ reason: end.details.reason })}::jsonb`,
    );
  }
  if (end.details.usage !== undefined && end.details.usage !== null) {
    sets.push(Prisma.sql`usage = ${JSON.stringify(end.details.usage)}::jsonb`);
  }
  return Prisma.join(sets);
}

/**
 * A run that ends completed or incomplete has nothing left open (its message and step were
 * closed as they ended): one statement moves it and logs its event. This is every run's last
 * write, so it is worth the raw SQL.
 */
async function endCleanly(db: Db, runId: string, end: CleanEnd, leaseId?: string) {
  const ended = await writeRun(db, {
    counter: (bump) => Prisma.sql`
      UPDATE runs SET ${cleanEndSql(end, new Date())}, ${bump}
       WHERE id = ${runId} AND status IN (${Prisma.join(statusesBefore(end.to))})
             ${leaseId ? Prisma.sql`AND lease_id = ${leaseId}` : Prisma.empty}
      RETURNING *`,
    events: [{ event: `thread.run.${end.to}`, data: runSql.snapshot('bumped') }],
  });
  return ended !== null;
}

/**
 * Moves a run to a terminal status if it is still in a status that allows it (and, when given,
 * still owned by `leaseId`), closes what it left open, and logs the events (messages, then
 * steps, then the run) in the same transaction. Returns false when someone else got there first.
 */
export async function endRun(
  db: Db,
  runId: string,
  to: EndStatus,
  details: EndDetails,
  leaseId?: string,
): Promise<boolean> {
  if (to === 'completed' || to === 'incomplete') {
    return endCleanly(db, runId, { to, details }, leaseId);
  }
  return inTransaction(db, async (tx) => {
    const now = new Date();
    const { count } = await tx.run.updateMany({
      where: { id: runId, status: { in: statusesBefore(to) }, ...(leaseId ? { leaseId } : {}) },
      data: {
        status: to,
        leaseId: null,
        ...(to === 'cancelled' ? { cancelledAt: now, expiresAt: null } : {}),
        ...(to === 'failed'
          ? { failedAt: now, expiresAt: null, lastError: toJson(details.lastError) }
          : {}),
        ...(details.usage !== undefined && details.usage !== null
          ? { usage: toJson(details.usage) }
          : {}),
      },
    });
    if (count === 0) {
      return false;
    }
    const run = await tx.run.findUniqueOrThrow({
      where: { id: runId },
      select: { id: true, projectId: true, threadId: true },
    });
    const closing = CLOSING[to];
    const closed = closing
      ? await closeOpenItems(
          tx,
          runId,
          { status: closing.step, lastError: details.lastError },
          closing.reason,
          now,
        )
      : { stepIds: [], messageIds: [] };
    await emitSnapshots(tx, run, [
      ...closed.messageIds.map((id) => ({
        event: 'thread.message.incomplete' as const,
        kind: 'message' as const,
        id,
      })),
      ...closed.stepIds.map((id) => ({
        event: `thread.run.step.${closing?.step ?? 'failed'}` as const,
        kind: 'step' as const,
        id,
      })),
      { event: `thread.run.${to}` as const, kind: 'run' as const, id: runId },
    ]);
    return true;
  });
}
