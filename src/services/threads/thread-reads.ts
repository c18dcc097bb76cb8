import type { ServiceContext } from '../../context.js';
import { byId, distinct } from '../common/by-id.js';
import { childPagesById } from '../common/child-pages.js';
import type { PageInput } from '../common/pagination.js';

/**
 * Batch reads behind the graph's thread and message relations: each answers every parent of
 * one level of a query in one or two statements, however many rows there are.
 */

export async function threadsByIds(ctx: ServiceContext, ids: readonly string[]) {
  return byId(
    await ctx.db.thread.findMany({
      where: { id: { in: distinct(ids) }, projectId: ctx.actor.projectId },
    }),
  );
}

export async function messagesByIds(ctx: ServiceContext, ids: readonly string[]) {
  return byId(
    await ctx.db.message.findMany({
      where: { id: { in: distinct(ids) }, projectId: ctx.actor.projectId },
    }),
  );
}

/** A page of messages for each thread, or (`of: 'run'`) of the messages each run wrote. */
export function messagePages(
  ctx: ServiceContext,
  of: 'thread' | 'run',
  parents: readonly string[],
  page: PageInput | undefined,
) {
  return childPagesById(ctx, { table: 'messages', parentColumn: `${of}_id` }, parents, page, {
    byIds: messagesByIds,
    parentOf: (message) => (of === 'thread' ? message.threadId : message.runId),
  });
}
