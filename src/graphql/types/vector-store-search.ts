import {
  searchVectorStore,
  type VectorSearchPage,
  type VectorSearchResult,
} from '../../services/vector-stores/search/vector-search.js';
import { builder } from '../builder.js';

/** A piece of text content: a search result's chunk, or a chunk of a file's parsed content. */
export const VectorStoreTextContent = builder
  .objectRef<{ type: 'text'; text: string }>('VectorStoreTextContent')
  .implement({
    description: 'Text from a vector-store file (one chunk).',
    fields: (t) => ({
      type: t.exposeString('type', { description: 'Always `text`.' }),
      text: t.exposeString('text'),
    }),
  });

const VectorStoreSearchResult = builder
  .objectRef<VectorSearchResult>('VectorStoreSearchResult')
  .implement({
    description: 'One matching chunk of a vector-store file.',
    fields: (t) => ({
      vectorStoreId: t.exposeString('vectorStoreId'),
      fileId: t.exposeString('fileId'),
      filename: t.exposeString('filename'),
      score: t.exposeFloat('score', {
        description:
          'Relevance in [0, 1]: full-text score fused with vector similarity when embeddings are configured.',
      }),
      attributes: t.field({
        type: 'JSON',
        nullable: true,
        description: 'The vector-store file’s attributes.',
        resolve: (result) => result.attributes,
      }),
      content: t.field({ type: [VectorStoreTextContent], resolve: (result) => result.content }),
      chunkId: t.exposeID('chunkId', { description: 'The chunk’s id (for citations).' }),
    }),
  });

const VectorStoreSearchResults = builder
  .objectRef<VectorSearchPage>('VectorStoreSearchResults')
  .implement({
    description: 'The results of a vector-store search, best first: one page, as on OpenAI.',
    fields: (t) => ({
      searchQuery: t.exposeStringList('searchQuery', {
        description: 'The queries searched (rewritten when `rewriteQuery` was set).',
      }),
      data: t.field({ type: [VectorStoreSearchResult], resolve: (page) => page.data }),
      hasMore: t.boolean({ description: 'Always false.', resolve: () => false }),
      nextPage: t.string({ nullable: true, description: 'Always null.', resolve: () => null }),
    }),
  });

const SearchRankingOptionsInput = builder.inputType('SearchRankingOptionsInput', {
  fields: (t) => ({
    ranker: t.string({
      description: '`auto`, `none` or `default-2024-11-15` (accepted; all rank alike here).',
    }),
    scoreThreshold: t.float({ description: 'Drop results scoring below this, 0–1 (Default: 0).' }),
  }),
});

const SearchVectorStoreInput = builder.inputType('SearchVectorStoreInput', {
  fields: (t) => ({
    query: t.stringList({
      required: true,
      description: 'One query or several (a single string is accepted as a list of one).',
    }),
    rewriteQuery: t.boolean({
      description: 'Normalise the query first: lower-case, punctuation and filler words dropped.',
    }),
    maxNumResults: t.int({ description: '1–50 (Default: 10).' }),
    filters: t.field({
      type: 'JSON',
      description:
        'On file attributes: `{type: eq|ne|gt|gte|lt|lte|in|nin, key, value}` or `{type: and|or, filters: [...]}`.',
    }),
    rankingOptions: t.field({ type: SearchRankingOptionsInput }),
  }),
});

builder.queryFields((t) => ({
  searchVectorStore: t.field({
    type: VectorStoreSearchResults,
    description: 'Searches a vector store’s chunks (full text, plus vectors when configured).',
    args: {
      vectorStoreId: t.arg.id({ required: true }),
      input: t.arg({ type: SearchVectorStoreInput, required: true }),
    },
    resolve: (_root, args, ctx) => searchVectorStore(ctx, String(args.vectorStoreId), args.input),
  }),
}));
