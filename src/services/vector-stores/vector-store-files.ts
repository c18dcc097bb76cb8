import { z } from 'zod';
import { type ServiceContext, withTransaction } from '../../context.js';
import { InvalidRequestError, NotFoundError } from '../../errors.js';
import { Prisma } from '../../generated/prisma/client.js';
import { distinct } from '../common/by-id.js';
import { childPages } from '../common/child-pages.js';
import { SQL_NULL, toJson } from '../common/json.js';
import { type Page, type PageInput, paginate } from '../common/pagination.js';
import { idSchema, namesNothing, parseInput } from '../common/validation.js';
import { vectorStoreNotFound } from './vector-store-errors.js';
import { attachFiles } from './vector-store-file-attach.js';
import {
  toVectorStoreFileView,
  VECTOR_STORE_FILE_COLUMNS,
  VECTOR_STORE_FILE_STATUSES,
  type VectorStoreFileStatus,
  type VectorStoreFileView,
} from './vector-store-file-view.js';
import { attributesSchema, chunkingStrategyInputSchema } from './vector-store-inputs.js';

const createVectorStoreFileSchema = z.object({
  fileId: idSchema,
  chunkingStrategy: chunkingStrategyInputSchema.nullish(),
  attributes: attributesSchema.nullish(),
});

const updateVectorStoreFileSchema = z.object({
  /** Replaces the attributes; `null` clears them. */
  attributes: attributesSchema.nullable(),
});

export const fileStatusFilterSchema = z.enum(VECTOR_STORE_FILE_STATUSES).nullish();

export type CreateVectorStoreFileInput = z.input<typeof createVectorStoreFileSchema>;
/** `attributes` is required but may be null (checked here, for OpenAI's wording). */
export interface UpdateVectorStoreFileInput {
  attributes?: unknown;
}
export type FileStatusFilter = z.input<typeof fileStatusFilterSchema>;

export function vectorStoreFileNotFound(vectorStoreId: string, fileId: string): NotFoundError {
  return new NotFoundError(`No file found with id '${fileId}' in vector store '${vectorStoreId}'.`);
}

/** 404s unless the store exists in the caller's project. */
export async function assertVectorStoreExists(ctx: ServiceContext, id: string): Promise<void> {
  const store = namesNothing(id)
    ? null
    : await ctx.db.vectorStore.findFirst({
        where: { id, projectId: ctx.actor.projectId },
        select: { id: true },
      });
  if (!store) {
    throw vectorStoreNotFound(id);
  }
}

/** Attaches a File and enqueues its indexing in one transaction; the result is `in_progress`. */
export async function createVectorStoreFile(
  ctx: ServiceContext,
  vectorStoreId: string,
  input: CreateVectorStoreFileInput,
): Promise<VectorStoreFileView> {
  const data = parseInput(createVectorStoreFileSchema, input);
  return withTransaction(ctx, async (tx) => {
    await attachFiles(tx, vectorStoreId, [
      {
        fileId: data.fileId,
        attributes: data.attributes,
        chunkingStrategy: data.chunkingStrategy,
        param: 'fileId',
      },
    ]);
    return getVectorStoreFile(tx, vectorStoreId, data.fileId);
  });
}

export async function getVectorStoreFile(
  ctx: ServiceContext,
  vectorStoreId: string,
  fileId: string,
): Promise<VectorStoreFileView> {
  const row =
    namesNothing(vectorStoreId) || namesNothing(fileId)
      ? null
      : await ctx.db.vectorStoreFile.findFirst({
          where: { vectorStoreId, fileId, projectId: ctx.actor.projectId },
          select: VECTOR_STORE_FILE_COLUMNS,
        });
  if (!row) {
    await assertVectorStoreExists(ctx, vectorStoreId);
    throw vectorStoreFileNotFound(vectorStoreId, fileId);
  }
  return toVectorStoreFileView(row);
}

/**
 * Files of a scope (a store, or a batch), optionally in one status; cursors are file ids. A
 * cursor is found whatever its status now, so a file that finished indexing between two pages
 * of `filter=in_progress` does not break the walk.
 */
export async function pageVectorStoreFiles(
  ctx: ServiceContext,
  scope: Prisma.VectorStoreFileWhereInput,
  status: VectorStoreFileStatus | null | undefined,
  page: PageInput | undefined,
): Promise<Page<VectorStoreFileView>> {
  const where = { ...scope, status: status ?? undefined };
  return paginate(page, {
    seqOf: async (fileId) =>
      (
        await ctx.db.vectorStoreFile.findFirst({
          where: { ...scope, fileId },
          select: { seq: true },
        })
      )?.seq ?? null,
    fetch: async ({ seq, orderBy, take }) =>
      (
        await ctx.db.vectorStoreFile.findMany({
          where: { ...where, seq },
          orderBy,
          take,
          select: VECTOR_STORE_FILE_COLUMNS,
        })
      ).map(toVectorStoreFileView),
  });
}

export async function listVectorStoreFiles(
  ctx: ServiceContext,
  vectorStoreId: string,
  options: { filter?: FileStatusFilter; page?: PageInput } = {},
): Promise<Page<VectorStoreFileView>> {
  const filter = parseInput(fileStatusFilterSchema, options.filter, 'filter');
  await assertVectorStoreExists(ctx, vectorStoreId);
  return pageVectorStoreFiles(
    ctx,
    { vectorStoreId, projectId: ctx.actor.projectId },
    filter,
    options.page,
  );
}

/** Replaces a file's attributes (what search filters compare against). */
export async function updateVectorStoreFileAttributes(
  ctx: ServiceContext,
  vectorStoreId: string,
  fileId: string,
  input: UpdateVectorStoreFileInput,
): Promise<VectorStoreFileView> {
  if (input.attributes === undefined) {
    throw new InvalidRequestError("Missing required parameter: 'attributes'.", {
      param: 'attributes',
      openaiCode: 'missing_required_parameter',
    });
  }
  const data = parseInput(updateVectorStoreFileSchema, input);
  const { count } = await ctx.db.vectorStoreFile.updateMany({
    where: { vectorStoreId, fileId, projectId: ctx.actor.projectId },
    data: { attributes: data.attributes === null ? SQL_NULL : toJson(data.attributes) },
  });
  if (count === 0) {
    await assertVectorStoreExists(ctx, vectorStoreId);
    throw vectorStoreFileNotFound(vectorStoreId, fileId);
  }
  return getVectorStoreFile(ctx, vectorStoreId, fileId);
}

/**
 * Detaches a file from the store, with its chunks; the File itself stays. An indexing job still
 * running for it finds the row gone and discards its work.
 */
export async function deleteVectorStoreFile(
  ctx: ServiceContext,
  vectorStoreId: string,
  fileId: string,
) {
  const { count } =
    namesNothing(vectorStoreId) || namesNothing(fileId)
      ? { count: 0 }
      : await ctx.db.vectorStoreFile.deleteMany({
          where: { vectorStoreId, fileId, projectId: ctx.actor.projectId },
        });
  if (count === 0) {
    await assertVectorStoreExists(ctx, vectorStoreId);
    throw vectorStoreFileNotFound(vectorStoreId, fileId);
  }
  return { id: fileId, deleted: true as const };
}

/**
 * Memberships in one statement: those whose parent column is one of `parents` and whose file
 * is one of `fileIds` (a superset of the pairs asked for; the caller files rows by their key).
 */
async function vectorStoreFilesWhere(
  ctx: ServiceContext,
  where: Prisma.VectorStoreFileWhereInput,
): Promise<VectorStoreFileView[]> {
  const rows = await ctx.db.vectorStoreFile.findMany({
    where: { ...where, projectId: ctx.actor.projectId },
    select: VECTOR_STORE_FILE_COLUMNS,
  });
  return rows.map(toVectorStoreFileView);
}

const among = (values: string[]) => ({ in: distinct(values) });

/**
 * A page of files for each vector store (`of: 'vectorStore'`) or each file batch (`of:
 * 'batch'`), optionally in one status; cursors are file ids.
 */
export function vectorStoreFilePages(
  ctx: ServiceContext,
  of: 'vectorStore' | 'batch',
  parents: readonly string[],
  options: { filter?: FileStatusFilter; page?: PageInput },
): Promise<Page<VectorStoreFileView>[]> {
  const status = parseInput(fileStatusFilterSchema, options.filter, 'filter');
  return childPages(
    ctx,
    {
      table: 'vector_store_files',
      parentColumn: of === 'vectorStore' ? 'vector_store_id' : 'batch_id',
      cursorColumn: 'file_id',
      where: status ? Prisma.sql`c.status = ${status}` : undefined,
    },
    parents,
    options.page,
    {
      load: (keys) => {
        const parentIds = among(keys.map((key) => key.parent));
        return vectorStoreFilesWhere(ctx, {
          ...(of === 'vectorStore' ? { vectorStoreId: parentIds } : { batchId: parentIds }),
          fileId: among(keys.map((key) => key.cursor)),
        });
      },
      keyOf: (file) => ({
        parent: of === 'vectorStore' ? file.vectorStoreId : (file.batchId ?? ''),
        cursor: file.id,
      }),
    },
  );
}

/** A page of each file's memberships in vector stores, in the order it was attached. */
export function vectorStorePagesOfFiles(
  ctx: ServiceContext,
  fileIds: readonly string[],
  page: PageInput | undefined,
): Promise<Page<VectorStoreFileView>[]> {
  return childPages(
    ctx,
    { table: 'vector_store_files', parentColumn: 'file_id', cursorColumn: 'vector_store_id' },
    fileIds,
    page,
    {
      load: (keys) =>
        vectorStoreFilesWhere(ctx, {
          fileId: among(keys.map((key) => key.parent)),
          vectorStoreId: among(keys.map((key) => key.cursor)),
        }),
      keyOf: (file) => ({ parent: file.id, cursor: file.vectorStoreId }),
    },
  );
}
