import type { ServiceContext } from '../../context.js';

/** A chunk to store: its text, token count and (with an embedding model) its vector. */
export interface NewChunk {
  text: string;
  tokens: number;
  embedding: Float32Array | null;
}

/** Rows per INSERT: bounds statement size (a 1536-dim vector is 8 kB of base64). */
const INSERT_BATCH = 500;

function base64(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

/**
 * Replaces the chunks of one vector-store file with `chunks`, in the caller's transaction (so
 * a retried job never leaves duplicates). Returns the bytes of text stored (`usage_bytes`).
 * Raw SQL over arrays: Prisma's `createMany` spent seconds serializing `Bytes` columns.
 */
export async function replaceFileChunks(
  ctx: ServiceContext,
  target: { vectorStoreId: string; fileId: string; embeddingModel: string | null },
  chunks: NewChunk[],
): Promise<number> {
  const { vectorStoreId, fileId, embeddingModel } = target;
  await deleteFileChunks(ctx, vectorStoreId, fileId);
  const vectors: { id: bigint; embedding: Float32Array }[] = [];
  for (let first = 0; first < chunks.length; first += INSERT_BATCH) {
    const batch = chunks.slice(first, first + INSERT_BATCH);
    const rows = await ctx.db.$queryRaw<{ id: bigint; chunk_index: number }[]>`
      INSERT INTO vector_store_chunks
        (project_id, vector_store_id, file_id, chunk_index, text, token_count, embedding,
         embedding_model)
      SELECT ${ctx.actor.projectId}, ${vectorStoreId}, ${fileId}, ${first}::int + ord::int - 1,
        text, tokens, decode(embedding, 'base64'),
        CASE WHEN embedding IS NULL THEN NULL ELSE ${embeddingModel}::text END
      FROM unnest(${batch.map((chunk) => chunk.text)}::text[],
                  ${batch.map((chunk) => chunk.tokens)}::int[],
                  ${batch.map((chunk) => (chunk.embedding ? base64(chunk.embedding) : null))}::text[])
        WITH ORDINALITY AS input(text, tokens, embedding, ord)
      RETURNING id, chunk_index`;
    for (const row of rows) {
      const embedding = chunks[row.chunk_index]?.embedding;
      if (embedding) {
        vectors.push({ id: row.id, embedding });
      }
    }
  }
  await ctx.retrieval.vectorIndex.write(ctx.db, vectors);
  return chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk.text, 'utf8'), 0);
}

export async function deleteFileChunks(
  ctx: ServiceContext,
  vectorStoreId: string,
  fileId: string,
): Promise<void> {
  await ctx.db.vectorStoreChunk.deleteMany({
    where: { vectorStoreId, fileId, projectId: ctx.actor.projectId },
  });
}

/** The chunks of one vector-store file in file order (for its `content`). */
export async function listFileChunks(ctx: ServiceContext, vectorStoreId: string, fileId: string) {
  return ctx.db.vectorStoreChunk.findMany({
    where: { vectorStoreId, fileId, projectId: ctx.actor.projectId },
    orderBy: { chunkIndex: 'asc' },
    select: { id: true, chunkIndex: true, text: true, tokenCount: true },
  });
}
