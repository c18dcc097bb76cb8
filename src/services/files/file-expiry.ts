import type { PrismaClient } from '../../db/prisma.js';
import type { Logger } from '../../logger.js';
import type { BlobStorage } from '../../storage/blob-storage.js';

/**
 * Deletes files past their `expires_at` in every project (they are already hidden from reads):
 * rows first, with their vector-store attachments by cascade, then the bytes. At most `batch`
 * per call, oldest first; the worker's sweep timer calls it again.
 */
export async function sweepExpiredFiles(
  deps: { db: PrismaClient; storage: BlobStorage; logger: Logger },
  options: { batch?: number; now?: Date } = {},
): Promise<{ deleted: string[] }> {
  const now = options.now ?? new Date();
  const expired = await deps.db.file.findMany({
    where: { expiresAt: { lte: now } },
    select: { id: true, storageKey: true },
    orderBy: { expiresAt: 'asc' },
    take: options.batch ?? 100,
  });
  if (expired.length === 0) {
    return { deleted: [] };
  }
  await deps.db.file.deleteMany({ where: { id: { in: expired.map((file) => file.id) } } });
  for (const file of expired) {
    try {
      await deps.storage.delete(file.storageKey);
    } catch (error) {
      deps.logger.error(
        { err: error, storageKey: file.storageKey },
        'could not remove expired file bytes',
      );
    }
  }
  return { deleted: expired.map((file) => file.id) };
}
