import { type ServiceContext, withTransaction } from '../../context.js';
import { InvalidRequestError, NotFoundError } from '../../errors.js';
import type { Container, Prisma } from '../../generated/prisma/client.js';
import { newId } from '../../ids.js';
import { type PageInput, paginate } from '../common/pagination.js';
import { namesNothing, parseInput } from '../common/validation.js';
import { removeStoredBytes } from '../files/files.js';
import { copyFilesIntoContainer } from './container-file-bytes.js';
import {
  type CreateContainerInput,
  createContainerSchema,
  DEFAULT_EXPIRES_AFTER_MINUTES,
} from './container-input.js';
import { deleteContainerRow, insertContainer, touchContainer } from './store/container-writes.js';

type ContainerQuery = Omit<Prisma.ContainerFindFirstArgs, 'where'>;

export function containerNotFound(id: string, param: string | null = null): NotFoundError {
  return new NotFoundError(`Container with id '${id}' not found.`, { param });
}

/** OpenAI's words for any use of a container past its window. */
export function containerExpired(param: string | null = null): InvalidRequestError {
  return new InvalidRequestError('Container is expired.', { param });
}

/** A container of the caller's project, running or expired; `param` names the field a 404 blames. */
export async function getContainer(
  ctx: ServiceContext,
  id: string,
  query: ContainerQuery = {},
  param: string | null = null,
): Promise<Container> {
  const row = namesNothing(id)
    ? null
    : await ctx.db.container.findFirst({
        ...query,
        where: { id, projectId: ctx.actor.projectId },
      });
  if (!row) {
    throw containerNotFound(id, param);
  }
  return row;
}

/**
 * Marks a use of a running container (its expiry moves on); 404 when the project has no such
 * container, 400 `Container is expired.` when it has expired.
 */
export async function useContainer(
  ctx: ServiceContext,
  id: string,
  param: string | null = null,
): Promise<void> {
  if (!(await touchContainer(ctx.db, id, ctx.actor.projectId, new Date()))) {
    await getContainer(ctx, id, { select: { id: true } }, param);
    throw containerExpired(param);
  }
}

/**
 * Creates a container with copies of `fileIds` in /mnt/data. The copies are stored first and
 * the rows written in one transaction after, so a failure leaves nothing behind.
 */
export async function createContainer(
  ctx: ServiceContext,
  raw: CreateContainerInput,
): Promise<Container> {
  const input = parseInput(createContainerSchema, raw);
  const id = newId('container');
  const createdAt = new Date();
  const files = await copyFilesIntoContainer(ctx, id, input.fileIds ?? [], createdAt);
  try {
    await withTransaction(ctx, (tx) =>
      insertContainer(
        tx.db,
        {
          id,
          projectId: ctx.actor.projectId,
          name: input.name,
          createdAt,
          expiresAfterMinutes: input.expiresAfter?.minutes ?? DEFAULT_EXPIRES_AFTER_MINUTES,
          memoryLimit: input.memoryLimit ?? '1g',
        },
        files,
      ),
    );
  } catch (error) {
    await Promise.all(files.map((file) => removeStoredBytes(ctx, file.storageKey)));
    throw error;
  }
  return getContainer(ctx, id);
}

/** The project's containers, newest first by default; `name` keeps those with that name. */
export async function listContainers(
  ctx: ServiceContext,
  input: PageInput & { name?: string | null } = {},
) {
  const { name, ...page } = input;
  const scope: Prisma.ContainerWhereInput = {
    projectId: ctx.actor.projectId,
    ...(name ? { name } : {}),
  };
  return paginate(page, {
    seqOf: async (id) =>
      (await ctx.db.container.findFirst({ where: { ...scope, id }, select: { seq: true } }))?.seq ??
      null,
    fetch: ({ seq, orderBy, take }) =>
      ctx.db.container.findMany({ where: { AND: [scope, { seq }] }, orderBy, take }),
  });
}

/** Deletes the container and its files, rows then bytes. */
export async function deleteContainer(
  ctx: ServiceContext,
  id: string,
): Promise<{ id: string; deleted: true }> {
  const storageKeys = namesNothing(id)
    ? null
    : await deleteContainerRow(ctx.db, id, ctx.actor.projectId);
  if (storageKeys === null) {
    throw containerNotFound(id);
  }
  await Promise.all(storageKeys.map((key) => removeStoredBytes(ctx, key)));
  return { id, deleted: true };
}
