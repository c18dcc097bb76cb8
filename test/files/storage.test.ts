import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from '../../src/env.js';
import type { BlobStorage } from '../../src/storage/blob-storage.js';
import { BlobNotFoundError, BlobTooLargeError } from '../../src/storage/errors.js';
import { createLocalStorage } from '../../src/storage/local-storage.js';
import { createS3Storage } from '../../src/storage/s3-storage.js';
import { createStorageFromEnv } from '../../src/storage/storage-from-env.js';
import { type S3TestServer, startS3Server } from '../setup/s3-server.js';

let s3: S3TestServer;
let dir: string;
const storages: Record<'local' | 's3', BlobStorage> = {} as Record<'local' | 's3', BlobStorage>;

beforeAll(async () => {
  s3 = await startS3Server();
  dir = await mkdtemp(path.join(tmpdir(), 'storage-test-'));
  storages.local = createLocalStorage(dir);
  storages.s3 = createS3Storage({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
});
afterAll(async () => {
  await storages.local?.close();
  await storages.s3?.close();
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

async function leftovers(kind: 'local' | 's3'): Promise<string[]> {
  return kind === 's3' ? [] : readdir(path.join(dir, '.partial')).catch(() => []);
}

describe.each(['local', 's3'] as const)('%s blob storage', (kind) => {
  const storage = () => storages[kind];

  it('stores, reads, sizes and deletes an object', async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, index) => index % 256));
    const chunks = [bytes.subarray(0, 300), bytes.subarray(300)];
    expect(await storage().put('proj_a/file-1', Readable.from(chunks))).toEqual({ bytes: 1000 });
    expect(await storage().head('proj_a/file-1')).toEqual({ bytes: 1000 });
    expect((await buffer(await storage().get('proj_a/file-1'))).equals(bytes)).toBe(true);
    await storage().delete('proj_a/file-1');
    expect(await storage().head('proj_a/file-1')).toBeNull();
    if (kind === 's3') {
      expect(await s3.keys()).not.toContain('proj_a/file-1');
    }
    await storage().delete('proj_a/file-1');
    await expect(storage().get('proj_a/file-1')).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('stops reading at maxBytes and leaves nothing behind', async () => {
    let pulled = 0;
    // An endless source: the limit must stop it, not its end.
    const endless = new Readable({
      read() {
        pulled += 1;
        this.push(Buffer.alloc(64 * 1024, 1));
      },
    });
    await expect(
      storage().put('proj_a/too-big', endless, { maxBytes: 6 * 1024 * 1024 }),
    ).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(pulled).toBeLessThan(200);
    expect(await storage().head('proj_a/too-big')).toBeNull();
    expect(await leftovers(kind)).toEqual([]);
  });

  it('fails with the source’s error and leaves nothing when the source fails', async () => {
    const source = new PassThrough();
    const putting = storage().put('proj_a/broken', source);
    source.write(Buffer.alloc(1000));
    source.destroy(new Error('client went away'));
    await expect(putting).rejects.toThrow('client went away');
    expect(await storage().head('proj_a/broken')).toBeNull();
    expect(await leftovers(kind)).toEqual([]);
  });

  it('shows an object to readers only once it is complete', async () => {
    const source = new PassThrough();
    const putting = storage().put('proj_a/slow', source);
    source.write(Buffer.alloc(100_000, 2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await storage().head('proj_a/slow')).toBeNull();
    await expect(storage().get('proj_a/slow')).rejects.toBeInstanceOf(BlobNotFoundError);
    source.end(Buffer.alloc(100_000, 3));
    expect(await putting).toEqual({ bytes: 200_000 });
    expect(await storage().head('proj_a/slow')).toEqual({ bytes: 200_000 });
  });

  it('refuses keys that could escape the storage root', async () => {
    for (const key of ['../escape', '/absolute', 'a//b', 'a/./b', '.hidden', 'a\\b']) {
      await expect(storage().put(key, Readable.from([Buffer.from('x')])), key).rejects.toThrow(
        `Invalid blob key '${key}'`,
      );
    }
  });
});

describe('storage configuration', () => {
  it('uses local disk without S3_BUCKET and S3 with it', () => {
    expect(createStorageFromEnv(parseEnv({ DATA_DIR: dir })).kind).toBe('local');
    expect(createStorageFromEnv(parseEnv({ ...s3.env, DATA_DIR: dir })).kind).toBe('s3');
  });

  it('stops at start on half the credentials or a bad value', () => {
    expect(() =>
      createStorageFromEnv(parseEnv({ S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'only-the-id' })),
    ).toThrow(EnvError);
    expect(() => parseEnv({ S3_ENDPOINT: 'not a url' })).toThrow(/S3_ENDPOINT/);
    expect(() => parseEnv({ FILE_MAX_BYTES: '0' })).toThrow(/FILE_MAX_BYTES/);
  });
});
