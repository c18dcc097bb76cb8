import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBase62 } from '../ids.js';
import { assertBlobKey, type BlobBody, type BlobStorage, type PutOptions } from './blob-storage.js';
import { feedThroughLimit } from './byte-limit.js';
import { BlobNotFoundError } from './errors.js';

/** Unfinished uploads live here, outside the object tree, until they are renamed into place. */
export const PARTIAL_DIR = '.partial';

/** A file system error for a path that does not exist. */
export function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

/**
 * Objects as files under `root` (`<DATA_DIR>/files`). A body is written to a temporary file and
 * renamed into place once complete, so a reader never sees half an object and a failed upload
 * leaves nothing behind.
 */
export function createLocalStorage(root: string): BlobStorage {
  const base = path.resolve(root);
  const pathOf = (key: string) => {
    assertBlobKey(key);
    return path.join(base, key);
  };

  return {
    kind: 'local',

    async put(key: string, body: BlobBody, options: PutOptions = {}) {
      const target = pathOf(key);
      const { limit, fed } = feedThroughLimit(body, options.maxBytes);
      const partial = path.join(base, PARTIAL_DIR, `${randomBase62(16)}.partial`);
      try {
        await mkdir(path.dirname(partial), { recursive: true });
        await mkdir(path.dirname(target), { recursive: true });
        await pipeline(limit, createWriteStream(partial, { flags: 'wx' }));
        await fed;
        await rename(partial, target);
      } catch (error) {
        // The source's or the limit's error reaches the write as is; anything else (the disk)
        // is the write's own.
        limit.destroy();
        await fed;
        await rm(partial, { force: true });
        throw error;
      }
      return { bytes: limit.bytes };
    },

    async get(key: string): Promise<Readable> {
      try {
        const handle = await open(pathOf(key), 'r');
        // The stream closes the handle when it ends or is destroyed.
        return handle.createReadStream();
      } catch (error) {
        throw isMissing(error) ? new BlobNotFoundError(key, { cause: error }) : error;
      }
    },

    async head(key: string) {
      try {
        return { bytes: (await stat(pathOf(key))).size };
      } catch (error) {
        if (isMissing(error)) {
          return null;
        }
        throw error;
      }
    },

    async delete(key: string) {
      await rm(pathOf(key), { force: true });
    },

    async close() {},
  };
}
