import type { ServiceContext } from '../../context.js';
import type { RunEventRow } from '../../events/run-event-hub.js';
import { assertThreadExists } from '../threads/thread-lock.js';
import { isTerminal } from './run-status.js';
import { getRun } from './runs.js';

const TERMINAL_EVENTS = new Set([
  'thread.run.completed',
  'thread.run.incomplete',
  'thread.run.failed',
  'thread.run.cancelled',
  'thread.run.expired',
]);

/** Whether the event ends the run (its last event). */
export function isTerminalRunEvent(event: string): boolean {
  return TERMINAL_EVENTS.has(event);
}

/**
 * A run's events after `afterSeq` (0: from the start), catch-up then live, until the run ends
 * or `signal` aborts. Checked against the caller's project first.
 */
export async function followRun(
  ctx: ServiceContext,
  threadId: string,
  runId: string,
  afterSeq: number,
  signal: AbortSignal,
): Promise<AsyncGenerator<RunEventRow>> {
  const run = await getRun(ctx, threadId, runId, { select: { status: true, eventSeq: true } });
  const events = ctx.runEvents.follow(runId, afterSeq, signal);
  return (async function* () {
    if (isTerminal(run.status) && afterSeq >= run.eventSeq) {
      return;
    }
    for await (const row of events) {
      yield row;
      if (isTerminalRunEvent(row.event)) {
        return;
      }
    }
  })();
}

/** Events of every run on the thread from now on (an active run's from its start). */
export async function followThread(
  ctx: ServiceContext,
  threadId: string,
  signal: AbortSignal,
): Promise<AsyncGenerator<RunEventRow>> {
  await assertThreadExists(ctx, threadId);
  return ctx.runEvents.followThread(threadId, signal);
}
