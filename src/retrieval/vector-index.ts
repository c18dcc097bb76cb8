import type { Db } from '../db/db.js';

/** A chunk's cosine similarity to the query vector (-1..1). */
export interface VectorMatch {
  chunkId: bigint;
  similarity: number;
}

export interface NearestQuery {
  vectorStoreIds: string[];
  /** Per vector store, the files whose chunks may match (attribute filters); null: all. */
  allowedFiles: Map<string, Set<string>> | null;
  /** Only vectors made by this model are comparable with `vector`. */
  model: string;
  /** L2-normalised. */
  vector: Float32Array;
  limit: number;
}

/** Where chunk embeddings are searched: pgvector when the database has it, else in process. */
export interface VectorIndex {
  readonly kind: 'pgvector' | 'in-process';
  /** Called in the transaction that inserted these chunks (their bytea is already written). */
  write(db: Db, chunks: { id: bigint; embedding: Float32Array }[]): Promise<void>;
  /** The `limit` most similar chunks, most similar first. */
  nearest(db: Db, query: NearestQuery): Promise<VectorMatch[]>;
}
