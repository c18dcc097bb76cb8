import type { ServiceContext } from '../../context.js';
import type { RunEventRow } from '../../events/run-event-hub.js';
import { assertThreadExists } from '../threads/thread-lock.js';
import { listRunOutputIds } from './run-reads.js';
import { isTerminal, isTerminalRunEvent } from './run-status.js';
import { getRun } from './runs.js';

/**
 * A stream its consumer can end at once. An async generator's `return()` waits until the
 * generator next yields, so a closed subscription on a quiet run would keep its follower (and
 * its re-reads) alive until the run's next event; here `return()` also aborts the wait.
 */
export function endable<T>(start: (signal: AbortSignal) => AsyncGenerator<T>): AsyncGenerator<T> {
  const controller = new AbortController();
  const inner = start(controller.signal);
  const stream: AsyncGenerator<T> = {
    next: () => inner.next(),
    return(value) {
      controller.abort();
      return inner.return(value);
    },
    throw(error) {
      controller.abort();
      return inner.throw(error);
    },
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}

/**
 * A run's events after `afterSeq` (0: from the start), catch-up then live, until the run ends
 * or the consumer stops (`return()`). Checked against the caller's project first.
 */
export async function followRun(
  ctx: ServiceContext,
  threadId: string,
  runId: string,
  afterSeq: number,
): Promise<AsyncGenerator<RunEventRow>> {
  // The whole row: it is read by raw SQL, a selection of two fields through Prisma's query
  // compiler cost more (every stream opens with this read).
  const run = await getRun(ctx, threadId, runId);
  return endable(async function* (signal) {
    if (isTerminal(run.status) && afterSeq >= run.eventSeq) {
      return;
    }
    // A queued run (every stream opened with the run) has no output yet, so nothing to skip.
    const skip =
      run.status === 'queued' ? null : await goneOutputs(ctx, runId, afterSeq, run.eventSeq);
    for await (const row of ctx.runEvents.follow(runId, afterSeq, signal)) {
      if (!skip?.(row)) {
        yield row;
      }
      if (isTerminalRunEvent(row.event)) {
        return;
      }
    }
  });
}

/**
 * Which logged events of the run a replay leaves out, so that it shows what the API shows: the
 * events of a message or step that is gone (dropped when the run was taken over, or a deleted
 * message), when the caller never saw it created (its `created` event is after `afterSeq`).
 * One the caller saw created keeps its later events: their `incomplete`/`failed` tell it so.
 * Only rows logged before the replay began (up to `loggedUpTo`) can be about something gone.
 */
async function goneOutputs(
  ctx: ServiceContext,
  runId: string,
  afterSeq: number,
  loggedUpTo: number,
): Promise<(row: RunEventRow) => boolean> {
  const existing = new Set(await listRunOutputIds(ctx.db, runId));
  const hidden = new Set<string>();
  const seen = new Set<string>();
  return (row) => {
    if (row.seq > loggedUpTo || !OUTPUT_EVENT.test(row.event)) {
      return false;
    }
    const id = (row.data as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || existing.has(id)) {
      return false;
    }
    if (!seen.has(id)) {
      seen.add(id);
      if (row.event.endsWith('.created') && row.seq > afterSeq) {
        hidden.add(id);
      }
    }
    return hidden.has(id);
  };
}

const OUTPUT_EVENT = /^thread\.(message|run\.step)\./;

/**
 * Events of every run on the thread from now on (an active run's from its start), until the
 * consumer stops.
 */
export async function followThread(
  ctx: ServiceContext,
  threadId: string,
): Promise<AsyncGenerator<RunEventRow>> {
  await assertThreadExists(ctx, threadId);
  return endable((signal) => ctx.runEvents.followThread(threadId, signal));
}
