import { camelize } from '../case.js';
import { RestError } from '../errors.js';
import {
  CancelVectorStoreFileBatchDocument,
  CreateVectorStoreDocument,
  CreateVectorStoreFileBatchDocument,
  CreateVectorStoreFileDocument,
  DeleteVectorStoreDocument,
  DeleteVectorStoreFileDocument,
  GetVectorStoreDocument,
  GetVectorStoreFileBatchDocument,
  GetVectorStoreFileDocument,
  ListVectorStoreFileBatchFilesDocument,
  ListVectorStoreFilesDocument,
  ListVectorStoresDocument,
  UpdateVectorStoreDocument,
  UpdateVectorStoreFileAttributesDocument,
} from '../generated/operations.js';
import { pageVariables } from '../list.js';
import { JsonResponse, type Route, type RouteRequest } from '../router.js';
import { serializeDeleted, serializeList } from '../serializers.js';
import {
  serializeVectorStore,
  serializeVectorStoreFile,
  serializeVectorStoreFileBatch,
} from '../vector-store-serializers.js';

/** How soon the SDK's polling helpers (`createAndPoll`, `uploadAndPoll`) should ask again. */
const POLL_AFTER_MS = '150';

/** Objects still being indexed tell pollers to come back soon (the SDK's default is 5 s). */
function pollable(body: unknown, status: string): JsonResponse {
  return new JsonResponse(
    body,
    status === 'in_progress' ? { 'openai-poll-after-ms': POLL_AFTER_MS } : {},
  );
}

/** List quartet plus OpenAI's status `filter` (GraphQL checks the value against its enum). */
function fileListVariables(query: RouteRequest['query']) {
  const filter = query.filter;
  if (filter !== undefined && typeof filter !== 'string') {
    throw new RestError(400, "Invalid 'filter': expected a single value.", { param: 'filter' });
  }
  return { ...pageVariables(query), filter: filter === '' ? undefined : filter };
}

// Vector stores are not Assistants paths: the SDK sends OpenAI-Beta, but it is never required.
const storeRoutes: Route[] = [
  {
    method: 'POST',
    path: '/vector_stores',
    beta: false,
    async handle({ body, run }) {
      const data = await run(CreateVectorStoreDocument, {
        input: camelize(body),
      });
      return serializeVectorStore(data.createVectorStore);
    },
  },
  {
    method: 'GET',
    path: '/vector_stores',
    beta: false,
    async handle({ query, run }) {
      const page = pageVariables(query);
      const data = await run(ListVectorStoresDocument, page);
      return serializeList(data.vectorStores, serializeVectorStore, page);
    },
  },
  {
    method: 'GET',
    path: '/vector_stores/:vector_store_id',
    beta: false,
    async handle({ params, run }) {
      const data = await run(GetVectorStoreDocument, {
        id: params.vector_store_id,
      });
      return serializeVectorStore(data.vectorStore);
    },
  },
  {
    method: 'POST',
    path: '/vector_stores/:vector_store_id',
    beta: false,
    async handle({ params, body, run }) {
      const data = await run(UpdateVectorStoreDocument, {
        id: params.vector_store_id,
        input: camelize(body),
      });
      return serializeVectorStore(data.updateVectorStore);
    },
  },
  {
    method: 'DELETE',
    path: '/vector_stores/:vector_store_id',
    beta: false,
    async handle({ params, run }) {
      const data = await run(DeleteVectorStoreDocument, { id: params.vector_store_id });
      return serializeDeleted('vector_store.deleted', data.deleteVectorStore);
    },
  },
];

const fileRoutes: Route[] = [
  {
    method: 'POST',
    path: '/vector_stores/:vector_store_id/files',
    beta: false,
    async handle({ params, body, run }) {
      const data = await run(CreateVectorStoreFileDocument, {
        vectorStoreId: params.vector_store_id,
        input: camelize(body),
      });
      const file = data.createVectorStoreFile;
      return pollable(serializeVectorStoreFile(file), file.status);
    },
  },
  {
    method: 'GET',
    path: '/vector_stores/:vector_store_id/files',
    beta: false,
    async handle({ params, query, run }) {
      const page = fileListVariables(query);
      const data = await run(ListVectorStoreFilesDocument, {
        vectorStoreId: params.vector_store_id,
        ...page,
      });
      return serializeList(data.vectorStoreFiles, serializeVectorStoreFile, page);
    },
  },
  {
    method: 'GET',
    path: '/vector_stores/:vector_store_id/files/:file_id',
    beta: false,
    async handle({ params, run }) {
      const data = await run(GetVectorStoreFileDocument, {
        vectorStoreId: params.vector_store_id,
        fileId: params.file_id,
      });
      const file = data.vectorStoreFile;
      return pollable(serializeVectorStoreFile(file), file.status);
    },
  },
  {
    method: 'POST',
    path: '/vector_stores/:vector_store_id/files/:file_id',
    beta: false,
    async handle({ params, body, run }) {
      const data = await run(UpdateVectorStoreFileAttributesDocument, {
        vectorStoreId: params.vector_store_id,
        fileId: params.file_id,
        input: camelize(body),
      });
      return serializeVectorStoreFile(data.updateVectorStoreFileAttributes);
    },
  },
  {
    method: 'DELETE',
    path: '/vector_stores/:vector_store_id/files/:file_id',
    beta: false,
    async handle({ params, run }) {
      const data = await run(DeleteVectorStoreFileDocument, {
        vectorStoreId: params.vector_store_id,
        fileId: params.file_id,
      });
      return serializeDeleted('vector_store.file.deleted', data.deleteVectorStoreFile);
    },
  },
];

const batchRoutes: Route[] = [
  {
    method: 'POST',
    path: '/vector_stores/:vector_store_id/file_batches',
    beta: false,
    async handle({ params, body, run }) {
      const data = await run(CreateVectorStoreFileBatchDocument, {
        vectorStoreId: params.vector_store_id,
        input: camelize(body),
      });
      const batch = data.createVectorStoreFileBatch;
      return pollable(serializeVectorStoreFileBatch(batch), batch.status);
    },
  },
  {
    method: 'GET',
    path: '/vector_stores/:vector_store_id/file_batches/:batch_id',
    beta: false,
    async handle({ params, run }) {
      const data = await run(GetVectorStoreFileBatchDocument, {
        vectorStoreId: params.vector_store_id,
        batchId: params.batch_id,
      });
      const batch = data.vectorStoreFileBatch;
      return pollable(serializeVectorStoreFileBatch(batch), batch.status);
    },
  },
  {
    method: 'POST',
    path: '/vector_stores/:vector_store_id/file_batches/:batch_id/cancel',
    beta: false,
    async handle({ params, run }) {
      const data = await run(CancelVectorStoreFileBatchDocument, {
        vectorStoreId: params.vector_store_id,
        batchId: params.batch_id,
      });
      return serializeVectorStoreFileBatch(data.cancelVectorStoreFileBatch);
    },
  },
  {
    method: 'GET',
    path: '/vector_stores/:vector_store_id/file_batches/:batch_id/files',
    beta: false,
    async handle({ params, query, run }) {
      const page = fileListVariables(query);
      const data = await run(ListVectorStoreFileBatchFilesDocument, {
        vectorStoreId: params.vector_store_id,
        batchId: params.batch_id,
        ...page,
      });
      return serializeList(data.vectorStoreFileBatchFiles, serializeVectorStoreFile, page);
    },
  },
];

export const vectorStoreRoutes: Route[] = [...storeRoutes, ...fileRoutes, ...batchRoutes];
