import type { ServiceContext } from '../../context.js';
import { InvalidRequestError, PayloadTooLargeError } from '../../errors.js';
import { newId } from '../../ids.js';
import { sanitizeFileName } from '../../sandbox/session-dir.js';
import type { BlobBody } from '../../storage/blob-storage.js';
import { BlobTooLargeError } from '../../storage/errors.js';
import { filesByIds, openFileContent, removeStoredBytes } from '../files/files.js';
import type { NewContainerFile } from './store/container-writes.js';

/** Where a file named `filename` lands in the sandbox. */
export function containerPath(filename: string): string {
  return `/mnt/data/${sanitizeFileName(filename)}`;
}

/**
 * Streams a container file's bytes to storage under a fresh id (not yet visible: write its
 * row with the store, or remove the bytes). Over `fileMaxBytes`: 413 and nothing kept.
 */
export async function storeContainerFileBytes(
  ctx: ServiceContext,
  file: { containerId: string; path: string; source: 'user' | 'assistant'; createdAt?: Date },
  body: BlobBody,
): Promise<NewContainerFile> {
  const id = newId('containerFile');
  const storageKey = `${ctx.actor.projectId}/containers/${file.containerId}/${id}`;
  const maxBytes = ctx.settings.fileMaxBytes;
  try {
    const { bytes } = await ctx.storage.put(storageKey, body, { maxBytes });
    return {
      id,
      containerId: file.containerId,
      projectId: ctx.actor.projectId,
      path: file.path,
      bytes,
      source: file.source,
      storageKey,
      createdAt: file.createdAt ?? new Date(),
    };
  } catch (error) {
    if (error instanceof BlobTooLargeError) {
      throw new PayloadTooLargeError(
        `File '${file.path}' is too large: the maximum file size is ${maxBytes} bytes.`,
        { param: 'file', openaiCode: 'file_too_large', cause: error },
      );
    }
    throw error;
  }
}

/**
 * Copies Files into a container being made (`file_ids`), each under its name in /mnt/data (a
 * later file of the same name wins). Unknown ids are a 400 naming `file_ids`; on any failure
 * the copies made so far are removed.
 */
export async function copyFilesIntoContainer(
  ctx: ServiceContext,
  containerId: string,
  fileIds: string[],
  createdAt: Date,
  param = 'fileIds',
): Promise<NewContainerFile[]> {
  if (fileIds.length === 0) {
    return [];
  }
  const found = await filesByIds(ctx, fileIds);
  const missing = fileIds.find((id) => !found.has(id));
  if (missing !== undefined) {
    throw new InvalidRequestError(`Invalid '${param}': no file found with id '${missing}'.`, {
      param,
    });
  }
  const byPath = new Map<string, string>();
  for (const id of fileIds) {
    const file = found.get(id);
    if (file) {
      byPath.set(containerPath(file.filename), id);
    }
  }
  const copies: NewContainerFile[] = [];
  try {
    for (const [path, fileId] of byPath) {
      const { stream } = await openFileContent(ctx, fileId);
      copies.push(
        await storeContainerFileBytes(
          ctx,
          { containerId, path, source: 'user', createdAt },
          stream,
        ),
      );
    }
  } catch (error) {
    await Promise.all(copies.map((copy) => removeStoredBytes(ctx, copy.storageKey)));
    throw error;
  }
  return copies;
}
