import type { Prisma } from '../../generated/prisma/client.js';

/** OpenAI's Upload statuses, exactly. */
export const UPLOAD_STATUSES = ['pending', 'completed', 'cancelled', 'expired'] as const;

export type UploadStatus = (typeof UPLOAD_STATUSES)[number];

/** An Upload accepts parts and can be completed for this long after creation (OpenAI: 1 hour). */
export const UPLOAD_LIFETIME_SECONDS = 3600;

/**
 * A complete that started this long ago belongs to a process that died mid-way: concatenating
 * even FILE_MAX_BYTES (at most 2 GiB) takes minutes. Its claim no longer blocks the upload.
 */
export const COMPLETE_CLAIM_STALE_MS = 60 * 60 * 1000;

interface UploadState {
  status: string;
  expiresAt: Date;
  completingSince: Date | null;
}

/** Whether a complete is concatenating the parts right now (a live claim). */
export function isCompleting(upload: Pick<UploadState, 'completingSince'>, now = new Date()) {
  return (
    upload.completingSince !== null &&
    upload.completingSince.getTime() > now.getTime() - COMPLETE_CLAIM_STALE_MS
  );
}

/**
 * The status clients see. Expiry is derived on read: a pending upload past `expiresAt` is
 * `expired` at once (the worker's sweep writes it down later and deletes the parts' bytes),
 * unless a complete that started in time is still running.
 */
export function uploadStatus(upload: UploadState, now = new Date()): UploadStatus {
  if (upload.status === 'pending' && upload.expiresAt <= now && !isCompleting(upload, now)) {
    return 'expired';
  }
  return UPLOAD_STATUSES.find((status) => status === upload.status) ?? 'pending';
}

/** Rows no complete is working on (no claim, or one abandoned by a dead process). */
export function unclaimedUploadWhere(now = new Date()): Prisma.UploadWhereInput {
  return {
    OR: [
      { completingSince: null },
      { completingSince: { lte: new Date(now.getTime() - COMPLETE_CLAIM_STALE_MS) } },
    ],
  };
}

/** Rows that may still take parts, be completed or be cancelled (the SQL twin of the above). */
export function openUploadWhere(now = new Date()): Prisma.UploadWhereInput {
  return { status: 'pending', expiresAt: { gt: now }, ...unclaimedUploadWhere(now) };
}
