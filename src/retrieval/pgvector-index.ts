import type { Db } from '../db/db.js';
import type { PrismaClient } from '../db/prisma.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Logger } from '../logger.js';
import type { VectorIndex, VectorMatch } from './vector-index.js';

/**
 * Makes pgvector usable if the server has it: creates the extension (a no-op when it exists)
 * and an untyped `vector` column beside the bytea. Outside the migrations on purpose: they must
 * run where pgvector is absent (this machine's PostgreSQL 15, embedded PostgreSQL). Returns
 * false, changing nothing, when either step fails.
 *
 * NOT TESTED HERE: no PostgreSQL with pgvector is available on the development machines.
 */
export async function enablePgvector(db: PrismaClient, logger: Logger): Promise<boolean> {
  try {
    await db.$transaction(async (tx) => {
      // Servers starting together would race on the DDL.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('assistants:pgvector'))`;
      await tx.$executeRaw`CREATE EXTENSION IF NOT EXISTS vector`;
      await tx.$executeRaw`ALTER TABLE vector_store_chunks ADD COLUMN IF NOT EXISTS embedding_vector vector`;
    });
    return true;
  } catch (error) {
    logger.info(
      { reason: error instanceof Error ? error.message : String(error) },
      'pgvector is not available; vector similarity is computed in process',
    );
    return false;
  }
}

function vectorLiteral(vector: Float32Array): string {
  return `[${Array.from(vector).join(',')}]`;
}

/**
 * Vector similarity in PostgreSQL with pgvector: an exact scan (`<=>`, cosine distance) over the
 * store's chunks. The column is untyped (models differ in dimensions), so there is no ANN index;
 * a typed column with HNSW per model would be the next step for millions of chunks.
 *
 * NOT TESTED HERE (see `enablePgvector`).
 */
export function createPgvectorIndex(): VectorIndex {
  return {
    kind: 'pgvector',
    async write(db, chunks) {
      if (chunks.length === 0) {
        return;
      }
      await db.$executeRaw`
        UPDATE vector_store_chunks AS c SET embedding_vector = v.literal::vector
        FROM unnest(${chunks.map((chunk) => chunk.id)}::bigint[],
                    ${chunks.map((chunk) => vectorLiteral(chunk.embedding))}::text[])
          AS v(id, literal)
        WHERE c.id = v.id`;
    },
    async nearest(db: Db, query) {
      const pairs = query.allowedFiles
        ? [...query.allowedFiles].flatMap(([store, files]) =>
            [...files].map((file) => `${store}/${file}`),
          )
        : null;
      const fileFilter = pairs
        ? Prisma.sql`AND (vector_store_id || '/' || file_id) = ANY(${pairs}::text[])`
        : Prisma.empty;
      const literal = vectorLiteral(query.vector);
      return db.$queryRaw<VectorMatch[]>`
        SELECT id AS "chunkId", 1 - (embedding_vector <=> ${literal}::vector) AS similarity
        FROM vector_store_chunks
        WHERE vector_store_id = ANY(${query.vectorStoreIds}::text[])
          AND embedding_model = ${query.model} AND embedding_vector IS NOT NULL
          AND vector_dims(embedding_vector) = ${query.vector.length}
          ${fileFilter}
        ORDER BY embedding_vector <=> ${literal}::vector
        LIMIT ${query.limit}`;
    },
  };
}
