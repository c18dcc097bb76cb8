import type { PrismaClient } from '../../db/prisma.js';
import type { Logger } from '../../logger.js';
import type { BlobStorage } from '../../storage/blob-storage.js';
import { expireIdleContainers } from './store/container-writes.js';

/**
 * Records the expiry of containers idle past their window (reads already treat them as
 * expired) and removes their files' bytes: an expired container cannot be used again, so
 * they would never be read. At most `batch` containers per call; the worker's sweep timer
 * calls it again.
 */
export async function sweepExpiredContainers(
  deps: { db: PrismaClient; storage: BlobStorage; logger: Logger },
  options: { batch?: number; now?: Date } = {},
): Promise<{ expired: string[] }> {
  const { expired, storageKeys } = await expireIdleContainers(
    deps.db,
    options.now ?? new Date(),
    options.batch ?? 100,
  );
  for (const storageKey of storageKeys) {
    try {
      await deps.storage.delete(storageKey);
    } catch (error) {
      deps.logger.error({ err: error, storageKey }, 'could not remove expired container bytes');
    }
  }
  return { expired };
}
