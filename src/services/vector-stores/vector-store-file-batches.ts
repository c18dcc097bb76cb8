import { z } from 'zod';
import { type ServiceContext, withTransaction } from '../../context.js';
import { ConflictError, InvalidRequestError, NotFoundError } from '../../errors.js';
import { newId } from '../../ids.js';
import { byId, distinct } from '../common/by-id.js';
import type { Page, PageInput } from '../common/pagination.js';
import { idSchema, namesNothing, parseInput } from '../common/validation.js';
import { batchTotals, type FileCounts, type FileTotals } from './vector-store-counts.js';
import {
  type AttachItem,
  attachFiles,
  lockVectorStoreForWrite,
} from './vector-store-file-attach.js';
import type { VectorStoreFileView } from './vector-store-file-view.js';
import {
  assertVectorStoreExists,
  type FileStatusFilter,
  fileStatusFilterSchema,
  pageVectorStoreFiles,
} from './vector-store-files.js';
import { attributesSchema, chunkingStrategyInputSchema } from './vector-store-inputs.js';

const batchFileSchema = z.object({
  fileId: idSchema,
  attributes: attributesSchema.nullish(),
  chunkingStrategy: chunkingStrategyInputSchema.nullish(),
});

const createBatchSchema = z.object({
  /** 1–2000 file ids sharing `attributes` and `chunkingStrategy`. */
  fileIds: z.array(idSchema).min(1).max(2000).nullish(),
  /** 1–2000 files, each with its own attributes and chunking (the shared ones are ignored). */
  files: z.array(batchFileSchema).min(1).max(2000).nullish(),
  chunkingStrategy: chunkingStrategyInputSchema.nullish(),
  attributes: attributesSchema.nullish(),
});

export type CreateVectorStoreFileBatchInput = z.input<typeof createBatchSchema>;

export type FileBatchStatus = 'in_progress' | 'completed' | 'cancelled' | 'failed';

/** A batch of files attached together; its status and counts derive from those files. */
export interface VectorStoreFileBatchView {
  id: string;
  vectorStoreId: string;
  createdAt: Date;
  status: FileBatchStatus;
  fileCounts: FileCounts;
}

function batchNotFound(id: string): NotFoundError {
  return new NotFoundError(`No vector store file batch found with id '${id}'.`);
}

interface BatchRow {
  id: string;
  vectorStoreId: string;
  createdAt: Date;
  status: string;
}

/**
 * `cancelled` once cancelled; else `in_progress` while any file is, `failed` when every file
 * failed, `completed` otherwise.
 */
function toView(row: BatchRow, totals: FileTotals | undefined): VectorStoreFileBatchView {
  const counts = totals?.fileCounts ?? {
    inProgress: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    total: 0,
  };
  let status: FileBatchStatus = 'completed';
  if (row.status === 'cancelled') {
    status = 'cancelled';
  } else if (counts.inProgress > 0) {
    status = 'in_progress';
  } else if (counts.total > 0 && counts.failed === counts.total) {
    status = 'failed';
  }
  return {
    id: row.id,
    vectorStoreId: row.vectorStoreId,
    createdAt: row.createdAt,
    status,
    fileCounts: counts,
  };
}

function batchItems(data: z.output<typeof createBatchSchema>): AttachItem[] {
  if (data.files && data.fileIds) {
    throw new InvalidRequestError(
      "Invalid 'files': give either a list of file ids or a list of files, not both.",
      { param: 'files', openaiCode: 'invalid_value' },
    );
  }
  if (data.files) {
    return data.files.map((file, index) => ({ ...file, param: `files.${index}.fileId` }));
  }
  if (data.fileIds) {
    return data.fileIds.map((fileId) => ({
      fileId,
      attributes: data.attributes,
      chunkingStrategy: data.chunkingStrategy,
      param: 'fileIds',
    }));
  }
  throw new InvalidRequestError("Missing required parameter: 'fileIds'.", {
    param: 'fileIds',
    openaiCode: 'missing_required_parameter',
  });
}

/** Attaches the files as one batch and enqueues their indexing, in one transaction. */
export async function createVectorStoreFileBatch(
  ctx: ServiceContext,
  vectorStoreId: string,
  input: CreateVectorStoreFileBatchInput,
): Promise<VectorStoreFileBatchView> {
  const items = batchItems(parseInput(createBatchSchema, input));
  return withTransaction(ctx, async (tx) => {
    await lockVectorStoreForWrite(tx, vectorStoreId);
    const batch = await tx.db.vectorStoreFileBatch.create({
      data: { id: newId('fileBatch'), projectId: tx.actor.projectId, vectorStoreId },
      select: { id: true },
    });
    await attachFiles(tx, vectorStoreId, items, { batchId: batch.id });
    return getVectorStoreFileBatch(tx, vectorStoreId, batch.id);
  });
}

async function findBatchRow(ctx: ServiceContext, vectorStoreId: string, batchId: string) {
  const row =
    namesNothing(batchId) || namesNothing(vectorStoreId)
      ? null
      : await ctx.db.vectorStoreFileBatch.findFirst({
          where: { id: batchId, vectorStoreId, projectId: ctx.actor.projectId },
          select: { id: true, vectorStoreId: true, createdAt: true, status: true },
        });
  if (!row) {
    await assertVectorStoreExists(ctx, vectorStoreId);
    throw batchNotFound(batchId);
  }
  return row;
}

export async function getVectorStoreFileBatch(
  ctx: ServiceContext,
  vectorStoreId: string,
  batchId: string,
): Promise<VectorStoreFileBatchView> {
  const row = await findBatchRow(ctx, vectorStoreId, batchId);
  const totals = await batchTotals(ctx.db, [row.id]);
  return toView(row, totals.get(row.id));
}

/**
 * Cancels a batch still in progress: its files not yet indexed become `cancelled` at once (their
 * jobs find them cancelled and discard their work), and the batch reports `cancelled`.
 */
export async function cancelVectorStoreFileBatch(
  ctx: ServiceContext,
  vectorStoreId: string,
  batchId: string,
): Promise<VectorStoreFileBatchView> {
  return withTransaction(ctx, async (tx) => {
    const current = await getVectorStoreFileBatch(tx, vectorStoreId, batchId);
    if (current.status !== 'in_progress') {
      throw new ConflictError(
        `Cannot cancel vector store file batch with status '${current.status}'.`,
      );
    }
    await tx.db.vectorStoreFile.updateMany({
      where: { batchId, status: 'in_progress' },
      data: { status: 'cancelled' },
    });
    await tx.db.vectorStoreFileBatch.update({
      where: { id: batchId },
      data: { status: 'cancelled' },
    });
    return getVectorStoreFileBatch(tx, vectorStoreId, batchId);
  });
}

export async function listVectorStoreFileBatchFiles(
  ctx: ServiceContext,
  vectorStoreId: string,
  batchId: string,
  options: { filter?: FileStatusFilter; page?: PageInput } = {},
): Promise<Page<VectorStoreFileView>> {
  const filter = parseInput(fileStatusFilterSchema, options.filter, 'filter');
  await findBatchRow(ctx, vectorStoreId, batchId);
  return pageVectorStoreFiles(
    ctx,
    { batchId, vectorStoreId, projectId: ctx.actor.projectId },
    filter,
    options.page,
  );
}

/** File batches by id in two statements (rows, then file counts), for the graph's relations. */
export async function fileBatchesByIds(
  ctx: ServiceContext,
  ids: readonly string[],
): Promise<Map<string, VectorStoreFileBatchView>> {
  const rows = await ctx.db.vectorStoreFileBatch.findMany({
    where: { id: { in: distinct(ids) }, projectId: ctx.actor.projectId },
    select: { id: true, vectorStoreId: true, createdAt: true, status: true },
  });
  const totals = await batchTotals(
    ctx.db,
    rows.map((row) => row.id),
  );
  return byId(rows.map((row) => toView(row, totals.get(row.id))));
}
