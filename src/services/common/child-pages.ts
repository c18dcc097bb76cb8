import type { ServiceContext } from '../../context.js';
import { queryRaw } from '../../db/raw-sql.js';
import { Prisma } from '../../generated/prisma/client.js';
import { type Page, type PageInput, pageFrom, planPage } from './pagination.js';

/**
 * A list that hangs off a parent row (a thread's messages, a run's steps): the table, the column
 * naming the parent, and the column whose value is an item's cursor. Names are code constants,
 * never input.
 */
export interface ChildList {
  table: string;
  parentColumn: string;
  cursorColumn: string;
  /** A further condition on the table's rows, aliased `c` (a status filter, say). */
  where?: Prisma.Sql;
}

/** An item of a child list, by its parent and its cursor. */
export interface ChildKey {
  parent: string;
  cursor: string;
}

/**
 * One page of a child list for each of many parents, in two statements whatever their number:
 * a LATERAL read of each parent's window of cursors (the parent's index, `limit + 1` rows), then
 * `rows.load` for the rows themselves. A cursor must belong to one of the parents.
 */
export async function childPages<T>(
  ctx: ServiceContext,
  list: ChildList,
  parents: readonly string[],
  input: PageInput | undefined,
  rows: { load(keys: ChildKey[]): Promise<T[]>; keyOf(row: T): ChildKey },
): Promise<Page<T>[]> {
  const scope = Prisma.sql`c.project_id = ${ctx.actor.projectId}${
    list.where ? Prisma.sql` AND ${list.where}` : Prisma.empty
  }`;
  const table = Prisma.raw(`"${list.table}"`);
  const parentColumn = Prisma.raw(`c."${list.parentColumn}"`);
  const cursorColumn = Prisma.raw(`c."${list.cursorColumn}"`);
  const plan = await planPage(input, async (cursor) => {
    const [row] = await queryRaw<{ seq: bigint }>(
      ctx.db,
      Prisma.sql`
        SELECT c.seq FROM ${table} c
        WHERE ${cursorColumn} = ${cursor} AND ${parentColumn} = ANY(${[...parents]})
          AND c.project_id = ${ctx.actor.projectId}
        LIMIT 1`,
    );
    return row?.seq ?? null;
  });
  const direction = Prisma.raw(plan.orderBy.seq === 'asc' ? 'ASC' : 'DESC');
  const bounds = [
    plan.seq.lt === undefined ? Prisma.empty : Prisma.sql` AND c.seq < ${plan.seq.lt}`,
    plan.seq.gt === undefined ? Prisma.empty : Prisma.sql` AND c.seq > ${plan.seq.gt}`,
  ];
  const windows = await queryRaw<ChildKey>(
    ctx.db,
    Prisma.sql`
    SELECT p.parent, w.cursor
    FROM unnest(${[...new Set(parents)]}::text[]) WITH ORDINALITY AS p(parent, ord)
    CROSS JOIN LATERAL (
      SELECT ${cursorColumn} AS cursor, c.seq FROM ${table} c
      WHERE ${parentColumn} = p.parent AND ${scope}${Prisma.join(bounds, '')}
      ORDER BY c.seq ${direction}
      LIMIT ${plan.take}
    ) w
    ORDER BY p.ord, w.seq ${direction}`,
  );
  const loaded = windows.length === 0 ? [] : await rows.load(windows);
  const byKey = new Map(loaded.map((row) => [childKey(rows.keyOf(row)), row]));
  const byParent = new Map<string, T[]>();
  for (const key of windows) {
    const row = byKey.get(childKey(key));
    // A row deleted between the two statements is left out of its page.
    if (row !== undefined) {
      const items = byParent.get(key.parent) ?? [];
      items.push(row);
      byParent.set(key.parent, items);
    }
  }
  return parents.map((parent) => pageFrom(byParent.get(parent) ?? [], plan));
}

function childKey(key: ChildKey): string {
  return `${key.parent}\u0000${key.cursor}`;
}

/**
 * `childPages` for a list whose cursor is its rows' own id (messages, runs, steps): the rows are
 * read by id, and `parentOf` names each row's parent.
 */
export function childPagesById<T extends { id: string }>(
  ctx: ServiceContext,
  list: Omit<ChildList, 'cursorColumn'>,
  parents: readonly string[],
  input: PageInput | undefined,
  rows: {
    byIds(ctx: ServiceContext, ids: readonly string[]): Promise<Map<string, T>>;
    parentOf(row: T): string | null;
  },
): Promise<Page<T>[]> {
  return childPages(ctx, { ...list, cursorColumn: 'id' }, parents, input, {
    load: async (keys) => [
      ...(
        await rows.byIds(
          ctx,
          keys.map((key) => key.cursor),
        )
      ).values(),
    ],
    keyOf: (row) => ({ parent: rows.parentOf(row) ?? '', cursor: row.id }),
  });
}
