import { z } from 'zod';
import { type ServiceContext, withTransaction } from '../../context.js';
import { newId } from '../../ids.js';
import { byId, distinct } from '../common/by-id.js';
import { toJson } from '../common/json.js';
import { parseJsonColumn } from '../common/json-column.js';
import { type PageInput, paginate } from '../common/pagination.js';
import {
  idSchema,
  type Metadata,
  metadataSchema,
  namesNothing,
  parseInput,
  storedMetadataSchema,
} from '../common/validation.js';
import { type FileCounts, type FileTotals, vectorStoreTotals } from './vector-store-counts.js';
import { vectorStoreNotFound } from './vector-store-errors.js';
import { expiresAtFrom, isExpired } from './vector-store-expiry.js';
import { attachFiles } from './vector-store-file-attach.js';
import {
  type ChunkingStrategy,
  chunkingStrategyInputSchema,
  type ExpiresAfter,
  expiresAfterSchema,
} from './vector-store-inputs.js';

const createVectorStoreSchema = z.object({
  /** Files to index at once (at most 500, as OpenAI). */
  fileIds: z.array(idSchema).max(500).nullish(),
  name: z.string().max(256).nullish(),
  description: z.string().max(512).nullish(),
  expiresAfter: expiresAfterSchema.nullish(),
  /** Only used for `fileIds`. */
  chunkingStrategy: chunkingStrategyInputSchema.nullish(),
  metadata: metadataSchema.nullish(),
});

const updateVectorStoreSchema = z.object({
  name: z.string().max(256).nullish(),
  expiresAfter: expiresAfterSchema.nullish(),
  metadata: metadataSchema.nullish(),
});

export type CreateVectorStoreInput = z.input<typeof createVectorStoreSchema>;
/** Absent fields stay as they are; `expiresAfter: null` removes the expiry policy. */
export type UpdateVectorStoreInput = z.input<typeof updateVectorStoreSchema>;

export type VectorStoreStatus = 'expired' | 'in_progress' | 'completed';

/** A vector store as both APIs report it: the row plus what is derived from its files. */
export interface VectorStoreView {
  id: string;
  createdAt: Date;
  name: string;
  description: string | null;
  /** `expired` once past `expiresAt`; else `in_progress` while any file is being indexed. */
  status: VectorStoreStatus;
  usageBytes: number;
  fileCounts: FileCounts;
  expiresAfter: ExpiresAfter | null;
  expiresAt: Date | null;
  lastActiveAt: Date | null;
  metadata: Metadata;
}

const STORE_COLUMNS = {
  id: true,
  createdAt: true,
  name: true,
  description: true,
  status: true,
  expiresAfterDays: true,
  expiresAt: true,
  lastActiveAt: true,
  metadata: true,
} as const;

interface StoreRow {
  id: string;
  createdAt: Date;
  name: string;
  description: string | null;
  status: string;
  expiresAfterDays: number | null;
  expiresAt: Date | null;
  lastActiveAt: Date | null;
  metadata: unknown;
}

function toView(row: StoreRow, totals: FileTotals | undefined, now: Date): VectorStoreView {
  const fileCounts = totals?.fileCounts ?? {
    inProgress: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    total: 0,
  };
  return {
    id: row.id,
    createdAt: row.createdAt,
    name: row.name,
    description: row.description,
    status: isExpired(row, now)
      ? 'expired'
      : fileCounts.inProgress > 0
        ? 'in_progress'
        : 'completed',
    usageBytes: totals?.usageBytes ?? 0,
    fileCounts,
    expiresAfter:
      row.expiresAfterDays === null
        ? null
        : { anchor: 'last_active_at', days: row.expiresAfterDays },
    expiresAt: row.expiresAt,
    lastActiveAt: row.lastActiveAt,
    metadata: parseJsonColumn(storedMetadataSchema, row.metadata, {
      table: 'vector_stores',
      id: row.id,
      column: 'metadata',
    }),
  };
}

async function toViews(ctx: ServiceContext, rows: StoreRow[]): Promise<VectorStoreView[]> {
  const totals = await vectorStoreTotals(
    ctx.db,
    rows.map((row) => row.id),
  );
  const now = new Date();
  return rows.map((row) => toView(row, totals.get(row.id), now));
}

/** A validated new store (from `createVectorStore`, or the `vector_stores` helper). */
export interface NewVectorStore {
  fileIds?: string[] | null;
  name?: string | null;
  description?: string | null;
  expiresAfter?: ExpiresAfter | null;
  chunkingStrategy?: ChunkingStrategy | null;
  metadata?: Metadata | null;
}

/**
 * Writes a store and attaches its files (each indexed by a job enqueued in the same
 * transaction). `param` names the file ids in errors (`fileIds`, or the helper's nested path).
 */
export async function insertVectorStore(
  ctx: ServiceContext,
  data: NewVectorStore,
  param = 'fileIds',
): Promise<VectorStoreView> {
  return withTransaction(ctx, async (tx) => {
    const now = new Date();
    const id = newId('vectorStore');
    await tx.db.vectorStore.create({
      data: {
        id,
        projectId: tx.actor.projectId,
        createdAt: now,
        name: data.name ?? '',
        description: data.description ?? null,
        expiresAfterDays: data.expiresAfter?.days ?? null,
        expiresAt: data.expiresAfter ? expiresAtFrom(now, data.expiresAfter.days) : null,
        lastActiveAt: now,
        metadata: toJson(data.metadata ?? {}),
      },
    });
    const fileIds = data.fileIds ?? [];
    if (fileIds.length > 0) {
      await attachFiles(
        tx,
        id,
        fileIds.map((fileId) => ({ fileId, chunkingStrategy: data.chunkingStrategy, param })),
      );
    }
    return getVectorStore(tx, id);
  });
}

/** Creates a vector store; `chunkingStrategy` applies to `fileIds`. */
export async function createVectorStore(
  ctx: ServiceContext,
  input: CreateVectorStoreInput = {},
): Promise<VectorStoreView> {
  return insertVectorStore(ctx, parseInput(createVectorStoreSchema, input));
}

export async function findVectorStore(
  ctx: ServiceContext,
  id: string,
): Promise<VectorStoreView | null> {
  if (namesNothing(id)) {
    return null;
  }
  const row = await ctx.db.vectorStore.findFirst({
    where: { id, projectId: ctx.actor.projectId },
    select: STORE_COLUMNS,
  });
  if (!row) {
    return null;
  }
  const [view] = await toViews(ctx, [row]);
  return view ?? null;
}

export async function getVectorStore(ctx: ServiceContext, id: string): Promise<VectorStoreView> {
  const store = await findVectorStore(ctx, id);
  if (!store) {
    throw vectorStoreNotFound(id);
  }
  return store;
}

/** Vector stores of the project, newest first by default: two queries per page. */
export async function listVectorStores(ctx: ServiceContext, page?: PageInput) {
  const scope = { projectId: ctx.actor.projectId };
  const result = await paginate(page, {
    seqOf: async (id) =>
      (await ctx.db.vectorStore.findFirst({ where: { ...scope, id }, select: { seq: true } }))
        ?.seq ?? null,
    fetch: ({ seq, orderBy, take }) =>
      ctx.db.vectorStore.findMany({
        where: { ...scope, seq },
        orderBy,
        take,
        select: STORE_COLUMNS,
      }),
  });
  return { ...result, data: await toViews(ctx, result.data) };
}

/**
 * Renames, re-tags or changes the expiry policy. A new policy counts from `last_active_at`; an
 * expired store stays expired.
 */
export async function updateVectorStore(
  ctx: ServiceContext,
  id: string,
  input: UpdateVectorStoreInput,
): Promise<VectorStoreView> {
  const data = parseInput(updateVectorStoreSchema, input);
  return withTransaction(ctx, async (tx) => {
    const row = await tx.db.vectorStore.findFirst({
      where: { id, projectId: tx.actor.projectId },
      select: { lastActiveAt: true, createdAt: true, status: true, expiresAt: true },
    });
    if (!row) {
      throw vectorStoreNotFound(id);
    }
    const anchor = row.lastActiveAt ?? row.createdAt;
    await tx.db.vectorStore.update({
      where: { id },
      data: {
        // Recorded before the policy changes, so a new policy cannot revive an expired store.
        status: isExpired(row, new Date()) ? 'expired' : undefined,
        name: data.name === undefined ? undefined : (data.name ?? ''),
        metadata: data.metadata === undefined ? undefined : toJson(data.metadata ?? {}),
        ...(data.expiresAfter === undefined
          ? {}
          : {
              expiresAfterDays: data.expiresAfter?.days ?? null,
              expiresAt: data.expiresAfter ? expiresAtFrom(anchor, data.expiresAfter.days) : null,
            }),
      },
    });
    return getVectorStore(tx, id);
  });
}

/** Deletes the store with its file associations, batches and chunks; the files remain. */
export async function deleteVectorStore(ctx: ServiceContext, id: string) {
  const { count } = namesNothing(id)
    ? { count: 0 }
    : await ctx.db.vectorStore.deleteMany({ where: { id, projectId: ctx.actor.projectId } });
  if (count === 0) {
    throw vectorStoreNotFound(id);
  }
  return { id, deleted: true as const };
}

/** Vector stores by id in two statements (rows, then file counts), for the graph's relations. */
export async function vectorStoresByIds(
  ctx: ServiceContext,
  ids: readonly string[],
): Promise<Map<string, VectorStoreView>> {
  const rows = await ctx.db.vectorStore.findMany({
    where: { id: { in: distinct(ids) }, projectId: ctx.actor.projectId },
    select: STORE_COLUMNS,
  });
  return byId(await toViews(ctx, rows));
}
