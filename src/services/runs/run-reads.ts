import type { ServiceContext } from '../../context.js';
import type { Db } from '../../db/db.js';
import { queryRaw } from '../../db/raw-sql.js';
import { Prisma } from '../../generated/prisma/client.js';
import { byId, distinct } from '../common/by-id.js';
import { childPagesById } from '../common/child-pages.js';
import type { PageInput } from '../common/pagination.js';
import { ACTIVE_RUN_STATUSES } from './run-status.js';

/**
 * Batch reads behind the graph's run and step relations: each answers every parent of one
 * level of a query in one or two statements, however many rows there are.
 */

export async function runsByIds(ctx: ServiceContext, ids: readonly string[]) {
  return byId(
    await ctx.db.run.findMany({
      where: { id: { in: distinct(ids) }, projectId: ctx.actor.projectId },
    }),
  );
}

export async function runStepsByIds(ctx: ServiceContext, ids: readonly string[]) {
  return byId(
    await ctx.db.runStep.findMany({
      where: { id: { in: distinct(ids) }, projectId: ctx.actor.projectId },
    }),
  );
}

/** A page of runs for each thread. */
export function runPagesOfThreads(
  ctx: ServiceContext,
  threadIds: readonly string[],
  page: PageInput | undefined,
) {
  return childPagesById(ctx, { table: 'runs', parentColumn: 'thread_id' }, threadIds, page, {
    byIds: runsByIds,
    parentOf: (run) => run.threadId,
  });
}

/** A page of steps for each run. */
export function stepPagesOfRuns(
  ctx: ServiceContext,
  runIds: readonly string[],
  page: PageInput | undefined,
) {
  return childPagesById(ctx, { table: 'run_steps', parentColumn: 'run_id' }, runIds, page, {
    byIds: runStepsByIds,
    parentOf: (step) => step.runId,
  });
}

/** Each thread's active run (queued through cancelling), if it has one: at most one does. */
export async function activeRunsOfThreads(ctx: ServiceContext, threadIds: readonly string[]) {
  const runs = await ctx.db.run.findMany({
    where: {
      threadId: { in: distinct(threadIds) },
      projectId: ctx.actor.projectId,
      status: { in: [...ACTIVE_RUN_STATUSES] },
    },
    orderBy: { seq: 'desc' },
  });
  const byThread = new Map<string, (typeof runs)[number]>();
  for (const run of runs) {
    if (!byThread.has(run.threadId)) {
      byThread.set(run.threadId, run);
    }
  }
  return byThread;
}

/** The ids of the run's messages and steps as they are now (one round trip). */
export async function listRunOutputIds(db: Db, runId: string): Promise<string[]> {
  const rows = await queryRaw<{ id: string }>(
    db,
    Prisma.sql`SELECT id FROM messages WHERE run_id = ${runId}
      UNION ALL SELECT id FROM run_steps WHERE run_id = ${runId}`,
  );
  return rows.map(({ id }) => id);
}
