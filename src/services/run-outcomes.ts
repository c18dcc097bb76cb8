import type { Db } from '../context.js';
import { toJson } from './json.js';
import type { RunStatus } from './run-status.js';
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

/**
 * Closes what a run left open when it ends abnormally: in-progress steps take the run's fate,
 * in-progress messages become `incomplete` with the matching reason.
 */
async function closeOpenItems(
  db: Db,
  runId: string,
  step: { status: 'cancelled' | 'failed' | 'expired'; lastError?: unknown },
  messageReason: MessageReason,
  now: Date,
): Promise<void> {
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
}

/**
 * Moves a run to a terminal status if it is still in a status that allows it (and, when given,
 * still owned by `leaseId`). Returns false when someone else got there first.
 */
export async function endRun(
  db: Db,
  runId: string,
  to: Exclude<RunStatus, 'queued' | 'in_progress' | 'requires_action' | 'cancelling'>,
  details: { lastError?: { code: string; message: string }; usage?: Usage | null; reason?: string },
  leaseId?: string,
): Promise<boolean> {
  const now = new Date();
  const { count } = await db.run.updateMany({
    where: { id: runId, status: { in: statusesBefore(to) }, ...(leaseId ? { leaseId } : {}) },
    data: {
      status: to,
      leaseId: null,
      ...(to === 'completed' ? { completedAt: now, expiresAt: null } : {}),
      ...(to === 'incomplete'
        ? {
            completedAt: now,
            expiresAt: null,
            incompleteDetails: toJson({ reason: details.reason }),
          }
        : {}),
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
  if (to === 'cancelled') {
    await closeOpenItems(db, runId, { status: 'cancelled' }, 'run_cancelled', now);
  } else if (to === 'failed') {
    await closeOpenItems(
      db,
      runId,
      { status: 'failed', lastError: details.lastError },
      'run_failed',
      now,
    );
  } else if (to === 'expired') {
    await closeOpenItems(db, runId, { status: 'expired' }, 'run_expired', now);
  }
  return true;
}
