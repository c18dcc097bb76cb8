import type { ServiceContext } from '../context.js';
import { vectorToBytes } from '../retrieval/float-vectors.js';

/** A chunk to store: its text, token count and (with an embedding model) its vector. */
export interface NewChunk {
  text: string;
  tokens: number;
  embedding: Float32Array | null;
}

/**
 * Replaces the chunks of one vector-store file with `chunks`, in the caller's transaction (so
 * a retried job never leaves duplicates). Returns the bytes of text stored (`usage_bytes`).
 */
export async function replaceFileChunks(
  ctx: ServiceContext,
  target: { vectorStoreId: string; fileId: string; embeddingModel: string | null },
  chunks: NewChunk[],
): Promise<number> {
  const { vectorStoreId, fileId } = target;
  await deleteFileChunks(ctx, vectorStoreId, fileId);
  const rows = await ctx.db.vectorStoreChunk.createManyAndReturn({
    data: chunks.map((chunk, index) => ({
      projectId: ctx.actor.projectId,
      vectorStoreId,
      fileId,
      chunkIndex: index,
      text: chunk.text,
      tokenCount: chunk.tokens,
      embedding: chunk.embedding ? vectorToBytes(chunk.embedding) : null,
      embeddingModel: chunk.embedding ? target.embeddingModel : null,
    })),
    select: { id: true, chunkIndex: true },
  });
  const vectors = rows.flatMap((row) => {
    const embedding = chunks[row.chunkIndex]?.embedding;
    return embedding ? [{ id: row.id, embedding }] : [];
  });
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
