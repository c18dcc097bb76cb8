import { Readable } from 'node:stream';
import { z } from 'zod';
import type { ServiceContext } from '../../context.js';
import { NotFoundError, PayloadTooLargeError } from '../../errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { newId } from '../../ids.js';
import type { BlobBody } from '../../storage/blob-storage.js';
import { BlobNotFoundError, BlobTooLargeError } from '../../storage/errors.js';
import { byId, distinct } from '../common/by-id.js';
import { MAX_FILE_PAGE_SIZE } from '../common/page-sizes.js';
import { type PageInput, pageInputSchemaWith, paginate } from '../common/pagination.js';
import { namesNothing, parseInput } from '../common/validation.js';
import { guessMimeType } from './mime-types.js';

/** Purposes a client may upload with (`CreateFileRequest.purpose`). */
export const UPLOAD_PURPOSES = [
  'assistants',
  'batch',
  'fine-tune',
  'vision',
  'user_data',
  'evals',
] as const;

/** Every purpose a file can have: the upload purposes plus those only the server assigns. */
export const FILE_PURPOSES = [
  ...UPLOAD_PURPOSES,
  'assistants_output',
  'batch_output',
  'fine-tune-results',
] as const;

export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];
export type FilePurpose = (typeof FILE_PURPOSES)[number];

/** OpenAI: batch files expire after 30 days unless told otherwise; others persist. */
const BATCH_EXPIRES_AFTER_SECONDS = 30 * 24 * 3600;

const quoted = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');

export const filenameSchema = z
  .string()
  .min(1, 'a file name is required.')
  .max(1024)
  .refine((name) => !name.includes('\u0000'), 'file names cannot contain NUL characters.');

/**
 * The last part of a file name a client sent (`../../x.txt` and `..\\x.txt` give `x.txt`; `.`
 * and `..` give none): what busboy keeps of a multipart file name, so every way in stores a name
 * and never a path.
 */
export function lastPathPart(name: string): string {
  const last = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  return last === '.' || last === '..' ? '' : last;
}

/** A file name a client sent: its last path part, then the rules of `filenameSchema`. */
export const clientFilenameSchema = z.string().transform(lastPathPart).pipe(filenameSchema);

/** OpenAI's `FileExpirationAfter`: deleted this long after creation. */
export const fileExpiresAfterSchema = z.object({
  anchor: z.literal('created_at'),
  seconds: z.number().int().min(3600).max(2_592_000),
});

const uploadFileSchema = z.object({
  filename: clientFilenameSchema,
  purpose: z.enum(UPLOAD_PURPOSES, {
    error: (issue) =>
      issue.input === 'assistants_output'
        ? `'assistants_output' files are created by the server (code_interpreter outputs); upload with one of ${quoted(UPLOAD_PURPOSES)}.`
        : `expected one of ${quoted(UPLOAD_PURPOSES)}.`,
  }),
  mimeType: z.string().max(255).nullish(),
  expiresAfter: fileExpiresAfterSchema.nullish(),
});

const serverFileSchema = z.object({
  filename: filenameSchema,
  purpose: z.enum(FILE_PURPOSES),
  mimeType: z.string().max(255).nullish(),
});

/** `GET /files` pages differently from the other lists: 1–10,000 items, 10,000 by default. */
const filePageSchema = pageInputSchemaWith({
  max: MAX_FILE_PAGE_SIZE,
  default: MAX_FILE_PAGE_SIZE,
});

/** Plain strings: the purpose and expiry are validated here, in OpenAI's wording. */
export interface UploadFileInput {
  filename: string;
  purpose: string;
  /** The content type the client declared; the file name's extension wins over it. */
  mimeType?: string | null;
  /** OpenAI's `expires_after`: `{ anchor: 'created_at', seconds: 3600..2592000 }`. */
  expiresAfter?: { anchor: string; seconds: number } | null;
  /** The bytes, streamed to storage as they arrive (never held whole in memory). */
  content: BlobBody;
}

export interface CreateFileFromBytesInput extends z.input<typeof serverFileSchema> {
  /** The content, given whole… */
  bytes?: Uint8Array | string;
  /** …or streamed. Exactly one of the two. */
  stream?: BlobBody;
}

export interface ListFilesInput extends PageInput {
  /** Only files with this purpose. */
  purpose?: string | null;
}

type FileQuery = Pick<Prisma.FileFindFirstArgs, 'select' | 'include'>;

function notFound(id: string): NotFoundError {
  return new NotFoundError(`No such File object: ${id}`, { param: 'id' });
}

/** Files past their `expires_at` are gone for every read, as on OpenAI. */
function live(ctx: ServiceContext): Prisma.FileWhereInput {
  return {
    projectId: ctx.actor.projectId,
    OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
  };
}

/** A new File's bytes, stored but not yet visible: no row points at them. */
export interface StoredFileBytes {
  id: string;
  storageKey: string;
  bytes: number;
}

/** What a File row says about its bytes. */
export interface NewFileFields {
  filename: string;
  purpose: FilePurpose;
  mimeType: string;
  /** Seconds from creation until the file is deleted; null: it persists. */
  expiresAfterSeconds: number | null;
}

/**
 * Streams a new File's bytes to storage under a fresh id. Over `fileMaxBytes`: 413 and nothing
 * kept. Write the row with `fileRowData` once they are stored, or `removeStoredBytes` them.
 */
export async function storeFileBytes(
  ctx: ServiceContext,
  file: Pick<NewFileFields, 'filename' | 'mimeType'>,
  body: BlobBody,
): Promise<StoredFileBytes> {
  const id = newId('file');
  const storageKey = `${ctx.actor.projectId}/${id}`;
  const maxBytes = ctx.settings.fileMaxBytes;
  try {
    const { bytes } = await ctx.storage.put(storageKey, body, {
      maxBytes,
      contentType: file.mimeType,
    });
    return { id, storageKey, bytes };
  } catch (error) {
    if (error instanceof BlobTooLargeError) {
      throw new PayloadTooLargeError(
        `File '${file.filename}' is too large: the maximum file size is ${maxBytes} bytes.`,
        { param: 'file', openaiCode: 'file_too_large', cause: error },
      );
    }
    throw error;
  }
}

/** The row for stored bytes. */
export function fileRowData(
  ctx: ServiceContext,
  stored: StoredFileBytes,
  file: NewFileFields,
  createdAt = new Date(),
): Prisma.FileUncheckedCreateInput {
  return {
    id: stored.id,
    projectId: ctx.actor.projectId,
    createdAt,
    filename: file.filename,
    purpose: file.purpose,
    bytes: stored.bytes,
    mimeType: file.mimeType,
    storageKey: stored.storageKey,
    expiresAt:
      file.expiresAfterSeconds === null
        ? null
        : new Date(createdAt.getTime() + file.expiresAfterSeconds * 1000),
  };
}

/**
 * Streams the bytes to storage first and writes the row only once they are stored, so a row
 * always has its bytes; if anything fails, the stored bytes are removed again.
 */
async function storeFile(
  ctx: ServiceContext,
  file: NewFileFields,
  body: BlobBody,
  query: FileQuery,
) {
  const stored = await storeFileBytes(ctx, file, body);
  try {
    return await ctx.db.file.create({ ...query, data: fileRowData(ctx, stored, file) });
  } catch (error) {
    await removeStoredBytes(ctx, stored.storageKey);
    throw error;
  }
}

/** Removes stored bytes no row points at (any more); a failure is logged, not thrown. */
export async function removeStoredBytes(ctx: ServiceContext, storageKey: string): Promise<void> {
  try {
    await ctx.storage.delete(storageKey);
  } catch (error) {
    // The row is gone or was never written; the bytes are an orphan to clean up by hand.
    ctx.logger.error({ err: error, storageKey }, 'could not remove stored file bytes');
  }
}

/**
 * Seconds until a new file is deleted: the client's `expires_after`, else OpenAI's default
 * (batch files: 30 days; others persist).
 */
export function fileExpiresAfterSeconds(purpose: string, seconds: number | null | undefined) {
  return seconds ?? (purpose === 'batch' ? BATCH_EXPIRES_AFTER_SECONDS : null);
}

/** A client upload (`POST /files`, GraphQL `uploadFile`). Over `fileMaxBytes`: 413, nothing kept. */
export async function uploadFile(
  ctx: ServiceContext,
  input: UploadFileInput,
  query: FileQuery = {},
) {
  let data: z.output<typeof uploadFileSchema>;
  try {
    data = parseInput(uploadFileSchema, {
      filename: input.filename,
      purpose: input.purpose,
      mimeType: input.mimeType,
      expiresAfter: input.expiresAfter,
    });
  } catch (error) {
    // Refused unread: release the source (a request body, a spooled file) now.
    if (input.content instanceof Readable) {
      input.content.destroy();
    }
    throw error;
  }
  return storeFile(
    ctx,
    {
      filename: data.filename,
      purpose: data.purpose,
      mimeType: guessMimeType(data.filename, data.mimeType),
      expiresAfterSeconds: fileExpiresAfterSeconds(data.purpose, data.expiresAfter?.seconds),
    },
    input.content,
    query,
  );
}

/**
 * A file the server makes itself, e.g. a code_interpreter output (`purpose: 'assistants_output'`).
 * Give the content whole (`bytes`) or as a stream (`stream`).
 */
export async function createFileFromBytes(
  ctx: ServiceContext,
  input: CreateFileFromBytesInput,
  query: FileQuery = {},
) {
  const data = parseInput(serverFileSchema, {
    filename: input.filename,
    purpose: input.purpose,
    mimeType: input.mimeType,
  });
  if ((input.bytes === undefined) === (input.stream === undefined)) {
    throw new Error('createFileFromBytes needs exactly one of bytes or stream');
  }
  const body =
    input.stream ??
    Readable.from([
      typeof input.bytes === 'string' ? Buffer.from(input.bytes) : Buffer.from(input.bytes ?? []),
    ]);
  return storeFile(
    ctx,
    {
      filename: data.filename,
      purpose: data.purpose,
      mimeType: guessMimeType(data.filename, data.mimeType),
      expiresAfterSeconds: null,
    },
    body,
    query,
  );
}

export async function findFile(ctx: ServiceContext, id: string, query: FileQuery = {}) {
  if (namesNothing(id)) {
    return null;
  }
  return ctx.db.file.findFirst({ ...query, where: { ...live(ctx), id } });
}

/** The file (this project's, not expired); `NotFoundError` otherwise. */
export async function getFile(ctx: ServiceContext, id: string, query: FileQuery = {}) {
  const file = await findFile(ctx, id, query);
  if (!file) {
    throw notFound(id);
  }
  return file;
}

/** Newest first by default; `limit` 1–10,000 (Default: 10,000), as `GET /files`. */
export async function listFiles(
  ctx: ServiceContext,
  input: ListFilesInput = {},
  query: FileQuery = {},
) {
  const { purpose, ...page } = input;
  const scope: Prisma.FileWhereInput = {
    ...live(ctx),
    ...(purpose ? { purpose } : {}),
  };
  return paginate(
    page,
    {
      seqOf: async (id) =>
        (await ctx.db.file.findFirst({ where: { ...scope, id }, select: { seq: true } }))?.seq ??
        null,
      fetch: ({ seq, orderBy, take }) =>
        ctx.db.file.findMany({ ...query, where: { AND: [scope, { seq }] }, orderBy, take }),
    },
    filePageSchema,
  );
}

/**
 * Deletes the row (vector-store attachments go with it, by cascade) and then the bytes. A
 * failure to remove the bytes is logged, not reported: the file is gone for every reader.
 */
export async function deleteFile(ctx: ServiceContext, id: string) {
  const file = await getFile(ctx, id, { select: { id: true, storageKey: true } });
  const { count } = await ctx.db.file.deleteMany({
    where: { id, projectId: ctx.actor.projectId },
  });
  if (count === 0) {
    throw notFound(id);
  }
  await removeStoredBytes(ctx, file.storageKey);
  return { id, deleted: true as const };
}

/** The file and a stream of its bytes (for downloads and ingestion). Destroy the stream if unread. */
export async function openFileContent(ctx: ServiceContext, id: string) {
  const file = await getFile(ctx, id);
  try {
    return { file, stream: await ctx.storage.get(file.storageKey) };
  } catch (error) {
    if (error instanceof BlobNotFoundError) {
      // A row without bytes is data loss, not a bad request: report it loudly.
      ctx.logger.error({ fileId: id, storageKey: file.storageKey }, 'file bytes are missing');
    }
    throw error;
  }
}

/** Files by id in one statement; expired ones are gone, as for every other read. */
export async function filesByIds(ctx: ServiceContext, ids: readonly string[]) {
  return byId(await ctx.db.file.findMany({ where: { ...live(ctx), id: { in: distinct(ids) } } }));
}
