import type { Db } from '../../db/db.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { Logger } from '../../logger.js';
import type { BlobStorage } from '../../storage/blob-storage.js';

/** What removing parts needs: a service context or the worker's deps both fit. */
export interface PartRemovalDeps {
  db: Db;
  storage: BlobStorage;
  logger: Logger;
}

/**
 * Deletes the bytes of the parts matching `where` (at most `take`), then their rows. A part whose
 * bytes could not be deleted keeps its row, so the worker's sweep tries again later instead of
 * leaving orphan bytes no row points at. Returns how many parts were removed.
 */
export async function removeParts(
  deps: PartRemovalDeps,
  where: Prisma.UploadPartWhereInput,
  take?: number,
): Promise<number> {
  const parts = await deps.db.uploadPart.findMany({
    where,
    select: { id: true, storageKey: true },
    orderBy: { createdAt: 'asc' },
    take,
  });
  const removed: string[] = [];
  for (const part of parts) {
    try {
      await deps.storage.delete(part.storageKey);
      removed.push(part.id);
    } catch (error) {
      deps.logger.error(
        { err: error, storageKey: part.storageKey },
        'could not remove upload part bytes',
      );
    }
  }
  if (removed.length > 0) {
    await deps.db.uploadPart.deleteMany({ where: { id: { in: removed } } });
  }
  return removed.length;
}

/** Every part of an upload that has ended (completed or cancelled). */
export function removeUploadParts(deps: PartRemovalDeps, uploadId: string): Promise<number> {
  return removeParts(deps, { uploadId });
}
