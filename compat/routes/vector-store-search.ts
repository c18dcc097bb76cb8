import { camelize } from '../case.js';
import {
  GetVectorStoreFileContentDocument,
  SearchVectorStoreDocument,
} from '../generated/operations.js';
import type { Route } from '../router.js';

/** `query` is a string or an array; GraphQL takes a list, so a string becomes a list of one. */
function searchInput(body: Record<string, unknown>) {
  const input = camelize(body) as Record<string, unknown>;
  return typeof input.query === 'string' ? { ...input, query: [input.query] } : input;
}

// Vector stores are not Assistants paths: the SDK sends OpenAI-Beta, but it is never required.
export const vectorStoreSearchRoutes: Route[] = [
  {
    method: 'POST',
    path: '/vector_stores/:vector_store_id/search',
    beta: false,
    async handle({ params, body, run }) {
      const { searchVectorStore: page } = await run(SearchVectorStoreDocument, {
        vectorStoreId: params.vector_store_id,
        input: searchInput(body),
      });
      return {
        object: 'vector_store.search_results.page',
        search_query: page.searchQuery,
        data: page.data.map((result) => ({
          file_id: result.fileId,
          filename: result.filename,
          score: result.score,
          attributes: result.attributes,
          content: result.content.map((part) => ({ type: part.type, text: part.text })),
        })),
        has_more: page.hasMore,
        next_page: page.nextPage,
      };
    },
  },
  {
    method: 'GET',
    path: '/vector_stores/:vector_store_id/files/:file_id/content',
    beta: false,
    async handle({ params, run }) {
      const { vectorStoreFileContent: page } = await run(GetVectorStoreFileContentDocument, {
        vectorStoreId: params.vector_store_id,
        fileId: params.file_id,
      });
      return {
        object: 'vector_store.file_content.page',
        data: page.data.map((part) => ({ type: part.type, text: part.text })),
        has_more: page.hasMore,
        next_page: page.nextPage,
      };
    },
  },
];
