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

/** The cursor arguments every list takes, described once. */
export const pageArgs = builder.args((t) => ({
  limit: t.int({ required: false, description: 'Page size, 1–100 (Default: 20).' }),
  order: t.field({ type: SortOrder, required: false, description: 'Default: desc.' }),
  after: t.string({
    required: false,
    description: 'Cursor: an item id; returns the items that follow it in `order`.',
  }),
  before: t.string({
    required: false,
    description: 'Cursor: an item id; returns the items that precede it in `order`.',
  }),
}));

export function toPageInput(args: {
  limit?: number | null;
  order?: 'asc' | 'desc' | null;
  after?: string | null;
  before?: string | null;
}): PageInput {
  return {
    limit: args.limit ?? undefined,
    order: args.order ?? undefined,
    after: args.after ?? undefined,
    before: args.before ?? undefined,
  };
}

/** `<Item>List`: one page in OpenAI's list shape. */
export function pageType<T extends { id: string }>(
  name: string,
  item: PothosSchemaTypes.ObjectRef<BuilderTypes, T>,
) {
  return builder.objectRef<Page<T>>(`${name}List`).implement({
    description: `A page of ${name} objects, with cursors.`,
    fields: (t) => ({
      data: t.field({ type: [item], resolve: (page) => page.data }),
      firstId: t.exposeString('firstId', { nullable: true, description: 'Id of the first item.' }),
      lastId: t.exposeString('lastId', { nullable: true, description: 'Id of the last item.' }),
      hasMore: t.exposeBoolean('hasMore', { description: 'Whether more items follow.' }),
    }),
  });
}

/** A file a citation, a generated-file link or an image output points at. */
export const FileReferenceRef = builder
  .objectRef<{ fileId: string }>('FileReference')
  .implement({ fields: (t) => ({ fileId: t.exposeString('fileId') }) });
