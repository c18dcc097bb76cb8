import { z } from 'zod';
import { InvalidRequestError } from '../../errors.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './page-sizes.js';
import { namesNothing, parseInput } from './validation.js';

/**
 * Relay's window arguments over a list in `order`: `first` items after `after`, or the `last`
 * items before `before` (both cursors may bound either). Cursors are item ids, as OpenAI's
 * `after`/`before` are, so one page input serves GraphQL connections and the REST lists.
 */
export function pageInputSchemaWith(sizes: { max: number; default: number }) {
  return z
    .object({
      first: z.number().int().min(1).max(sizes.max).optional(),
      last: z.number().int().min(1).max(sizes.max).optional(),
      /** By creation time (Default: desc). */
      order: z.enum(['asc', 'desc']).default('desc'),
      /** Id of an item: the page starts after it, in `order`. */
      after: z.string().min(1).optional(),
      /** Id of an item: the page ends before it, in `order`. */
      before: z.string().min(1).optional(),
    })
    .superRefine((page, issues) => {
      if (page.first !== undefined && page.last !== undefined) {
        issues.addIssue({
          code: 'custom',
          path: ['last'],
          message: "pass either 'first' or 'last', not both.",
        });
      }
    })
    .transform(({ first, last, ...page }) => ({
      ...page,
      limit: last ?? first ?? sizes.default,
      /** `last`: the page is the end of the window, walked backwards from `before`. */
      fromEnd: last !== undefined,
    }));
}

export const pageInputSchema = pageInputSchemaWith({
  max: MAX_PAGE_SIZE,
  default: DEFAULT_PAGE_SIZE,
});

export type PageInput = z.input<typeof pageInputSchema>;

/** A list's own bounds, for lists whose sizes differ from the usual 1–100 (files: 10,000). */
export type PageInputSchema = ReturnType<typeof pageInputSchemaWith>;

/**
 * One page: its items in `order`, and whether items exist beyond each end: read one item past
 * the end the page walks towards, or known from a cursor on that side (its item lies there).
 */
export interface Page<T> {
  data: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** A range on `seq`; both bounds are exclusive. */
export type SeqRange = { lt?: bigint; gt?: bigint };

/** What to read for a page: `take` rows of `range` in `orderBy`. */
export interface PageFetch {
  seq: SeqRange;
  orderBy: { seq: 'asc' | 'desc' };
  take: number;
}

/** A parsed page input with its cursors resolved: what to read, and how to cut the rows. */
export interface PagePlan extends PageFetch {
  limit: number;
  fromEnd: boolean;
  hasAfter: boolean;
  hasBefore: boolean;
}

/** What a list needs from its table: find a cursor's position, and fetch rows around it. */
export interface PageSource<T> {
  /** The `seq` of the row with this id within the list's scope, or null. */
  seqOf(id: string): Promise<bigint | null>;
  fetch(args: PageFetch): Promise<T[]>;
}

/** Parses a page input and resolves its cursors to `seq` bounds. */
export async function planPage(
  input: PageInput | undefined,
  seqOf: (id: string) => Promise<bigint | null>,
  schema: PageInputSchema = pageInputSchema,
): Promise<PagePlan> {
  const page = parseInput(schema, input ?? {});
  const cursorSeq = async (param: 'after' | 'before', id: string | undefined) => {
    if (id === undefined) {
      return undefined;
    }
    // A cursor too long to be an id is answered as an unknown one, without a query.
    const seq = namesNothing(id) ? null : await seqOf(id);
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
  const seq: SeqRange = {};
  if (after !== undefined) {
    seq[desc ? 'lt' : 'gt'] = after;
  }
  if (before !== undefined) {
    seq[desc ? 'gt' : 'lt'] = before;
  }
  // From the end, walk backwards and flip the rows into list order afterwards.
  const backwards = desc ? 'asc' : 'desc';
  return {
    seq,
    orderBy: { seq: page.fromEnd ? backwards : page.order },
    take: page.limit + 1,
    limit: page.limit,
    fromEnd: page.fromEnd,
    hasAfter: after !== undefined,
    hasBefore: before !== undefined,
  };
}

/** Cuts the rows read for `plan` (one more than the page holds) into the page. */
export function pageFrom<T>(rows: T[], plan: PagePlan): Page<T> {
  const more = rows.length > plan.limit;
  const kept = rows.slice(0, plan.limit);
  // A cursor's own item lies beyond its end of the page, so a cursor alone means "more there".
  if (plan.fromEnd) {
    return {
      data: kept.reverse(),
      hasPreviousPage: more || plan.hasAfter,
      hasNextPage: plan.hasBefore,
    };
  }
  return { data: kept, hasNextPage: more || plan.hasBefore, hasPreviousPage: plan.hasAfter };
}

/** Cursor pagination over a monotonic `seq` column: one page, in two reads at most. */
export async function paginate<T>(
  input: PageInput | undefined,
  source: PageSource<T>,
  schema: PageInputSchema = pageInputSchema,
): Promise<Page<T>> {
  const plan = await planPage(input, (id) => source.seqOf(id), schema);
  return pageFrom(await source.fetch(plan), plan);
}
