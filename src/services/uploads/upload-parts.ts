import { Readable } from 'node:stream';
import { type ServiceContext, withTransaction } from '../../context.js';
import { InvalidRequestError, PayloadTooLargeError } from '../../errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { newId } from '../../ids.js';
import type { BlobBody } from '../../storage/blob-storage.js';
import { BlobTooLargeError } from '../../storage/errors.js';
import { removeStoredBytes } from '../files/files.js';
import { assertUploadOpen, getUpload, UPLOAD_MAX_BYTES, updateOpenUpload } from './uploads.js';

export interface AddUploadPartInput {
  uploadId: string;
  /** The part's bytes, streamed to storage as they arrive (never held whole in memory). */
  content: BlobBody;
}

/** Where a part's bytes live: beside the project's files, under the upload's own folder. */
function partKey(projectId: string, uploadId: string, partId: string): string {
  return `${projectId}/uploads/${uploadId}/${partId}`;
}

async function storePart(ctx: ServiceContext, storageKey: string, content: BlobBody) {
  const maxBytes = ctx.settings.uploadPartMaxBytes;
  try {
    return (await ctx.storage.put(storageKey, content, { maxBytes })).bytes;
  } catch (error) {
    if (error instanceof BlobTooLargeError) {
      throw new PayloadTooLargeError(
        `Part is too large: the maximum part size is ${maxBytes} bytes.`,
        { param: 'data', cause: error },
      );
    }
    throw error;
  }
}

/**
 * Adds a part to a pending upload. Over UPLOAD_PART_MAX_BYTES: 413, nothing kept. The row is
 * written only if the upload is still open once the bytes are stored (a cancel or complete may
 * have come meanwhile); otherwise the bytes are removed again.
 */
export async function addUploadPart(
  ctx: ServiceContext,
  input: AddUploadPartInput,
  query: Pick<Prisma.UploadPartFindFirstArgs, 'select'> = {},
) {
  try {
    assertUploadOpen(await getUpload(ctx, input.uploadId), 'add a part to');
  } catch (error) {
    // Refused unread: release the source (a request body, a spooled file) now.
    if (input.content instanceof Readable) {
      input.content.destroy();
    }
    throw error;
  }
  const id = newId('uploadPart');
  const storageKey = partKey(ctx.actor.projectId, input.uploadId, id);
  const bytes = await storePart(ctx, storageKey, input.content);
  try {
    return await withTransaction(ctx, async (tx) => {
      await updateOpenUpload(tx, input.uploadId, 'add a part to', { status: 'pending' });
      const stored = await tx.db.uploadPart.aggregate({
        where: { uploadId: input.uploadId },
        _sum: { bytes: true },
      });
      if (Number(stored._sum.bytes ?? 0) + bytes > UPLOAD_MAX_BYTES) {
        throw new InvalidRequestError(
          `Upload ${input.uploadId} would pass the maximum of ${UPLOAD_MAX_BYTES} bytes in total.`,
          { param: 'data' },
        );
      }
      return tx.db.uploadPart.create({
        ...query,
        data: { id, uploadId: input.uploadId, bytes, storageKey },
      });
    });
  } catch (error) {
    await removeStoredBytes(ctx, storageKey);
    throw error;
  }
}
