import path from 'node:path';
import { type Env, EnvError } from '../env.js';
import type { BlobStorage } from './blob-storage.js';
import { createLocalStorage } from './local-storage.js';
import { createS3Storage } from './s3-storage.js';

/** Where local storage keeps files (when `S3_BUCKET` is not set). */
export function localStorageRoot(env: Env): string {
  return path.join(env.DATA_DIR, 'files');
}

/** S3 when `S3_BUCKET` is set, else local disk under `<DATA_DIR>/files`. */
export function createStorageFromEnv(env: Env): BlobStorage {
  if (!env.S3_BUCKET) {
    return createLocalStorage(localStorageRoot(env));
  }
  const hasKey = env.S3_ACCESS_KEY_ID !== undefined;
  const hasSecret = env.S3_SECRET_ACCESS_KEY !== undefined;
  if (hasKey !== hasSecret) {
    throw new EnvError(
      'Invalid configuration:\n  S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together (or neither, for the AWS default credential chain)',
    );
  }
  return createS3Storage({
    bucket: env.S3_BUCKET,
    endpoint: env.S3_ENDPOINT,
    // A custom endpoint (MinIO, s3rver…) rarely cares about the region, but the SDK needs one.
    region: env.S3_REGION ?? (env.S3_ENDPOINT ? 'us-east-1' : undefined),
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    credentials:
      env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
        : undefined,
  });
}
