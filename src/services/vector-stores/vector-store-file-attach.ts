import { type ServiceContext, withTransaction } from '../../context.js';
import { NotFoundError } from '../../errors.js';
import { SQL_NULL, toJson } from '../common/json.js';
import { vectorStoreExpired, vectorStoreNotFound } from './vector-store-errors.js';
import { isExpired } from './vector-store-expiry.js';
import { enqueueFileIndexing } from './vector-store-indexing.js';
import {
  type Attributes,
  type ChunkingStrategy,
  resolveChunkingStrategy,
} from './vector-store-inputs.js';

/** One file to attach to a vector store. */
export interface AttachItem {
  fileId: string;
  attributes?: Attributes | null;
  /** Already parsed; absent means `auto`. */
  chunkingStrategy?: ChunkingStrategy | null;
  /** Where the file id came from in the request, for errors (`fileIds`, `files.3.fileId`). */
  param: string;
}

/**
 * Takes the store's row lock for the transaction, so attaches to one store serialize (two
 * requests adding the same file cannot both insert it) and a concurrent delete waits. 404s for
 * other projects' stores; refuses expired stores. `FOR NO KEY UPDATE` lets foreign key checks of
 * rows pointing at the store (an indexing job's chunks) through: see lockThread.
 */
export async function lockVectorStoreForWrite(ctx: ServiceContext, id: string): Promise<void> {
  const locked = await ctx.db.$queryRaw<{ id: string }[]>`
    SELECT id FROM vector_stores WHERE id = ${id} AND project_id = ${ctx.actor.projectId} FOR NO KEY UPDATE`;
  if (locked.length === 0) {
    throw vectorStoreNotFound(id);
  }
  const row = await ctx.db.vectorStore.findUniqueOrThrow({
    where: { id },
    select: { status: true, expiresAt: true },
  });
  if (isExpired(row, new Date())) {
    throw vectorStoreExpired(id);
  }
}

/**
 * Attaches files to a vector store inside the caller's transaction and enqueues one indexing
 * job per file that needs indexing, so a file is never `in_progress` without a job (or the
 * reverse). A file already in the store is kept as it is when `in_progress` or `completed`
 * (attaching is idempotent) and indexed again when it had `failed` or been `cancelled`. With a
 * `batchId`, every file of the request (old or new) belongs to that batch afterwards.
 */
export async function attachFiles(
  ctx: ServiceContext,
  vectorStoreId: string,
  items: AttachItem[],
  options: { batchId?: string } = {},
): Promise<string[]> {
  return withTransaction(ctx, async (tx) => {
    await lockVectorStoreForWrite(tx, vectorStoreId);
    const unique = [...new Map(items.map((item) => [item.fileId, item])).values()];
    const fileIds = unique.map((item) => item.fileId);
    const found = await tx.db.file.findMany({
      where: { projectId: tx.actor.projectId, id: { in: fileIds } },
      select: { id: true },
    });
    const known = new Set(found.map((file) => file.id));
    const missing = unique.find((item) => !known.has(item.fileId));
    if (missing) {
      throw new NotFoundError(`No file found with id '${missing.fileId}'.`, {
        param: missing.param,
      });
    }
    const existing = new Map(
      (
        await tx.db.vectorStoreFile.findMany({
          where: { vectorStoreId, fileId: { in: fileIds } },
          select: { fileId: true, status: true },
        })
      ).map((row) => [row.fileId, row.status]),
    );
    const batchId = options.batchId ?? null;
    const fields = (item: AttachItem) => ({
      status: 'in_progress',
      usageBytes: 0n,
      lastError: SQL_NULL,
      chunkingStrategy: toJson(resolveChunkingStrategy(item.chunkingStrategy)),
      attributes: item.attributes === null ? SQL_NULL : toJson(item.attributes ?? {}),
    });

    const fresh = unique.filter((item) => !existing.has(item.fileId));
    if (fresh.length > 0) {
      await tx.db.vectorStoreFile.createMany({
        data: fresh.map((item) => ({
          vectorStoreId,
          fileId: item.fileId,
          projectId: tx.actor.projectId,
          batchId,
          ...fields(item),
        })),
      });
    }
    const retried = unique.filter((item) => {
      const status = existing.get(item.fileId);
      return status === 'failed' || status === 'cancelled';
    });
    for (const item of retried) {
      await tx.db.vectorStoreFile.update({
        where: { vectorStoreId_fileId: { vectorStoreId, fileId: item.fileId } },
        data: { batchId: batchId ?? undefined, ...fields(item) },
      });
    }
    const kept = unique.filter((item) => {
      const status = existing.get(item.fileId);
      return status === 'in_progress' || status === 'completed';
    });
    if (batchId !== null && kept.length > 0) {
      await tx.db.vectorStoreFile.updateMany({
        where: { vectorStoreId, fileId: { in: kept.map((item) => item.fileId) } },
        data: { batchId },
      });
    }
    for (const item of [...fresh, ...retried]) {
      await enqueueFileIndexing(tx, { vectorStoreId, fileId: item.fileId });
    }
    return fileIds;
  });
}
