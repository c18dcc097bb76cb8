import {
  getVectorStoreFileContent,
  type VectorStoreFileContent,
} from '../../services/vector-stores/vector-store-file-content.js';
import { builder } from '../builder.js';
import { VectorStoreTextContent } from './vector-store-search.js';

const VectorStoreFileContentRef = builder
  .objectRef<VectorStoreFileContent>('VectorStoreFileContent')
  .implement({
    description: 'The parsed content of a vector-store file: its chunks in order, one page.',
    fields: (t) => ({
      data: t.field({ type: [VectorStoreTextContent], resolve: (content) => content.data }),
      hasMore: t.boolean({ description: 'Always false.', resolve: () => false }),
      nextPage: t.string({ nullable: true, description: 'Always null.', resolve: () => null }),
    }),
  });

builder.queryFields((t) => ({
  vectorStoreFileContent: t.field({
    type: VectorStoreFileContentRef,
    nullable: true,
    description:
      'The chunks a vector-store file was indexed as (empty until it is completed); null, with a NOT_FOUND error at its path, when there is none in this project (its siblings still resolve).',
    args: {
      vectorStoreId: t.arg.id({ required: true }),
      fileId: t.arg.id({ required: true }),
    },
    resolve: (_root, args, ctx) =>
      getVectorStoreFileContent(ctx, String(args.vectorStoreId), String(args.fileId)),
  }),
}));
