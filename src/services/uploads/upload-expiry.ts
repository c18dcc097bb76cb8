import { type PartRemovalDeps, removeParts } from './upload-parts-removal.js';
import { unclaimedUploadWhere } from './upload-status.js';

/**
 * Marks pending uploads past `expires_at` as `expired` (reads already show them so), then
 * deletes the bytes and rows of parts whose upload has ended: expired ones, and completed or
 * cancelled ones whose own clean-up failed. At most `batch` parts per call; the worker's sweep
 * timer calls it again.
 */
export async function sweepUploads(
  deps: PartRemovalDeps,
  options: { batch?: number; now?: Date } = {},
): Promise<{ expired: string[]; partsRemoved: number }> {
  const now = options.now ?? new Date();
  const expired = await deps.db.upload.updateManyAndReturn({
    where: {
      status: 'pending',
      expiresAt: { lte: now },
      // A complete that started in time may finish; an abandoned one does not hold the upload.
      ...unclaimedUploadWhere(now),
    },
    data: { status: 'expired', completingSince: null },
    select: { id: true },
  });
  const partsRemoved = await removeParts(
    deps,
    { upload: { status: { not: 'pending' } } },
    options.batch ?? 100,
  );
  return { expired: expired.map((upload) => upload.id), partsRemoved };
}
