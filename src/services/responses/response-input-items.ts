import type { ServiceContext } from '../../context.js';
import { NotFoundError } from '../../errors.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../common/page-sizes.js';
import { namesNothing } from '../common/validation.js';
import { responseItems } from './response-history.js';
import type { StoredItem } from './response-input.js';

/** A stored response's input items, paged by item id (`after`) as OpenAI's list does. */
export async function listResponseInputItems(
  ctx: ServiceContext,
  id: string,
  page: { after?: string; limit?: number; order?: 'asc' | 'desc' },
): Promise<{ data: StoredItem[]; hasMore: boolean }> {
  const response = namesNothing(id)
    ? null
    : await ctx.db.response.findFirst({
        where: { id, projectId: ctx.actor.projectId, store: true },
        select: { id: true },
      });
  if (!response) {
    throw new NotFoundError(`Response with id '${id}' not found.`);
  }
  const limit = Math.min(Math.max(page.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  const items = await responseItems(ctx.db, id, 'input');
  const ordered = page.order === 'asc' ? items : items.reverse();
  const start = page.after ? ordered.findIndex((item) => item.id === page.after) + 1 : 0;
  const data = ordered.slice(start, start + limit);
  return { data, hasMore: start + limit < ordered.length };
}
