import { z } from 'zod';
import type { Prisma } from '../../generated/prisma/client.js';
import { parseJsonColumn } from '../common/json-column.js';
import {
  type Attributes,
  type ChunkingStrategy,
  storedAttributesSchema,
  storedChunkingStrategySchema,
} from './vector-store-inputs.js';

export const VECTOR_STORE_FILE_STATUSES = [
  'in_progress',
  'completed',
  'failed',
  'cancelled',
] as const;

export type VectorStoreFileStatus = (typeof VECTOR_STORE_FILE_STATUSES)[number];

/** Why indexing failed, in OpenAI's codes. */
export interface VectorStoreFileError {
  code: 'server_error' | 'unsupported_file' | 'invalid_file';
  message: string;
}

const storedFileErrorSchema: z.ZodType<VectorStoreFileError> = z.object({
  code: z.enum(['server_error', 'unsupported_file', 'invalid_file']),
  message: z.string(),
});

const nullableFileError = storedFileErrorSchema.nullable();
const nullableChunkingStrategy = storedChunkingStrategySchema.nullable();
const nullableAttributes = storedAttributesSchema.nullable();

/** A file's membership in a vector store. Its `id` is the File's id, as on OpenAI. */
export interface VectorStoreFileView {
  id: string;
  vectorStoreId: string;
  /** The batch that brought it, if any. */
  batchId: string | null;
  createdAt: Date;
  status: VectorStoreFileStatus;
  /** Bytes its chunks take in the store, once indexed. */
  usageBytes: number;
  lastError: VectorStoreFileError | null;
  /** `other` for files whose strategy is unknown (none stored). */
  chunkingStrategy: ChunkingStrategy | { type: 'other' };
  attributes: Attributes | null;
}

export const VECTOR_STORE_FILE_COLUMNS = {
  fileId: true,
  vectorStoreId: true,
  batchId: true,
  createdAt: true,
  status: true,
  usageBytes: true,
  lastError: true,
  chunkingStrategy: true,
  attributes: true,
} as const satisfies Prisma.VectorStoreFileSelect;

type Row = Prisma.VectorStoreFileGetPayload<{ select: typeof VECTOR_STORE_FILE_COLUMNS }>;

export function toVectorStoreFileView(row: Row): VectorStoreFileView {
  // The table's key is (vector store, file): both name the row.
  const at = (column: string) => ({
    table: 'vector_store_files',
    id: `${row.vectorStoreId}/${row.fileId}`,
    column,
  });
  return {
    id: row.fileId,
    vectorStoreId: row.vectorStoreId,
    batchId: row.batchId,
    createdAt: row.createdAt,
    status: row.status as VectorStoreFileStatus,
    usageBytes: Number(row.usageBytes),
    lastError: parseJsonColumn(nullableFileError, row.lastError, at('lastError')),
    chunkingStrategy: parseJsonColumn(
      nullableChunkingStrategy,
      row.chunkingStrategy,
      at('chunkingStrategy'),
    ) ?? { type: 'other' },
    attributes: parseJsonColumn(nullableAttributes, row.attributes, at('attributes')),
  };
}
