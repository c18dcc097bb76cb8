import { z } from 'zod';
import { InvalidRequestError } from '../../errors.js';
import { parseInput } from './validation.js';

export const pageInputSchema = z.object({
  /** Page size, 1–100 (Default: 20). */
  limit: z.number().int().min(1).max(100).default(20),
  /** By creation time (Default: desc). */
  order: z.enum(['asc', 'desc']).default('desc'),
  /** Id of an item: return the items that follow it in `order`. */
  after: z.string().min(1).optional(),
  /** Id of an item: return the items that precede it in `order`. */
  before: z.string().min(1).optional(),
});

export type PageInput = z.input<typeof pageInputSchema>;

/** A list's own bounds, for lists whose limits differ from the usual 1–100 (files: 10,000). */
export type PageInputSchema = z.ZodType<z.output<typeof pageInputSchema>, PageInput>;

/** One page in OpenAI's list shape; `firstId`/`lastId` are null for an empty page. */
export interface Page<T> {
  data: T[];
  firstId: string | null;
  lastId: string | null;
  hasMore: boolean;
}

/** A range on `seq`; both bounds are exclusive. */
export type SeqRange = { lt?: bigint; gt?: bigint };

/** What a list needs from its table: find a cursor's position, and fetch rows around it. */
export interface PageSource<T> {
  /** The `seq` of the row with this id within the list's scope, or null. */
  seqOf(id: string): Promise<bigint | null>;
  fetch(args: { seq: SeqRange; orderBy: { seq: 'asc' | 'desc' }; take: number }): Promise<T[]>;
}

/**
 * Cursor pagination over a monotonic `seq` column. `after` continues in the requested order;
 * `before` returns the page immediately preceding the cursor, still in the requested order.
 */
export async function paginate<T extends { id: string }>(
  input: PageInput | undefined,
  source: PageSource<T>,
  schema: PageInputSchema = pageInputSchema,
): Promise<Page<T>> {
  const page = parseInput(schema, input ?? {});
  const cursorSeq = async (param: 'after' | 'before', id: string | undefined) => {
    if (id === undefined) {
      return undefined;
    }
    const seq = await source.seqOf(id);
    if (seq === null) {
      throw new InvalidRequestError(`Invalid '${param}': no object found with id '${id}'.`, {
        param,
      });
    }
    return seq;
  };
  const after = await cursorSeq('after', page.after);
  const before = await cursorSeq('before', page.before);
  const desc = page.order === 'desc';

  // In list order, `after` bounds the start and `before` bounds the end.
  const range: SeqRange = {};
  if (after !== undefined) {
    range[desc ? 'lt' : 'gt'] = after;
  }
  if (before !== undefined) {
    range[desc ? 'gt' : 'lt'] = before;
  }
  if (before !== undefined && after === undefined) {
    // The page immediately preceding the cursor: walk backwards, then flip into list order.
    const rows = await source.fetch({
      seq: range,
      orderBy: { seq: desc ? 'asc' : 'desc' },
      take: page.limit + 1,
    });
    return toPage(rows.slice(0, page.limit).reverse(), rows.length > page.limit);
  }
  const rows = await source.fetch({
    seq: range,
    orderBy: { seq: page.order },
    take: page.limit + 1,
  });
  return toPage(rows.slice(0, page.limit), rows.length > page.limit);
}

function toPage<T extends { id: string }>(data: T[], hasMore: boolean): Page<T> {
  return {
    data,
    firstId: data.at(0)?.id ?? null,
    lastId: data.at(-1)?.id ?? null,
    hasMore,
  };
}
