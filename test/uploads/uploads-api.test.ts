import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type BackendApp, startBackendApp } from '../files/backends.js';
import { apiError } from '../setup/api-error.js';
import { expectSpec } from '../setup/openapi.js';
import {
  addPart,
  allByteValues,
  createUploadFor,
  md5,
  partKeys,
  split,
} from './upload-fixtures.js';

const FILE_LIMIT = 16 * 1024 * 1024;
// Over S3's 5 MB part size, so a refused part has begun a multipart upload on the S3 backend.
const PART_LIMIT = 6 * 1024 * 1024;

describe.each(BACKENDS)('the Uploads API over the SDK, %s storage', (backend) => {
  let b: BackendApp;
  beforeAll(async () => {
    b = await startBackendApp(backend, {
      FILE_MAX_BYTES: String(FILE_LIMIT),
      UPLOAD_PART_MAX_BYTES: String(PART_LIMIT),
    });
  });
  afterAll(async () => {
    await b?.close();
  });

  it('assembles parts sent out of order into a File, byte for byte, md5 checked', async () => {
    const bytes = allByteValues(3 * 100_000 + 7);
    const [first, second, third] = split(bytes, 3) as [Buffer, Buffer, Buffer];
    const created = await createUploadFor(b.t.openai, bytes.length, 'train.jsonl');
    expectSpec('Upload', created);
    expect(created).toMatchObject({
      object: 'upload',
      status: 'pending',
      bytes: bytes.length,
      filename: 'train.jsonl',
      purpose: 'assistants',
      file: null,
    });
    expect(created.id).toMatch(/^upload_[A-Za-z0-9]{24}$/);
    expect(created.expires_at).toBe(created.created_at + 3600);

    const thirdPart = await addPart(b.t.openai, created.id, third);
    const [firstPart, secondPart] = await Promise.all([
      addPart(b.t.openai, created.id, first),
      addPart(b.t.openai, created.id, second),
    ]);
    expectSpec('UploadPart', thirdPart);
    expect(thirdPart).toMatchObject({ object: 'upload.part', upload_id: created.id });
    expect(thirdPart.id).toMatch(/^part_[A-Za-z0-9]{24}$/);
    expect(await partKeys(b)).toHaveLength(3);

    const completed = await b.t.openai.uploads.complete(created.id, {
      part_ids: [firstPart.id, secondPart.id, thirdPart.id],
      md5: md5(bytes),
    });
    expectSpec('Upload', completed);
    expect(completed).toMatchObject({
      id: created.id,
      status: 'completed',
      file: {
        object: 'file',
        bytes: bytes.length,
        filename: 'train.jsonl',
        purpose: 'assistants',
        status: 'processed',
      },
    });
    const fileId = completed.file?.id ?? '';
    expect(await b.t.openai.files.retrieve(fileId)).toEqual(completed.file);
    const content = await b.t.openai.files.content(fileId);
    expect(Buffer.from(await content.arrayBuffer()).equals(bytes)).toBe(true);
    // The parts' bytes and rows are gone; the File's bytes are what remains.
    expect(await partKeys(b)).toEqual([]);
    expect(await b.t.deps.db.uploadPart.count({ where: { uploadId: created.id } })).toBe(0);
    expect(await b.partials()).toEqual([]);

    const store = await b.t.openai.vectorStores.create({ file_ids: [fileId] });
    expect(store.file_counts.total).toBe(1);
  });

  it('refuses a part over UPLOAD_PART_MAX_BYTES with 413 and keeps nothing', async () => {
    const upload = await createUploadFor(b.t.openai, PART_LIMIT + 4096);
    const before = await b.storedKeys();
    const error = await apiError(addPart(b.t.openai, upload.id, Buffer.alloc(PART_LIMIT + 4096)));
    expect(error.status).toBe(413);
    expect(error.error).toMatchObject({
      message: `Part is too large: the maximum part size is ${PART_LIMIT} bytes.`,
      param: 'data',
      type: 'invalid_request_error',
    });
    expect(await b.storedKeys()).toEqual(before);
    expect(await b.partials()).toEqual([]);
    expect(await b.t.deps.db.uploadPart.count({ where: { uploadId: upload.id } })).toBe(0);
    // A part exactly at the limit is fine.
    await addPart(b.t.openai, upload.id, Buffer.alloc(PART_LIMIT, 1));
  });

  it('cancels: the parts’ bytes are deleted and the upload takes no more parts', async () => {
    const upload = await createUploadFor(b.t.openai, 20);
    await addPart(b.t.openai, upload.id, randomBytes(10));
    const part = await addPart(b.t.openai, upload.id, randomBytes(10));
    const keys = (await b.t.deps.db.uploadPart.findMany({ where: { uploadId: upload.id } })).map(
      (row) => row.storageKey,
    );
    expect(await b.storedKeys()).toEqual(expect.arrayContaining(keys));

    const cancelled = await b.t.openai.uploads.cancel(upload.id);
    expectSpec('Upload', cancelled);
    expect(cancelled).toMatchObject({ status: 'cancelled', file: null });
    const stored = await b.storedKeys();
    expect(keys.filter((key) => stored.includes(key))).toEqual([]);

    const more = await apiError(addPart(b.t.openai, upload.id, randomBytes(10)));
    expect(more.status).toBe(400);
    expect(more.message).toMatch(/it is cancelled/);
    const complete = await apiError(
      b.t.openai.uploads.complete(upload.id, { part_ids: [part.id] }),
    );
    expect(complete.status).toBe(400);
    expect((await apiError(b.t.openai.uploads.cancel(upload.id))).status).toBe(400);
  });
});
