import { z } from 'zod';
import type { ServiceContext } from '../../context.js';
import { ConflictError, InvalidRequestError, NotFoundError } from '../../errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { newId } from '../../ids.js';
import { namesNothing, parseInput } from '../common/validation.js';
import { clientFilenameSchema, fileExpiresAfterSchema } from '../files/files.js';
import { removeUploadParts } from './upload-parts-removal.js';
import {
  isCompleting,
  openUploadWhere,
  UPLOAD_LIFETIME_SECONDS,
  uploadStatus,
} from './upload-status.js';

/** Purposes an Upload may have (`CreateUploadRequest.purpose`). */
export const UPLOAD_SESSION_PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision'] as const;

/** OpenAI's cap on an Upload: 8 GB in total. */
export const UPLOAD_MAX_BYTES = 8 * 1024 ** 3;

const createUploadSchema = z.object({
  filename: clientFilenameSchema,
  purpose: z.enum(UPLOAD_SESSION_PURPOSES, {
    error: () =>
      `expected one of ${UPLOAD_SESSION_PURPOSES.map((value) => `'${value}'`).join(', ')}.`,
  }),
  bytes: z.number().int().min(1),
  mimeType: z.string().min(1).max(255),
  expiresAfter: fileExpiresAfterSchema.nullish(),
});

/** OpenAI's `CreateUploadRequest`, camelCase; validated here. */
export interface CreateUploadInput {
  filename: string;
  purpose: string;
  /** The size the parts will add up to, in bytes. */
  bytes: number;
  mimeType: string;
  /** For the File made on completion: `{ anchor: 'created_at', seconds: 3600..2592000 }`. */
  expiresAfter?: { anchor: string; seconds: number } | null;
}

export type UploadQuery = Pick<Prisma.UploadFindFirstArgs, 'select' | 'include'>;

/** What a command has to know about an upload to decide whether it may go ahead. */
export type UploadState = Prisma.UploadGetPayload<object>;

/** A pending upload, valid for an hour, that parts are added to. */
export async function createUpload(
  ctx: ServiceContext,
  input: CreateUploadInput,
  query: UploadQuery = {},
) {
  const data = parseInput(createUploadSchema, input);
  const maxBytes = Math.min(ctx.settings.fileMaxBytes, UPLOAD_MAX_BYTES);
  if (data.bytes > maxBytes) {
    throw new InvalidRequestError(
      `Invalid 'bytes': ${data.bytes} bytes is more than the maximum file size of ${maxBytes} bytes.`,
      { param: 'bytes', openaiCode: 'file_too_large' },
    );
  }
  const createdAt = new Date();
  return ctx.db.upload.create({
    ...query,
    data: {
      id: newId('upload'),
      projectId: ctx.actor.projectId,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + UPLOAD_LIFETIME_SECONDS * 1000),
      filename: data.filename,
      purpose: data.purpose,
      bytes: data.bytes,
      mimeType: data.mimeType,
      fileExpiresAfterSeconds: data.expiresAfter?.seconds ?? null,
    },
  });
}

export async function findUpload(ctx: ServiceContext, id: string, query: UploadQuery = {}) {
  if (namesNothing(id)) {
    return null;
  }
  return ctx.db.upload.findFirst({ ...query, where: { id, projectId: ctx.actor.projectId } });
}

/** The upload (this project's, in any status); `NotFoundError` otherwise. */
export async function getUpload(ctx: ServiceContext, id: string, query: UploadQuery = {}) {
  const upload = await findUpload(ctx, id, query);
  if (!upload) {
    throw new NotFoundError(`No such Upload object: ${id}`, { param: 'id' });
  }
  return upload;
}

/**
 * Why `action` cannot happen to the upload now (it is no longer pending, or a complete is
 * running); null when it can. 400, as OpenAI answers such requests.
 */
export function closedUploadError(upload: UploadState, action: string): ConflictError | null {
  const now = new Date();
  const status = uploadStatus(upload, now);
  if (status !== 'pending') {
    return new ConflictError(
      `Cannot ${action} Upload ${upload.id}: it is ${status}; only a pending Upload can be changed.`,
    );
  }
  if (isCompleting(upload, now)) {
    return new ConflictError(`Cannot ${action} Upload ${upload.id}: it is being completed.`);
  }
  return null;
}

/** Throws `closedUploadError` unless the upload is open for `action`. */
export function assertUploadOpen(upload: UploadState, action: string): void {
  const error = closedUploadError(upload, action);
  if (error) {
    throw error;
  }
}

/**
 * Changes an open upload (row-locked by the UPDATE until the caller's transaction ends, so
 * parts, completes and cancels of one upload serialize); throws why not when it is closed.
 */
export async function updateOpenUpload(
  ctx: ServiceContext,
  id: string,
  action: string,
  data: Prisma.UploadUpdateManyMutationInput,
): Promise<void> {
  const { count } = await ctx.db.upload.updateMany({
    where: { id, projectId: ctx.actor.projectId, ...openUploadWhere() },
    data,
  });
  if (count === 0) {
    const upload = await getUpload(ctx, id);
    throw (
      closedUploadError(upload, action) ??
      new ConflictError(`Cannot ${action} Upload ${id}: it changed meanwhile; try again.`)
    );
  }
}

/** Pending → cancelled; the parts' bytes are deleted. */
export async function cancelUpload(ctx: ServiceContext, id: string, query: UploadQuery = {}) {
  await updateOpenUpload(ctx, id, 'cancel', { status: 'cancelled' });
  await removeUploadParts(ctx, id);
  return getUpload(ctx, id, query);
}
