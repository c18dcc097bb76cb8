import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import { type TestApp, useTestApp } from '../setup/app.js';
import { expectSpec } from '../setup/openapi.js';
import { seedFile } from './seed.js';

let t: TestApp;
// No worker: attached files stay in_progress until a test moves them.
useTestApp({ worker: false }, (app) => {
  t = app;
});

async function setStatus(vectorStoreId: string, fileId: string, status: string) {
  await t.deps.db.vectorStoreFile.update({
    where: { vectorStoreId_fileId: { vectorStoreId, fileId } },
    data: { status },
  });
}

describe('vector store files over the official SDK', () => {
  it('attaches a file in_progress with the auto strategy reported as static 800/400', async () => {
    const store = await t.openai.vectorStores.create({ name: 'files' });
    const fileId = await seedFile(t);
    const before = Math.floor(Date.now() / 1000);
    const response = await t.openai.vectorStores.files
      .create(store.id, { file_id: fileId, attributes: { lang: 'en', year: 2024, draft: false } })
      .withResponse();
    const file = response.data;
    expectSpec('VectorStoreFileObject', file);
    expect(file).toEqual({
      id: fileId,
      object: 'vector_store.file',
      usage_bytes: 0,
      created_at: file.created_at,
      vector_store_id: store.id,
      status: 'in_progress',
      last_error: null,
      chunking_strategy: {
        type: 'static',
        static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 },
      },
      attributes: { lang: 'en', year: 2024, draft: false },
    });
    expect(file.created_at).toBeGreaterThanOrEqual(before);
    // Pollers are told to come back soon while it is indexing.
    expect(response.response.headers.get('openai-poll-after-ms')).toBe('150');

    const read = await t.openai.vectorStores.files.retrieve(fileId, { vector_store_id: store.id });
    expect(read).toEqual(file);
    // A job was enqueued in the same transaction as the row.
    const bossSchema = `${new URL(t.databaseUrl).searchParams.get('schema')}_boss`;
    const jobs = await t.deps.db.$queryRawUnsafe<{ count: bigint }[]>(
      `SELECT count(*) FROM "${bossSchema}".job WHERE data->>'fileId' = $1`,
      fileId,
    );
    expect(Number(jobs[0]?.count)).toBe(1);
  });

  it('attaching the same file again returns it unchanged, and re-indexes it after a failure', async () => {
    const store = await t.openai.vectorStores.create({});
    const fileId = await seedFile(t);
    const first = await t.openai.vectorStores.files.create(store.id, {
      file_id: fileId,
      attributes: { v: 1 },
    });
    const again = await t.openai.vectorStores.files.create(store.id, {
      file_id: fileId,
      attributes: { v: 2 },
    });
    expect(again).toEqual(first);
    expect((await t.openai.vectorStores.retrieve(store.id)).file_counts.total).toBe(1);

    await t.deps.db.vectorStoreFile.update({
      where: { vectorStoreId_fileId: { vectorStoreId: store.id, fileId } },
      data: { status: 'failed', lastError: { code: 'invalid_file', message: 'bad' } },
    });
    const retried = await t.openai.vectorStores.files.create(store.id, {
      file_id: fileId,
      attributes: { v: 3 },
    });
    expect(retried).toMatchObject({
      status: 'in_progress',
      last_error: null,
      attributes: { v: 3 },
    });
  });

  it('lists with a status filter and pagination', async () => {
    const store = await t.openai.vectorStores.create({});
    const ids: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      const fileId = await seedFile(t);
      await t.openai.vectorStores.files.create(store.id, { file_id: fileId });
      ids.push(fileId);
    }
    const [a, b, c, d] = ids as [string, string, string, string];
    await setStatus(store.id, a, 'completed');
    await setStatus(store.id, b, 'failed');
    await setStatus(store.id, c, 'cancelled');

    const all = await t.openai.vectorStores.files.list(store.id);
    const raw = await (await t.rest(`/vector_stores/${store.id}/files?filter=completed`)).json();
    expectSpec('ListVectorStoreFilesResponse', raw);
    expect(raw).toMatchObject({ object: 'list', first_id: a, last_id: a, has_more: false });
    expect(all.data.map((file) => file.id)).toEqual([d, c, b, a]);
    for (const [filter, expected] of [
      ['completed', [a]],
      ['failed', [b]],
      ['cancelled', [c]],
      ['in_progress', [d]],
    ] as const) {
      const page = await t.openai.vectorStores.files.list(store.id, { filter });
      expect(page.data.map((file) => file.id)).toEqual(expected);
    }
    const firstPage = await t.openai.vectorStores.files.list(store.id, { limit: 3, order: 'asc' });
    expect(firstPage.data.map((file) => file.id)).toEqual([a, b, c]);
    expect(firstPage.has_more).toBe(true);
    const walked: string[] = [];
    for await (const file of t.openai.vectorStores.files.list(store.id, { limit: 1 })) {
      walked.push(file.id);
    }
    expect(walked).toEqual([d, c, b, a]);
    expect((await t.openai.vectorStores.retrieve(store.id)).file_counts).toEqual({
      in_progress: 1,
      completed: 1,
      failed: 1,
      cancelled: 1,
      total: 4,
    });

    const bad = await apiError(
      t.openai.vectorStores.files.list(store.id, {
        filter: 'done' as 'completed',
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.param).toBe('filter');
  });

  it('keeps paging a status filter when the cursor file has changed status meanwhile', async () => {
    const store = await t.openai.vectorStores.create({});
    const older = await seedFile(t);
    const newer = await seedFile(t);
    for (const fileId of [older, newer]) {
      await t.openai.vectorStores.files.create(store.id, { file_id: fileId });
    }
    const first = await t.openai.vectorStores.files.list(store.id, {
      filter: 'in_progress',
      limit: 1,
    });
    expect(first.data.map((file) => file.id)).toEqual([newer]);
    await setStatus(store.id, newer, 'completed');
    const next = await t.openai.vectorStores.files.list(store.id, {
      filter: 'in_progress',
      limit: 1,
      after: newer,
    });
    expect(next.data.map((file) => file.id)).toEqual([older]);
  });

  it('updates attributes (replacing them, or clearing with null)', async () => {
    const store = await t.openai.vectorStores.create({});
    const fileId = await seedFile(t);
    await t.openai.vectorStores.files.create(store.id, {
      file_id: fileId,
      attributes: { a: 'x' },
    });
    const updated = await t.openai.vectorStores.files.update(fileId, {
      vector_store_id: store.id,
      attributes: { b: true, n: 1.5 },
    });
    expectSpec('VectorStoreFileObject', updated);
    expect(updated.attributes).toEqual({ b: true, n: 1.5 });
    const cleared = await t.openai.vectorStores.files.update(fileId, {
      vector_store_id: store.id,
      attributes: null,
    });
    expectSpec('VectorStoreFileObject', cleared);
    expect(cleared.attributes).toBeNull();

    const missing = await apiError(
      t.openai.vectorStores.files.update(fileId, {
        vector_store_id: store.id,
      } as OpenAI.VectorStores.FileUpdateParams),
    );
    expect(missing.status).toBe(400);
    expect(missing.code).toBe('missing_required_parameter');
    expect(missing.param).toBe('attributes');
  });

  it('refuses attributes beyond OpenAI’s limits', async () => {
    const store = await t.openai.vectorStores.create({});
    const fileId = await seedFile(t);
    const seventeen = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]));
    const cases: [unknown, string, string][] = [
      [seventeen, 'attributes', 'object_above_max_properties'],
      [{ ['k'.repeat(65)]: 'v' }, `attributes.${'k'.repeat(65)}`, 'string_above_max_length'],
      [{ k: 'v'.repeat(513) }, 'attributes.k', 'string_above_max_length'],
      [{ k: { nested: true } }, 'attributes.k', 'invalid_value'],
      [{ k: ['a'] }, 'attributes.k', 'invalid_value'],
      [{ k: null }, 'attributes.k', 'invalid_value'],
      ['text', 'attributes', 'invalid_type'],
    ];
    for (const [attributes, param, code] of cases) {
      for (const call of [
        () =>
          t.openai.vectorStores.files.create(store.id, {
            file_id: fileId,
            attributes: attributes as Record<string, string>,
          }),
        () =>
          t.openai.vectorStores.files.update(fileId, {
            vector_store_id: store.id,
            attributes: attributes as Record<string, string>,
          }),
      ]) {
        const error = await apiError(call());
        expect({ status: error.status, param: error.param, code: error.code }).toEqual({
          status: 400,
          param,
          code,
        });
      }
    }
    // Sixteen keys of 64 characters with 512-character values are fine.
    const limits = Object.fromEntries(
      Array.from({ length: 16 }, (_, i) => [`${i}`.padStart(64, 'k'), 'v'.repeat(512)]),
    );
    const ok = await t.openai.vectorStores.files.create(store.id, {
      file_id: fileId,
      attributes: limits,
    });
    expect(ok.attributes).toEqual(limits);
  });

  it('refuses bad chunking strategies on a file', async () => {
    const store = await t.openai.vectorStores.create({});
    const fileId = await seedFile(t);
    const error = await apiError(
      t.openai.vectorStores.files.create(store.id, {
        file_id: fileId,
        chunking_strategy: {
          type: 'static',
          static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 51 },
        },
      }),
    );
    expect(error.status).toBe(400);
    expect(error.param).toBe('chunking_strategy.static.chunk_overlap_tokens');
    expect(await t.deps.db.vectorStoreFile.count({ where: { fileId } })).toBe(0);
  });

  it('deletes the association only: the File stays, and can be attached again', async () => {
    const store = await t.openai.vectorStores.create({});
    const fileId = await seedFile(t);
    await t.openai.vectorStores.files.create(store.id, { file_id: fileId });
    const deleted = await t.openai.vectorStores.files.delete(fileId, { vector_store_id: store.id });
    expectSpec('DeleteVectorStoreFileResponse', deleted);
    expect(deleted).toEqual({ id: fileId, object: 'vector_store.file.deleted', deleted: true });
    expect(await t.deps.db.file.count({ where: { id: fileId } })).toBe(1);
    const gone = await apiError(
      t.openai.vectorStores.files.retrieve(fileId, { vector_store_id: store.id }),
    );
    expect(gone.status).toBe(404);
    expect(gone.message).toBe(
      `404 No file found with id '${fileId}' in vector store '${store.id}'.`,
    );
    expect((await t.openai.vectorStores.files.create(store.id, { file_id: fileId })).id).toBe(
      fileId,
    );
  });

  it('answers unknown stores, unknown files and other projects’ ids with 404', async () => {
    const store = await t.openai.vectorStores.create({});
    const other = await t.createOtherProject();
    const theirClient = t.client(other.apiKey);
    const theirStore = await theirClient.vectorStores.create({});
    const theirFile = await seedFile(t, other.projectId);
    await theirClient.vectorStores.files.create(theirStore.id, { file_id: theirFile });

    const unknownFile = await apiError(
      t.openai.vectorStores.files.create(store.id, { file_id: 'file-missing' }),
    );
    expect(unknownFile.status).toBe(404);
    expect(unknownFile.message).toBe("404 No file found with id 'file-missing'.");
    expect(unknownFile.param).toBe('file_id');
    const foreignFile = await apiError(
      t.openai.vectorStores.files.create(store.id, { file_id: theirFile }),
    );
    expect(foreignFile.status).toBe(404);

    const mine = await seedFile(t);
    for (const id of ['vs_missing', theirStore.id]) {
      const calls = [
        () => t.openai.vectorStores.files.create(id, { file_id: mine }),
        () => t.openai.vectorStores.files.list(id),
        () => t.openai.vectorStores.files.retrieve(theirFile, { vector_store_id: id }),
        () =>
          t.openai.vectorStores.files.update(theirFile, { vector_store_id: id, attributes: {} }),
        () => t.openai.vectorStores.files.delete(theirFile, { vector_store_id: id }),
      ];
      for (const call of calls) {
        const error = await apiError(call());
        expect(error.status).toBe(404);
        expect(error.message).toBe(`404 No vector store found with id '${id}'.`);
      }
    }
    // Their association is untouched.
    const theirs = await theirClient.vectorStores.files.retrieve(theirFile, {
      vector_store_id: theirStore.id,
    });
    expect(theirs.status).toBe('in_progress');
  });

  it('requires file_id and refuses unknown fields', async () => {
    const store = await t.openai.vectorStores.create({});
    const missing = await apiError(
      t.openai.vectorStores.files.create(store.id, {} as OpenAI.VectorStores.FileCreateParams),
    );
    expect(missing).toMatchObject({ status: 400, code: 'missing_required_parameter' });
    expect(missing.param).toBe('file_id');
    const unknown = await apiError(
      t.openai.vectorStores.files.create(store.id, {
        file_id: 'file-x',
        colour: 'red',
      } as OpenAI.VectorStores.FileCreateParams),
    );
    expect(unknown).toMatchObject({ status: 400, code: 'unknown_parameter', param: 'colour' });
  });
});
