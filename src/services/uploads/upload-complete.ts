import { createHash, type Hash } from 'node:crypto';
import { z } from 'zod';
import { type ServiceContext, withTransaction } from '../../context.js';
import { ConflictError, InvalidRequestError } from '../../errors.js';
import type { BlobStorage } from '../../storage/blob-storage.js';
import { idSchema, parseInput } from '../common/validation.js';
import {
  type FilePurpose,
  fileExpiresAfterSeconds,
  fileRowData,
  removeStoredBytes,
  storeFileBytes,
} from '../files/files.js';
import { guessMimeType } from '../files/mime-types.js';
import { removeUploadParts } from './upload-parts-removal.js';
import { getUpload, type UploadQuery, type UploadState, updateOpenUpload } from './uploads.js';

const completeUploadSchema = z.object({
  partIds: z
    .array(idSchema)
    .min(1)
    .refine((ids) => new Set(ids).size === ids.length, 'each part may be given only once.'),
  md5: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, 'expected an MD5 checksum as 32 hexadecimal digits.')
    .nullish(),
});

/** OpenAI's `CompleteUploadRequest`, camelCase. */
export interface CompleteUploadInput {
  /** The parts, in the order their bytes make up the file. */
  partIds: string[];
  /** The file's MD5 (hex): when given, a mismatch refuses the complete. */
  md5?: string | null;
}

/** The parts named, in that order; 400 for a part of another (or no) upload or a wrong total. */
async function orderedParts(ctx: ServiceContext, upload: UploadState, partIds: string[]) {
  const rows = await ctx.db.uploadPart.findMany({
    where: { uploadId: upload.id, id: { in: partIds } },
    select: { id: true, bytes: true, storageKey: true },
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const parts = partIds.map((id, index) => {
    const part = byId.get(id);
    if (!part) {
      throw new InvalidRequestError(
        `Invalid 'partIds.${index}': ${id} is not a part of Upload ${upload.id}.`,
        { param: `partIds.${index}`, openaiCode: 'invalid_value' },
      );
    }
    return part;
  });
  const total = parts.reduce((sum, part) => sum + Number(part.bytes), 0);
  if (total !== Number(upload.bytes)) {
    throw new InvalidRequestError(
      `The parts add up to ${total} bytes, but Upload ${upload.id} was created with bytes=${upload.bytes}.`,
      { param: 'partIds' },
    );
  }
  return parts;
}

/** The parts' bytes one after the other, read as they are written on, hashed on the way. */
async function* concatenated(storage: BlobStorage, keys: string[], hash: Hash) {
  for (const key of keys) {
    for await (const chunk of await storage.get(key)) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      yield bytes;
    }
  }
}

/**
 * Concatenates the parts (streamed) into a new File and marks the upload `completed` with it;
 * the parts' bytes are deleted afterwards. One complete at a time: it claims the upload first,
 * and a failure (a wrong md5, storage trouble) gives the claim back, leaving the upload pending
 * and completable, with no File row and no file bytes left behind.
 */
export async function completeUpload(
  ctx: ServiceContext,
  id: string,
  input: CompleteUploadInput,
  query: UploadQuery = {},
) {
  const data = parseInput(completeUploadSchema, input);
  const upload = await getUpload(ctx, id);
  const claim = new Date();
  await updateOpenUpload(ctx, id, 'complete', { completingSince: claim });
  let completed: Awaited<ReturnType<typeof getUpload>>;
  try {
    completed = await writeFile(ctx, upload, data, claim, query);
  } catch (error) {
    await ctx.db.upload.updateMany({
      where: { id, completingSince: claim },
      data: { completingSince: null },
    });
    throw error;
  }
  await removeUploadParts(ctx, id);
  return completed;
}

async function writeFile(
  ctx: ServiceContext,
  upload: UploadState,
  data: z.output<typeof completeUploadSchema>,
  claim: Date,
  query: UploadQuery,
) {
  const parts = await orderedParts(ctx, upload, data.partIds);
  const file = {
    filename: upload.filename,
    // Validated against the upload purposes on create.
    purpose: upload.purpose as FilePurpose,
    mimeType: guessMimeType(upload.filename, upload.mimeType),
    expiresAfterSeconds: fileExpiresAfterSeconds(upload.purpose, upload.fileExpiresAfterSeconds),
  };
  const hash = createHash('md5');
  const stored = await storeFileBytes(
    ctx,
    file,
    concatenated(
      ctx.storage,
      parts.map((part) => part.storageKey),
      hash,
    ),
  );
  try {
    const md5 = hash.digest('hex');
    if (data.md5 && data.md5.toLowerCase() !== md5) {
      throw new InvalidRequestError(
        `Invalid 'md5': the uploaded bytes have MD5 ${md5}, not ${data.md5}.`,
        { param: 'md5', openaiCode: 'invalid_value' },
      );
    }
    if (stored.bytes !== Number(upload.bytes)) {
      // The part rows said otherwise: storage lost or changed bytes. Not the caller's fault.
      throw new Error(
        `Upload ${upload.id}: stored ${stored.bytes} bytes, expected ${upload.bytes}`,
      );
    }
    return await withTransaction(ctx, async (tx) => {
      await tx.db.file.create({ data: fileRowData(tx, stored, file) });
      const { count } = await tx.db.upload.updateMany({
        where: { id: upload.id, completingSince: claim },
        data: { status: 'completed', fileId: stored.id, completingSince: null },
      });
      if (count === 0) {
        // Only a claim abandoned for COMPLETE_CLAIM_STALE_MS can have been taken over.
        throw new ConflictError(`Upload ${upload.id} changed while it was being completed.`);
      }
      return getUpload(tx, upload.id, query);
    });
  } catch (error) {
    await removeStoredBytes(ctx, stored.storageKey);
    throw error;
  }
}
