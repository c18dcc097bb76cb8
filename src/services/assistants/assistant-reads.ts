import type { ServiceContext } from '../../context.js';
import { byId, distinct } from '../common/by-id.js';

/** Assistants by id in one statement (a run's or a message's assistant, a level at a time). */
export async function assistantsByIds(ctx: ServiceContext, ids: readonly string[]) {
  return byId(
    await ctx.db.assistant.findMany({
      where: { id: { in: distinct(ids) }, projectId: ctx.actor.projectId },
    }),
  );
}
