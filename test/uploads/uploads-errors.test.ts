import { randomBytes } from 'node:crypto';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackendApp, startBackendApp } from '../files/backends.js';
import { apiError } from '../setup/api-error.js';
import { addPart, createUploadFor, md5, partKeys } from './upload-fixtures.js';

const FILE_LIMIT = 1024 * 1024;

describe('the Uploads API refuses what OpenAI refuses', () => {
  let b: BackendApp;
  let client: OpenAI;
  beforeAll(async () => {
    b = await startBackendApp('local', { FILE_MAX_BYTES: String(FILE_LIMIT) });
    client = b.t.openai;
  });
  afterAll(async () => {
    await b?.close();
  });

  /** An upload of two 10-byte parts, not completed. */
  async function twoParts() {
    const bytes = randomBytes(20);
    const upload = await createUploadFor(client, 20);
    const first = await addPart(client, upload.id, bytes.subarray(0, 10));
    const second = await addPart(client, upload.id, bytes.subarray(10));
    return { bytes, upload, first, second };
  }

  const fileRows = () => b.t.deps.db.file.count();

  it('answers 404 in OpenAI’s envelope for an unknown upload', async () => {
    for (const call of [
      () => addPart(client, 'upload_nope', randomBytes(5)),
      () => client.uploads.complete('upload_nope', { part_ids: ['part_x'] }),
      () => client.uploads.cancel('upload_nope'),
    ]) {
      const error = await apiError(call());
      expect(error.status).toBe(404);
      expect(error.error).toMatchObject({
        message: 'No such Upload object: upload_nope',
        type: 'invalid_request_error',
      });
    }
  });

  it('refuses a bad purpose, a size over the file limit and missing fields with 400', async () => {
    const base = {
      filename: 'a.bin',
      purpose: 'assistants' as const,
      bytes: 10,
      mime_type: 'text/plain',
    };
    const purpose = await apiError(
      client.uploads.create({ ...base, purpose: 'assistants_output' as 'assistants' }),
    );
    expect(purpose.status).toBe(400);
    expect(purpose.error).toMatchObject({ param: 'purpose' });
    expect(purpose.message).toMatch(/expected one of 'assistants', 'batch', 'fine-tune', 'vision'/);
    for (const bytes of [FILE_LIMIT + 1, 9 * 1024 ** 3, 0, 1.5]) {
      const error = await apiError(client.uploads.create({ ...base, bytes }));
      expect(error.status, `bytes=${bytes}`).toBe(400);
      expect(error.error).toMatchObject({ param: 'bytes' });
    }
    const { mime_type: _omitted, ...noMime } = base;
    const missing = await apiError(client.uploads.create(noMime as typeof base));
    expect(missing.status).toBe(400);
    expect(missing.error).toMatchObject({
      param: 'mime_type',
      code: 'missing_required_parameter',
    });
    // A declared size exactly at FILE_MAX_BYTES is fine.
    expect((await client.uploads.create({ ...base, bytes: FILE_LIMIT })).status).toBe('pending');
  });

  it('keeps only the last path part of a filename, as multipart uploads do', async () => {
    const names: [string, string][] = [
      ['../../etc/cron.d/x.txt', 'x.txt'],
      ['..\\..\\windows\\win.ini', 'win.ini'],
      ['/abs/notes.md', 'notes.md'],
      ['plain.bin', 'plain.bin'],
    ];
    for (const [filename, kept] of names) {
      const bytes = randomBytes(4);
      const upload = await createUploadFor(client, 4, filename);
      expect(upload.filename, filename).toBe(kept);
      const part = await addPart(client, upload.id, bytes);
      const completed = await client.uploads.complete(upload.id, { part_ids: [part.id] });
      expect(completed.file?.filename, filename).toBe(kept);
    }
    for (const filename of ['../..', 'dir/', '.']) {
      const error = await apiError(createUploadFor(client, 4, filename));
      expect(error.status, filename).toBe(400);
      expect(error.error, filename).toMatchObject({ param: 'filename' });
    }
  });

  it('refuses a part request without a `data` file or with other fields', async () => {
    const upload = await createUploadFor(client, 10);
    const send = (form: FormData) =>
      b.t.rest(`/uploads/${upload.id}/parts`, { method: 'POST', body: form, beta: false });
    const text = new FormData();
    text.append('data', 'not a file');
    expect((await send(text)).status).toBe(400);
    const extra = new FormData();
    extra.append('data', new Blob([randomBytes(10)]), 'part');
    extra.append('purpose', 'assistants');
    const refused = await send(extra);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 'unknown_parameter' } });
    expect(await b.t.deps.db.uploadPart.count({ where: { uploadId: upload.id } })).toBe(0);
  });

  it('refuses unknown, foreign and repeated part ids with 400 and stays completable', async () => {
    const { bytes, upload, first, second } = await twoParts();
    const other = await twoParts();
    const cases: [string[], string][] = [
      [[first.id, 'part_unknown'], 'part_ids[1]'],
      [[first.id, other.first.id], 'part_ids[1]'],
      // Adds up to the declared 20 bytes: only the duplicate check refuses it.
      [[first.id, first.id], 'part_ids'],
      [[], 'part_ids'],
    ];
    for (const [partIds, param] of cases) {
      const error = await apiError(client.uploads.complete(upload.id, { part_ids: partIds }));
      expect(error.status, partIds.join()).toBe(400);
      expect(error.error).toMatchObject({ param });
    }
    const done = await client.uploads.complete(upload.id, { part_ids: [first.id, second.id] });
    expect(done.status).toBe('completed');
    const content = await client.files.content(done.file?.id ?? '');
    expect(Buffer.from(await content.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('refuses parts that do not add up to the declared bytes', async () => {
    const { upload, first, second } = await twoParts();
    const rows = await fileRows();
    const error = await apiError(client.uploads.complete(upload.id, { part_ids: [first.id] }));
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({
      message: `The parts add up to 10 bytes, but Upload ${upload.id} was created with bytes=20.`,
      param: 'part_ids',
    });
    expect(await fileRows()).toBe(rows);
    const done = await client.uploads.complete(upload.id, { part_ids: [second.id, first.id] });
    expect(done.file?.bytes).toBe(20);
  });

  it('refuses an md5 mismatch, keeps nothing of the attempt, and completes afterwards', async () => {
    const { bytes, upload, first, second } = await twoParts();
    const rows = await fileRows();
    const keys = await b.storedKeys();
    const wrong = md5(Buffer.from('something else'));
    const error = await apiError(
      client.uploads.complete(upload.id, { part_ids: [first.id, second.id], md5: wrong }),
    );
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ param: 'md5', code: 'invalid_value' });
    expect(error.message).toContain(md5(bytes));
    // No File row, no file bytes, the parts kept: the upload is pending as before.
    expect(await fileRows()).toBe(rows);
    expect(await b.storedKeys()).toEqual(keys);
    expect(await b.partials()).toEqual([]);
    const row = await b.t.deps.db.upload.findUniqueOrThrow({ where: { id: upload.id } });
    expect(row).toMatchObject({ status: 'pending', completingSince: null, fileId: null });

    const done = await client.uploads.complete(upload.id, {
      part_ids: [first.id, second.id],
      md5: md5(bytes).toUpperCase(),
    });
    expect(done.status).toBe('completed');
  });

  it('completes once: later completes, parts and cancels are 400s', async () => {
    const { upload, first, second } = await twoParts();
    const done = await client.uploads.complete(upload.id, { part_ids: [first.id, second.id] });
    const again = await apiError(
      client.uploads.complete(upload.id, { part_ids: [first.id, second.id] }),
    );
    expect(again.status).toBe(400);
    expect(again.message).toMatch(/it is completed/);
    const part = await apiError(addPart(client, upload.id, randomBytes(3)));
    expect(part.status).toBe(400);
    expect(part.message).toMatch(/it is completed/);
    expect((await apiError(client.uploads.cancel(upload.id))).status).toBe(400);
    expect(await b.t.deps.db.file.count({ where: { id: done.file?.id } })).toBe(1);
    expect(await b.t.deps.db.upload.count({ where: { fileId: done.file?.id } })).toBe(1);
  });

  it('lets only one of two concurrent completes make a File', async () => {
    const { upload, first, second } = await twoParts();
    const rows = await fileRows();
    const results = await Promise.allSettled([
      client.uploads.complete(upload.id, { part_ids: [first.id, second.id] }),
      client.uploads.complete(upload.id, { part_ids: [first.id, second.id] }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await fileRows()).toBe(rows + 1);
  });

  it('refuses parts and completes on an expired upload (status derived on read)', async () => {
    const { upload, first, second } = await twoParts();
    await b.t.deps.db.upload.update({
      where: { id: upload.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const read = await b.t.graphql<{ upload: { status: string } }>(
      'query ($id: ID!) { upload(id: $id) { status } }',
      { id: upload.id },
    );
    expect(read.data?.upload.status).toBe('expired');
    const part = await apiError(addPart(client, upload.id, randomBytes(3)));
    expect(part.status).toBe(400);
    expect(part.message).toMatch(/it is expired/);
    const complete = await apiError(
      client.uploads.complete(upload.id, { part_ids: [first.id, second.id] }),
    );
    expect(complete.status).toBe(400);
    expect(complete.message).toMatch(/it is expired/);
  });

  it('hides an upload from another project’s key', async () => {
    const { upload, first, second } = await twoParts();
    const other = b.t.client((await b.t.createOtherProject()).apiKey);
    for (const call of [
      () => addPart(other, upload.id, randomBytes(3)),
      () => other.uploads.complete(upload.id, { part_ids: [first.id, second.id] }),
      () => other.uploads.cancel(upload.id),
    ]) {
      expect((await apiError(call())).status).toBe(404);
    }
    // Its own upload cannot take this project's parts either.
    const theirs = await createUploadFor(other, 20);
    const foreign = await apiError(
      other.uploads.complete(theirs.id, { part_ids: [first.id, second.id] }),
    );
    expect(foreign.status).toBe(400);
    expect((await client.uploads.cancel(upload.id)).status).toBe('cancelled');
    expect(await partKeys(b)).not.toEqual(
      expect.arrayContaining([expect.stringContaining(upload.id)]),
    );
  });
});
