import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../src/services/common/page-sizes.js';
import { RestError } from './errors.js';

/**
 * OpenAI's list quartet from the query string, as a connection's window: `limit` items after
 * `after` (`first`), or, for a `before` page, the `limit` items right before it (`last`).
 * `limit` is checked here because it is the REST caller's own field, which GraphQL calls
 * `first` or `last`.
 */
export function pageVariables(
  query: Record<string, unknown>,
  sizes: { max: number; default: number } = { max: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
) {
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined || value === '') {
      return undefined;
    }
    if (typeof value !== 'string') {
      throw new RestError(400, `Invalid '${name}': expected a single value.`, { param: name });
    }
    return value;
  };
  const limitText = text('limit');
  let limit: number | undefined;
  if (limitText !== undefined) {
    limit = Number(limitText);
    if (!Number.isInteger(limit)) {
      throw new RestError(400, `Invalid 'limit': expected an integer, got '${limitText}'.`, {
        param: 'limit',
        code: 'invalid_type',
      });
    }
    if (limit < 1) {
      throw new RestError(
        400,
        `Invalid 'limit': integer below minimum value. Expected a value >= 1, but got ${limit} instead.`,
        { param: 'limit', code: 'integer_below_min_value' },
      );
    }
    if (limit > sizes.max) {
      throw new RestError(
        400,
        `Invalid 'limit': integer above maximum value. Expected a value <= ${sizes.max}, but got ${limit} instead.`,
        { param: 'limit', code: 'integer_above_max_value' },
      );
    }
  }
  const order = text('order');
  if (order !== undefined && order !== 'asc' && order !== 'desc') {
    throw new RestError(400, `Invalid 'order': expected 'asc' or 'desc', got '${order}'.`, {
      param: 'order',
      code: 'invalid_value',
    });
  }
  const after = text('after');
  const before = text('before');
  const backward = before !== undefined && after === undefined;
  return {
    first: backward ? undefined : limit,
    last: backward ? (limit ?? sizes.default) : undefined,
    order,
    after,
    before,
  };
}

/**
 * The Admin API's lists: `limit`/`after`/`order` as elsewhere, oldest first unless `order` says
 * otherwise (OpenAI lists projects, keys and service accounts in creation order).
 */
export function adminPage(query: Record<string, unknown>) {
  const page = pageVariables(query);
  return { ...page, order: page.order ?? 'asc' };
}

/** OpenAI's item list (a response's input items, a conversation's items): its ends' ids. */
export function itemList(items: { id: string; data: unknown }[], hasMore: boolean) {
  return {
    object: 'list',
    data: items.map((item) => item.data),
    first_id: items[0]?.id ?? null,
    last_id: items.at(-1)?.id ?? null,
    has_more: hasMore,
  };
}
