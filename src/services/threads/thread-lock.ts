import type { ServiceContext } from '../../context.js';
import { queryRaw } from '../../db/raw-sql.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { Prisma } from '../../generated/prisma/client.js';
import { namesNothing } from '../common/validation.js';
import { ACTIVE_RUN_STATUSES } from '../runs/run-status.js';

/** 404s unless the thread exists in the caller's project; `param` names the field it blames. */
export async function assertThreadExists(
  ctx: ServiceContext,
  threadId: string,
  param: string | null = null,
): Promise<void> {
  // Raw SQL: every message and run route asks this first; Prisma's query compiler costs more
  // CPU than the statement.
  const [thread] = namesNothing(threadId)
    ? []
    : await queryRaw<{ id: string }>(
        ctx.db,
        Prisma.sql`SELECT id FROM threads WHERE id = ${threadId} AND project_id = ${ctx.actor.projectId}`,
      );
  if (!thread) {
    throw new NotFoundError(`No thread found with id '${threadId}'.`, { param });
  }
}

/**
 * Takes the thread's lock for the current transaction (a row lock), so concurrent "create run"
 * and "add message" commands on one thread serialize and the one-active-run rule holds.
 *
 * `FOR NO KEY UPDATE`, not `FOR UPDATE`: it excludes the other lockers all the same, but not the
 * key-share lock a foreign key check takes. A worker's statement locks its run's row and then
 * inserts the answer's message, whose foreign key check share-locks the thread; a cancel locks
 * the thread and then updates the run. With `FOR UPDATE` the two deadlocked, and PostgreSQL
 * aborted one of them: the cancel failed with a 500 now and then under load.
 */
export async function lockThread(ctx: ServiceContext, threadId: string): Promise<void> {
  const rows = await ctx.db.$queryRaw<{ id: string }[]>`
    SELECT id FROM threads WHERE id = ${threadId} AND project_id = ${ctx.actor.projectId} FOR NO KEY UPDATE`;
  if (rows.length === 0) {
    throw new NotFoundError(`No thread found with id '${threadId}'.`);
  }
}

/**
 * The thread's active run, if any. Raw SQL: it is on the path of every run and message created.
 * Not merged into lockThread's statement: a subquery there reads before the lock is granted, so
 * it could miss the run of the transaction it waited for.
 */
export async function findActiveRun(
  ctx: ServiceContext,
  threadId: string,
): Promise<{ id: string } | null> {
  const [active] = await ctx.db.$queryRaw<{ id: string }[]>`
    SELECT id FROM runs
     WHERE thread_id = ${threadId} AND status IN (${Prisma.join([...ACTIVE_RUN_STATUSES])})
     LIMIT 1`;
  return active ?? null;
}

/** Locks the thread and refuses new messages while a run is active (OpenAI's wording). */
export async function lockThreadForMessages(ctx: ServiceContext, threadId: string): Promise<void> {
  await lockThread(ctx, threadId);
  const active = await findActiveRun(ctx, threadId);
  if (active) {
    throw new ConflictError(
      `Can't add messages to ${threadId} while a run ${active.id} is active.`,
    );
  }
}
