import type { Page, PageInput } from '../../services/common/pagination.js';
import { type BuilderTypes, builder } from '../builder.js';

export const SortOrder = builder.enumType('SortOrder', {
  description: 'Order by creation time.',
  values: {
    asc: { description: 'Oldest first.' },
    desc: { description: 'Newest first.' },
  } as const,
});

export const DeletionResult = builder
  .objectRef<{ id: string; deleted: true }>('DeletionResult')
  .implement({
    description: 'Confirms a deletion.',
    fields: (t) => ({
      id: t.exposeID('id', { description: 'Id of the deleted object.' }),
      deleted: t.exposeBoolean('deleted', { description: 'Always true.' }),
    }),
  });

/** OpenAI's `order`, which every connection takes beside Relay's window arguments. */
export const orderArg = builder.args((t) => ({
  order: t.field({ type: SortOrder, required: false, description: 'Default: desc.' }),
}));

/** Relay's window arguments and `order`, as the services' page input. Cursors are item ids. */
export function toPageInput(args: {
  first?: number | null;
  last?: number | null;
  order?: 'asc' | 'desc' | null;
  after?: string | null;
  before?: string | null;
}): PageInput {
  return {
    first: args.first ?? undefined,
    last: args.last ?? undefined,
    order: args.order ?? undefined,
    after: args.after ?? undefined,
    before: args.before ?? undefined,
  };
}

/** A connection's value: the page's items as edges whose cursor is the item's own id. */
export function connectionOf<T>(page: Page<T>, cursorOf: (item: T) => string) {
  const edges = page.data.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges.at(0)?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** `<Item>Connection` and `<Item>Edge`, shared by every list of that item. */
export function connectionType<T>(
  name: string,
  item: PothosSchemaTypes.ObjectRef<BuilderTypes, T>,
) {
  return builder.connectionObject(
    {
      type: item,
      name: `${name}Connection`,
      description: `A page of ${name} objects. Cursors are the objects’ ids, as in OpenAI’s \`after\`/\`before\`.`,
    },
    { name: `${name}Edge` },
  );
}

/** A file a citation, a generated-file link or an image output points at. */
export const FileReferenceRef = builder
  .objectRef<{ fileId: string }>('FileReference')
  .implement({ fields: (t) => ({ fileId: t.exposeString('fileId') }) });
