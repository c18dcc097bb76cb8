import OpenAI, { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';
import { expectSpec } from '../setup/openapi.js';

let t: TestApp;
// With the worker: attached files are indexed by the real ingestion job (keyword-only, no
// embedding model configured).
useTestApp({}, (app) => {
  t = app;
});

const TEXT = 'The warranty lasts two years.\n\nBatteries are excluded from the warranty.';

function textFile(name: string, content: string) {
  return toFile(Buffer.from(content), name);
}

describe('indexing through the SDK’s helpers', () => {
  it('files.uploadAndPoll uploads, attaches and polls until completed', async () => {
    const store = await t.openai.vectorStores.create({ name: 'manuals' });
    const file = await t.openai.vectorStores.files.uploadAndPoll(
      store.id,
      await textFile('warranty.md', TEXT),
    );
    expectSpec('VectorStoreFileObject', file);
    expect(file).toMatchObject({
      status: 'completed',
      last_error: null,
      vector_store_id: store.id,
    });
    expect(file.usage_bytes).toBeGreaterThan(0);

    const read = await t.openai.vectorStores.retrieve(store.id);
    expectSpec('VectorStoreObject', read);
    expect(read).toMatchObject({
      status: 'completed',
      usage_bytes: file.usage_bytes,
      file_counts: { in_progress: 0, completed: 1, failed: 0, cancelled: 0, total: 1 },
    });
    // Completed reads carry no poll hint.
    const response = await t.openai.vectorStores.files
      .retrieve(file.id, { vector_store_id: store.id })
      .withResponse();
    expect(response.response.headers.get('openai-poll-after-ms')).toBeNull();
  });

  it('fileBatches.uploadAndPoll indexes several files (plus ones uploaded before)', async () => {
    const store = await t.openai.vectorStores.create({});
    const earlier = await t.openai.files.create({
      file: await textFile('earlier.txt', 'Uploaded before the batch.'),
      purpose: 'assistants',
    });
    const batch = await t.openai.vectorStores.fileBatches.uploadAndPoll(store.id, {
      files: [await textFile('a.txt', 'First file.'), await textFile('b.txt', 'Second file.')],
      fileIds: [earlier.id],
    });
    expectSpec('VectorStoreFileBatchObject', batch);
    expect(batch).toMatchObject({
      status: 'completed',
      file_counts: { in_progress: 0, completed: 3, failed: 0, cancelled: 0, total: 3 },
    });
    const files = await t.openai.vectorStores.fileBatches.listFiles(batch.id, {
      vector_store_id: store.id,
    });
    expect(files.data).toHaveLength(3);
    expect(files.data.map((file) => file.id)).toContain(earlier.id);
  });

  it('fileBatches.createAndPoll ends with empty and unsupported files failed, with last_error', async () => {
    const store = await t.openai.vectorStores.create({});
    const upload = async (name: string, content: string | Uint8Array) =>
      (
        await t.openai.files.create({
          file: await toFile(typeof content === 'string' ? Buffer.from(content) : content, name),
          purpose: 'assistants',
        })
      ).id;
    const good = await upload('good.txt', TEXT);
    const empty = await upload('empty.txt', '');
    const image = await upload('image.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0]));

    const batch = await t.openai.vectorStores.fileBatches.createAndPoll(store.id, {
      file_ids: [good, empty, image],
    });
    expect(batch).toMatchObject({
      status: 'completed',
      file_counts: { in_progress: 0, completed: 1, failed: 2, cancelled: 0, total: 3 },
    });
    const failed = await t.openai.vectorStores.files.list(store.id, { filter: 'failed' });
    const errors = Object.fromEntries(failed.data.map((file) => [file.id, file.last_error]));
    expect(errors[empty]).toMatchObject({ code: 'invalid_file' });
    expect(errors[image]).toMatchObject({ code: 'unsupported_file' });
    for (const file of failed.data) {
      expectSpec('VectorStoreFileObject', file);
      expect(file.last_error?.message.length).toBeGreaterThan(0);
      expect(file.usage_bytes).toBe(0);
    }

    // A batch whose every file fails reports failed.
    const allBad = await t.openai.vectorStores.fileBatches.createAndPoll(
      (await t.openai.vectorStores.create({})).id,
      { file_ids: [empty] },
    );
    expect(allBad.status).toBe('failed');
  });

  it('files.createAndPoll with a static strategy, then detaching drops the chunks only', async () => {
    const store = await t.openai.vectorStores.create({});
    const uploaded = await t.openai.files.create({
      file: await textFile('long.txt', 'word '.repeat(2000)),
      purpose: 'assistants',
    });
    const file = await t.openai.vectorStores.files.createAndPoll(store.id, {
      file_id: uploaded.id,
      chunking_strategy: {
        type: 'static',
        static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 },
      },
    });
    expect(file.status).toBe('completed');
    const chunks = await t.deps.db.vectorStoreChunk.count({
      where: { vectorStoreId: store.id, fileId: uploaded.id },
    });
    expect(chunks).toBeGreaterThanOrEqual(15);

    await t.openai.vectorStores.files.delete(uploaded.id, { vector_store_id: store.id });
    expect(
      await t.deps.db.vectorStoreChunk.count({
        where: { vectorStoreId: store.id, fileId: uploaded.id },
      }),
    ).toBe(0);
    expect((await t.openai.files.retrieve(uploaded.id)).id).toBe(uploaded.id);
    expect((await t.openai.vectorStores.retrieve(store.id)).usage_bytes).toBe(0);
  });

  it('deleting the File removes it from every store', async () => {
    const [one, two] = [
      await t.openai.vectorStores.create({}),
      await t.openai.vectorStores.create({}),
    ];
    const uploaded = await t.openai.files.create({
      file: await textFile('shared.txt', TEXT),
      purpose: 'assistants',
    });
    for (const store of [one, two]) {
      await t.openai.vectorStores.files.createAndPoll(store.id, { file_id: uploaded.id });
    }
    await t.openai.files.delete(uploaded.id);
    for (const store of [one, two]) {
      expect((await t.openai.vectorStores.retrieve(store.id)).file_counts.total).toBe(0);
      await expect(
        t.openai.vectorStores.files.retrieve(uploaded.id, { vector_store_id: store.id }),
      ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    }
  });
});
