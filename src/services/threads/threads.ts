import { z } from 'zod';
import { type ServiceContext, withTransaction } from '../../context.js';
import { threadSql } from '../../db/row-sql.js';
import { NotFoundError } from '../../errors.js';
import type { Prisma, Thread } from '../../generated/prisma/client.js';
import { newId } from '../../ids.js';
import { resolveToolResources, toolResourcesSchema } from '../assistants/tool-resources.js';
import { toJson } from '../common/json.js';
import { type PageInput, paginate } from '../common/pagination.js';
import { wantsWholeRow } from '../common/row-query.js';
import { metadataSchema, namesNothing, parseInput } from '../common/validation.js';
import { THREAD_HELPER_EXPIRY_DAYS } from '../vector-stores/vector-store-inputs.js';
import { createMessageSchema, insertMessage } from './messages.js';

const createThreadSchema = z.object({
  messages: z.array(createMessageSchema).max(32).nullish(),
  toolResources: toolResourcesSchema.nullish(),
  metadata: metadataSchema.nullish(),
});

const updateThreadSchema = z.object({
  toolResources: toolResourcesSchema.nullish(),
  metadata: metadataSchema.nullish(),
});

export type CreateThreadInput = z.input<typeof createThreadSchema>;
export type UpdateThreadInput = z.input<typeof updateThreadSchema>;

type ThreadQuery = Pick<Prisma.ThreadFindFirstArgs, 'select' | 'include'>;

function notFound(id: string): NotFoundError {
  return new NotFoundError(`No thread found with id '${id}'.`);
}

/** Creates a thread and its initial messages in one transaction: all or nothing. */
export async function createThread(
  ctx: ServiceContext,
  input: CreateThreadInput = {},
  query: ThreadQuery = {},
) {
  const data = parseInput(createThreadSchema, input);
  return withTransaction(ctx, async (tx) => {
    const toolResources = await resolveToolResources(tx, data.toolResources, 'toolResources', {
      expiresAfterDays: THREAD_HELPER_EXPIRY_DAYS,
    });
    // Raw SQL: every thread-and-run writes one (Prisma's query compiler costs ~1 ms of CPU).
    const [thread] = await tx.db.$queryRaw<Thread[]>`
      INSERT INTO threads (id, project_id, created_at, tool_resources, metadata)
      VALUES (${newId('thread')}, ${tx.actor.projectId}, ${new Date()}::timestamp(3),
              ${JSON.stringify(toolResources ?? {})}::jsonb, ${JSON.stringify(data.metadata ?? {})}::jsonb)
      RETURNING ${threadSql.columns}`;
    if (!thread) {
      throw new Error('Thread insert returned no row');
    }
    for (const [index, message] of (data.messages ?? []).entries()) {
      await insertMessage(tx, thread.id, message, `messages.${index}`);
    }
    // file_search attachments may have given the thread a vector store: the row changed.
    const searchAttachments = (data.messages ?? []).some((message) =>
      message.attachments?.some((attachment) =>
        attachment.tools.some((tool) => tool.type === 'file_search'),
      ),
    );
    return wantsWholeRow(query) && !searchAttachments ? thread : getThread(tx, thread.id, query);
  });
}

export async function findThread(ctx: ServiceContext, id: string, query: ThreadQuery = {}) {
  if (namesNothing(id)) {
    return null;
  }
  return ctx.db.thread.findFirst({ ...query, where: { id, projectId: ctx.actor.projectId } });
}

export async function getThread(ctx: ServiceContext, id: string, query: ThreadQuery = {}) {
  const thread = await findThread(ctx, id, query);
  if (!thread) {
    throw notFound(id);
  }
  return thread;
}

/** Threads of the project. OpenAI has no such endpoint; GraphQL offers it. */
const threadFilterSchema = z.object({
  /** Threads whose metadata has this key with this value (Prisma's JSON path filter). */
  metadata: z.object({ key: z.string().min(1).max(64), value: z.string().max(512) }).nullish(),
  /** Created at or after this time. */
  createdAfter: z.date().nullish(),
  /** Created before this time. */
  createdBefore: z.date().nullish(),
});

export type ThreadFilter = z.input<typeof threadFilterSchema>;

/** Threads of the project, newest first by default, optionally filtered (not in OpenAI's API). */
export async function listThreads(
  ctx: ServiceContext,
  page?: PageInput,
  query: ThreadQuery = {},
  filter: ThreadFilter = {},
) {
  const { metadata, createdAfter, createdBefore } = parseInput(
    threadFilterSchema,
    filter,
    'filter',
  );
  const scope: Prisma.ThreadWhereInput = {
    projectId: ctx.actor.projectId,
    ...(metadata ? { metadata: { path: [metadata.key], equals: metadata.value } } : {}),
    ...(createdAfter || createdBefore
      ? { createdAt: { gte: createdAfter ?? undefined, lt: createdBefore ?? undefined } }
      : {}),
  };
  return paginate(page, {
    // A cursor is found among all the project's threads, so a filter can change between pages.
    seqOf: async (id) =>
      (
        await ctx.db.thread.findFirst({
          where: { projectId: ctx.actor.projectId, id },
          select: { seq: true },
        })
      )?.seq ?? null,
    fetch: ({ seq, orderBy, take }) =>
      ctx.db.thread.findMany({ ...query, where: { ...scope, seq }, orderBy, take }),
  });
}

export async function updateThread(
  ctx: ServiceContext,
  id: string,
  input: UpdateThreadInput,
  query: ThreadQuery = {},
) {
  const data = parseInput(updateThreadSchema, input);
  await getThread(ctx, id, { select: { id: true } });
  const toolResources =
    data.toolResources === undefined
      ? undefined
      : await resolveToolResources(ctx, data.toolResources);
  const { count } = await ctx.db.thread.updateMany({
    where: { id, projectId: ctx.actor.projectId },
    data: {
      toolResources: toolResources === undefined ? undefined : toJson(toolResources ?? {}),
      metadata: data.metadata === undefined ? undefined : toJson(data.metadata ?? {}),
    },
  });
  if (count === 0) {
    throw notFound(id);
  }
  return getThread(ctx, id, query);
}

/** Deletes the thread with its messages, runs and steps (cascade). */
export async function deleteThread(ctx: ServiceContext, id: string) {
  const { count } = namesNothing(id)
    ? { count: 0 }
    : await ctx.db.thread.deleteMany({ where: { id, projectId: ctx.actor.projectId } });
  if (count === 0) {
    throw notFound(id);
  }
  return { id, deleted: true as const };
}
