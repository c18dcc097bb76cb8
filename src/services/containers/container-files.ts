import { Readable } from 'node:stream';
import { type ServiceContext, withTransaction } from '../../context.js';
import { InvalidRequestError, NotFoundError } from '../../errors.js';
import type { ContainerFile } from '../../generated/prisma/client.js';
import type { BlobBody } from '../../storage/blob-storage.js';
import { BlobNotFoundError } from '../../storage/errors.js';
import { type PageInput, paginate } from '../common/pagination.js';
import { namesNothing } from '../common/validation.js';
import { removeStoredBytes } from '../files/files.js';
import {
  containerPath,
  copyFilesIntoContainer,
  storeContainerFileBytes,
} from './container-file-bytes.js';
import { containerExpired, getContainer, useContainer } from './containers.js';
import { deleteContainerFileRow, putContainerFile } from './store/container-writes.js';

export function containerFileNotFound(id: string): NotFoundError {
  return new NotFoundError(`Container file with id '${id}' not found.`);
}

/** A file upload (multipart) or a File to copy: exactly one of the two. */
export interface CreateContainerFileInput {
  file?: { name: string; stream: BlobBody } | null;
  fileId?: string | null;
}

/**
 * Adds a file to a running container: an upload, or a copy of a File (`file_id`), at
 * `/mnt/data/<name>` (replacing a file there). A use of the container: its expiry moves on.
 */
export async function createContainerFile(
  ctx: ServiceContext,
  containerId: string,
  input: CreateContainerFileInput,
): Promise<ContainerFile> {
  const release = () => {
    if (input.file?.stream instanceof Readable) {
      input.file.stream.destroy();
    }
  };
  if ((input.file == null) === (input.fileId == null)) {
    release();
    throw new InvalidRequestError(
      input.file == null
        ? "Missing required parameter: 'file' or 'file_id'."
        : "Mutually exclusive parameters: Ensure you are only providing one of: 'file' or 'file_id'.",
      { param: input.file == null ? 'file' : 'fileId' },
    );
  }
  try {
    await useContainer(ctx, containerId);
  } catch (error) {
    release();
    throw error;
  }
  const [stored] = input.file
    ? [
        await storeContainerFileBytes(
          ctx,
          { containerId, path: containerPath(input.file.name), source: 'user' },
          input.file.stream,
        ),
      ]
    : await copyFilesIntoContainer(ctx, containerId, [input.fileId ?? ''], new Date(), 'fileId');
  if (!stored) {
    throw new Error('a container file was neither uploaded nor copied');
  }
  return putStoredFile(ctx, stored);
}

/** Writes the row of stored bytes (replacing the file at its path), or removes the bytes. */
export async function putStoredFile(
  ctx: ServiceContext,
  stored: Parameters<typeof putContainerFile>[1],
): Promise<ContainerFile> {
  let replaced: string | null;
  try {
    replaced = await withTransaction(ctx, (tx) => putContainerFile(tx.db, stored));
  } catch (error) {
    await removeStoredBytes(ctx, stored.storageKey);
    throw error;
  }
  if (replaced !== null) {
    await removeStoredBytes(ctx, replaced);
  }
  return getContainerFile(ctx, stored.containerId, stored.id);
}

/** A container's files, newest first by default (an expired container's too, without bytes). */
export async function listContainerFiles(
  ctx: ServiceContext,
  containerId: string,
  page?: PageInput,
) {
  await getContainer(ctx, containerId, { select: { id: true } });
  return paginate(page, {
    seqOf: async (id) =>
      (
        await ctx.db.containerFile.findFirst({
          where: { id, containerId },
          select: { seq: true },
        })
      )?.seq ?? null,
    fetch: ({ seq, orderBy, take }) =>
      ctx.db.containerFile.findMany({ where: { containerId, seq }, orderBy, take }),
  });
}

export async function getContainerFile(
  ctx: ServiceContext,
  containerId: string,
  fileId: string,
): Promise<ContainerFile> {
  await getContainer(ctx, containerId, { select: { id: true } });
  const row = namesNothing(fileId)
    ? null
    : await ctx.db.containerFile.findFirst({ where: { id: fileId, containerId } });
  if (!row) {
    throw containerFileNotFound(fileId);
  }
  return row;
}

export async function deleteContainerFile(
  ctx: ServiceContext,
  containerId: string,
  fileId: string,
): Promise<{ id: string; deleted: true }> {
  await getContainer(ctx, containerId, { select: { id: true } });
  const storageKey = namesNothing(fileId)
    ? undefined
    : await deleteContainerFileRow(ctx.db, containerId, fileId);
  if (storageKey === undefined) {
    throw containerFileNotFound(fileId);
  }
  if (storageKey !== null) {
    await removeStoredBytes(ctx, storageKey);
  }
  return { id: fileId, deleted: true };
}

/**
 * A container file and a stream of its bytes; a use of the container. Past its window the
 * bytes are gone: `Container is expired.` Destroy the stream if unread.
 */
export async function openContainerFileContent(
  ctx: ServiceContext,
  containerId: string,
  fileId: string,
) {
  const file = await getContainerFile(ctx, containerId, fileId);
  await useContainer(ctx, containerId);
  if (file.storageKey === null) {
    throw containerExpired();
  }
  try {
    return { file, stream: await ctx.storage.get(file.storageKey) };
  } catch (error) {
    if (error instanceof BlobNotFoundError) {
      ctx.logger.error({ containerId, fileId }, 'container file bytes are missing');
    }
    throw error;
  }
}
