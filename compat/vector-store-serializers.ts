/**
 * Vector stores, their files and file batches as OpenAI's JSON (shaped by
 * compat/operations/vector-stores.graphql).
 */

import type {
  VectorStoreFieldsFragment,
  VectorStoreFileBatchFieldsFragment,
  VectorStoreFileCountsFieldsFragment,
  VectorStoreFileFieldsFragment,
} from './generated/operations.js';

type Json = Record<string, unknown>;

function serializeFileCounts(counts: VectorStoreFileCountsFieldsFragment): Json {
  return {
    in_progress: counts.inProgress,
    completed: counts.completed,
    failed: counts.failed,
    cancelled: counts.cancelled,
    total: counts.total,
  };
}

export function serializeVectorStore(store: VectorStoreFieldsFragment): Json {
  return {
    id: store.id,
    object: 'vector_store',
    created_at: store.createdAt,
    name: store.name,
    usage_bytes: store.usageBytes,
    file_counts: serializeFileCounts(store.fileCounts),
    status: store.status,
    // Optional and not nullable in the spec: absent without a policy.
    ...(store.expiresAfter
      ? { expires_after: { anchor: store.expiresAfter.anchor, days: store.expiresAfter.days } }
      : {}),
    expires_at: store.expiresAt,
    last_active_at: store.lastActiveAt,
    metadata: store.metadata,
  };
}

export function serializeVectorStoreFile(file: VectorStoreFileFieldsFragment): Json {
  const strategy = file.chunkingStrategy;
  return {
    id: file.id,
    object: 'vector_store.file',
    usage_bytes: file.usageBytes,
    created_at: file.createdAt,
    vector_store_id: file.vectorStoreId,
    status: file.status,
    last_error: file.lastError,
    chunking_strategy:
      strategy.type === 'static' && strategy.static
        ? {
            type: 'static',
            static: {
              max_chunk_size_tokens: strategy.static.maxChunkSizeTokens,
              chunk_overlap_tokens: strategy.static.chunkOverlapTokens,
            },
          }
        : { type: 'other' },
    attributes: file.attributes,
  };
}

export function serializeVectorStoreFileBatch(batch: VectorStoreFileBatchFieldsFragment): Json {
  return {
    id: batch.id,
    // "files_batch": the schema enum and the SDK agree (the description says file_batch).
    object: 'vector_store.files_batch',
    created_at: batch.createdAt,
    vector_store_id: batch.vectorStoreId,
    status: batch.status,
    file_counts: serializeFileCounts(batch.fileCounts),
  };
}
