import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import { type TestApp, useTestApp } from '../setup/app.js';
import { expectSpec } from '../setup/openapi.js';
import { seedFile } from './seed.js';

let t: TestApp;
// No worker: files stay in_progress, so a batch can be cancelled midway.
useTestApp({ worker: false }, (app) => {
  t = app;
});

async function seedFiles(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    ids.push(await seedFile(t));
  }
  return ids;
}

describe('file batches over the official SDK', () => {
  it('creates a batch from file_ids with shared attributes and chunking', async () => {
    const store = await t.openai.vectorStores.create({});
    const ids = await seedFiles(3);
    const response = await t.openai.vectorStores.fileBatches
      .create(store.id, {
        file_ids: ids,
        attributes: { source: 'batch' },
        chunking_strategy: {
          type: 'static',
          static: { max_chunk_size_tokens: 300, chunk_overlap_tokens: 0 },
        },
      })
      .withResponse();
    const batch = response.data;
    expectSpec('VectorStoreFileBatchObject', batch);
    expect(batch.id).toMatch(/^vsfb_[A-Za-z0-9]{24}$/);
    expect(batch).toEqual({
      id: batch.id,
      object: 'vector_store.files_batch',
      created_at: batch.created_at,
      vector_store_id: store.id,
      status: 'in_progress',
      file_counts: { in_progress: 3, completed: 0, failed: 0, cancelled: 0, total: 3 },
    });
    expect(response.response.headers.get('openai-poll-after-ms')).toBe('150');
    expect(
      await t.openai.vectorStores.fileBatches.retrieve(batch.id, { vector_store_id: store.id }),
    ).toEqual(batch);
    const files = await t.openai.vectorStores.fileBatches.listFiles(batch.id, {
      vector_store_id: store.id,
    });
    const raw = await (
      await t.rest(`/vector_stores/${store.id}/file_batches/${batch.id}/files`)
    ).json();
    expectSpec('ListVectorStoreFilesResponse', raw);
    expect(files.data.map((file) => file.id).sort()).toEqual([...ids].sort());
    for (const file of files.data) {
      expect(file.attributes).toEqual({ source: 'batch' });
      expect(file.chunking_strategy).toEqual({
        type: 'static',
        static: { max_chunk_size_tokens: 300, chunk_overlap_tokens: 0 },
      });
    }
  });

  it('creates a batch from files with per-file attributes (the shared ones ignored)', async () => {
    const store = await t.openai.vectorStores.create({});
    const [a, b] = (await seedFiles(2)) as [string, string];
    const batch = await t.openai.vectorStores.fileBatches.create(store.id, {
      files: [
        { file_id: a, attributes: { n: 1 } },
        {
          file_id: b,
          chunking_strategy: {
            type: 'static',
            static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 50 },
          },
        },
      ],
      attributes: { ignored: true },
    } as OpenAI.VectorStores.FileBatchCreateParams);
    expectSpec('VectorStoreFileBatchObject', batch);
    const fileA = await t.openai.vectorStores.files.retrieve(a, { vector_store_id: store.id });
    const fileB = await t.openai.vectorStores.files.retrieve(b, { vector_store_id: store.id });
    expect(fileA.attributes).toEqual({ n: 1 });
    expect(fileA.chunking_strategy).toMatchObject({ static: { max_chunk_size_tokens: 800 } });
    expect(fileB.attributes).toEqual({});
    expect(fileB.chunking_strategy).toMatchObject({ static: { max_chunk_size_tokens: 100 } });
  });

  it('counts a repeated file id once', async () => {
    const store = await t.openai.vectorStores.create({});
    const [a, b] = (await seedFiles(2)) as [string, string];
    const batch = await t.openai.vectorStores.fileBatches.create(store.id, {
      file_ids: [a, b, b],
    });
    expect(batch.file_counts.total).toBe(2);
  });

  it('cancels: in-progress files become cancelled, finished ones stay, and the batch is cancelled', async () => {
    const store = await t.openai.vectorStores.create({});
    const [a, b, c] = (await seedFiles(3)) as [string, string, string];
    const batch = await t.openai.vectorStores.fileBatches.create(store.id, { file_ids: [a, b, c] });
    await t.deps.db.vectorStoreFile.update({
      where: { vectorStoreId_fileId: { vectorStoreId: store.id, fileId: a } },
      data: { status: 'completed' },
    });
    const cancelled = await t.openai.vectorStores.fileBatches.cancel(batch.id, {
      vector_store_id: store.id,
    });
    expectSpec('VectorStoreFileBatchObject', cancelled);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.file_counts).toEqual({
      in_progress: 0,
      completed: 1,
      failed: 0,
      cancelled: 2,
      total: 3,
    });
    const listed = await t.openai.vectorStores.fileBatches.listFiles(batch.id, {
      vector_store_id: store.id,
      filter: 'cancelled',
    });
    expect(listed.data.map((file) => file.id).sort()).toEqual([b, c].sort());
    const completed = await t.openai.vectorStores.fileBatches.listFiles(batch.id, {
      vector_store_id: store.id,
      filter: 'completed',
    });
    expect(completed.data.map((file) => file.id)).toEqual([a]);
    // The store's counts follow, and nothing is in progress any more.
    expect((await t.openai.vectorStores.retrieve(store.id)).status).toBe('completed');

    const again = await apiError(
      t.openai.vectorStores.fileBatches.cancel(batch.id, { vector_store_id: store.id }),
    );
    expect(again.status).toBe(400);
    expect(again.message).toBe(
      "400 Cannot cancel vector store file batch with status 'cancelled'.",
    );
  });

  it('derives completed and failed from its files', async () => {
    const store = await t.openai.vectorStores.create({});
    const [a, b] = (await seedFiles(2)) as [string, string];
    const batch = await t.openai.vectorStores.fileBatches.create(store.id, { file_ids: [a, b] });
    await t.deps.db.vectorStoreFile.updateMany({
      where: { batchId: batch.id },
      data: { status: 'failed', lastError: { code: 'invalid_file', message: 'bad' } },
    });
    const failed = await t.openai.vectorStores.fileBatches.retrieve(batch.id, {
      vector_store_id: store.id,
    });
    expect(failed.status).toBe('failed');
    await t.deps.db.vectorStoreFile.update({
      where: { vectorStoreId_fileId: { vectorStoreId: store.id, fileId: a } },
      data: { status: 'completed' },
    });
    const done = await t.openai.vectorStores.fileBatches.retrieve(batch.id, {
      vector_store_id: store.id,
    });
    expectSpec('VectorStoreFileBatchObject', done);
    expect(done.status).toBe('completed');
    expect(done.file_counts).toMatchObject({ completed: 1, failed: 1, total: 2 });
  });

  it('refuses both file_ids and files, neither, empty lists and unknown files', async () => {
    const store = await t.openai.vectorStores.create({});
    const [a] = (await seedFiles(1)) as [string];
    const cases: [unknown, number, string, string | null][] = [
      [{ file_ids: [a], files: [{ file_id: a }] }, 400, 'files', 'invalid_value'],
      [{}, 400, 'file_ids', 'missing_required_parameter'],
      [{ file_ids: [] }, 400, 'file_ids', 'empty_array'],
      [{ files: [] }, 400, 'files', 'empty_array'],
      [{ file_ids: [a, 'file-missing'] }, 404, 'file_ids', null],
      [{ files: [{ file_id: a }, { file_id: 'file-missing' }] }, 404, 'files[1].file_id', null],
      [
        { files: [{ file_id: a, attributes: { k: {} } }] },
        400,
        'files[0].attributes.k',
        'invalid_value',
      ],
      [
        { file_ids: Array.from({ length: 2001 }, () => a) },
        400,
        'file_ids',
        'array_above_max_length',
      ],
    ];
    for (const [body, status, param, code] of cases) {
      const error = await apiError(
        t.openai.vectorStores.fileBatches.create(
          store.id,
          body as OpenAI.VectorStores.FileBatchCreateParams,
        ),
      );
      expect({ status: error.status, param: error.param, code: error.code }).toEqual({
        status,
        param,
        code,
      });
    }
    // Nothing half-written: no batch, no attached file.
    expect(await t.deps.db.vectorStoreFileBatch.count({ where: { vectorStoreId: store.id } })).toBe(
      0,
    );
    expect(await t.deps.db.vectorStoreFile.count({ where: { vectorStoreId: store.id } })).toBe(0);
  });

  it('answers unknown batches and other projects’ batches with 404', async () => {
    const store = await t.openai.vectorStores.create({});
    const other = await t.createOtherProject();
    const theirClient = t.client(other.apiKey);
    const theirStore = await theirClient.vectorStores.create({});
    const theirBatch = await theirClient.vectorStores.fileBatches.create(theirStore.id, {
      file_ids: [await seedFile(t, other.projectId)],
    });
    for (const [vectorStoreId, batchId, message] of [
      [store.id, 'vsfb_missing', "No vector store file batch found with id 'vsfb_missing'."],
      [store.id, theirBatch.id, `No vector store file batch found with id '${theirBatch.id}'.`],
      [theirStore.id, theirBatch.id, `No vector store found with id '${theirStore.id}'.`],
    ] as const) {
      for (const call of [
        () =>
          t.openai.vectorStores.fileBatches.retrieve(batchId, { vector_store_id: vectorStoreId }),
        () => t.openai.vectorStores.fileBatches.cancel(batchId, { vector_store_id: vectorStoreId }),
        () =>
          t.openai.vectorStores.fileBatches.listFiles(batchId, { vector_store_id: vectorStoreId }),
      ]) {
        const error = await apiError(call());
        expect(error.status).toBe(404);
        expect(error.message).toBe(`404 ${message}`);
      }
    }
    const theirs = await theirClient.vectorStores.fileBatches.retrieve(theirBatch.id, {
      vector_store_id: theirStore.id,
    });
    expect(theirs.status).toBe('in_progress');
  });
});
