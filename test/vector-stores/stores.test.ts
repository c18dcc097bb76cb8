import OpenAI from 'openai';
import OpenAIv4 from 'openai-v4';
import { describe, expect, it } from 'vitest';
import { sweepVectorStores } from '../../src/services/vector-stores/vector-store-expiry.js';
import { apiError } from '../setup/api-error.js';
import { type TestApp, useTestApp } from '../setup/app.js';
import { expectSpec } from '../setup/openapi.js';
import { seedFile } from './seed.js';

let t: TestApp;
// No worker: attached files stay in_progress, so counts and statuses are deterministic.
useTestApp({ worker: false }, (app) => {
  t = app;
});

const DAY = 86_400;

describe('vector stores over the official SDK', () => {
  it('creates an empty store in OpenAI’s exact shape', async () => {
    const before = Math.floor(Date.now() / 1000);
    const store = await t.openai.vectorStores.create({ name: 'Docs', metadata: { team: 'a' } });
    expectSpec('VectorStoreObject', store);
    expect(store.id).toMatch(/^vs_[A-Za-z0-9]{24}$/);
    expect(store).toEqual({
      id: store.id,
      object: 'vector_store',
      created_at: store.created_at,
      name: 'Docs',
      usage_bytes: 0,
      file_counts: { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 },
      status: 'completed',
      expires_at: null,
      last_active_at: store.created_at,
      metadata: { team: 'a' },
    });
    expect(store.created_at).toBeGreaterThanOrEqual(before);
  });

  it('creates with files: they are in_progress, and so is the store, counted from its files', async () => {
    const files = [await seedFile(t), await seedFile(t)];
    const store = await t.openai.vectorStores.create({
      file_ids: files,
      chunking_strategy: {
        type: 'static',
        static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 100 },
      },
    });
    expectSpec('VectorStoreObject', store);
    expect(store.status).toBe('in_progress');
    expect(store.name).toBe('');
    expect(store.file_counts).toEqual({
      in_progress: 2,
      completed: 0,
      failed: 0,
      cancelled: 0,
      total: 2,
    });
    const attached = await t.openai.vectorStores.files.list(store.id);
    expect(attached.data.map((file) => file.id).sort()).toEqual([...files].sort());
    for (const file of attached.data) {
      expect(file.chunking_strategy).toEqual({
        type: 'static',
        static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 100 },
      });
    }
    // An indexing job ends the file; the store's counts follow its rows.
    const [first] = files;
    await t.deps.db.vectorStoreFile.update({
      where: { vectorStoreId_fileId: { vectorStoreId: store.id, fileId: first ?? '' } },
      data: { status: 'completed', usageBytes: 1234n },
    });
    const read = await t.openai.vectorStores.retrieve(store.id);
    expect(read.file_counts).toMatchObject({ in_progress: 1, completed: 1, total: 2 });
    expect(read.usage_bytes).toBe(1234);
  });

  it('sets expires_at from expires_after and last_active_at', async () => {
    const store = await t.openai.vectorStores.create({
      expires_after: { anchor: 'last_active_at', days: 3 },
    });
    expectSpec('VectorStoreObject', store);
    expect(store.expires_after).toEqual({ anchor: 'last_active_at', days: 3 });
    expect(store.last_active_at).not.toBeNull();
    expect(store.expires_at).toBe((store.last_active_at ?? 0) + 3 * DAY);
  });

  it('retrieves, updates (name, expiry, metadata) and deletes', async () => {
    const created = await t.openai.vectorStores.create({ name: 'old' });
    expect(await t.openai.vectorStores.retrieve(created.id)).toEqual(created);

    const updated = await t.openai.vectorStores.update(created.id, {
      name: 'new',
      expires_after: { anchor: 'last_active_at', days: 1 },
      metadata: { v: '2' },
    });
    expectSpec('VectorStoreObject', updated);
    expect(updated).toMatchObject({
      name: 'new',
      metadata: { v: '2' },
      expires_after: { anchor: 'last_active_at', days: 1 },
      expires_at: (created.last_active_at ?? 0) + DAY,
    });

    const cleared = await t.openai.vectorStores.update(created.id, { expires_after: null });
    expect(cleared.expires_at).toBeNull();
    expect(cleared).not.toHaveProperty('expires_after');
    expect(cleared.name).toBe('new');

    const deleted = await t.openai.vectorStores.delete(created.id);
    expectSpec('DeleteVectorStoreResponse', deleted);
    expect(deleted).toEqual({ id: created.id, object: 'vector_store.deleted', deleted: true });
    await expect(t.openai.vectorStores.retrieve(created.id)).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  });

  it('deleting a store detaches its files but keeps the files', async () => {
    const fileId = await seedFile(t);
    const store = await t.openai.vectorStores.create({ file_ids: [fileId] });
    await t.openai.vectorStores.delete(store.id);
    expect(await t.deps.db.vectorStoreFile.count({ where: { vectorStoreId: store.id } })).toBe(0);
    expect(await t.deps.db.file.count({ where: { id: fileId } })).toBe(1);
  });

  it('lists with pagination in both orders, and auto-pagination walks every page', async () => {
    const other = await t.createOtherProject();
    const client = t.client(other.apiKey);
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      ids.push((await client.vectorStores.create({ name: `s${index}` })).id);
    }
    const first = await client.vectorStores.list({ limit: 2 });
    expect(first.data.map((store) => store.id)).toEqual([ids[4], ids[3]]);
    const raw = await (await t.rest('/vector_stores?limit=2', { apiKey: other.apiKey })).json();
    expectSpec('ListVectorStoresResponse', raw);
    expect(raw).toMatchObject({
      object: 'list',
      first_id: ids[4],
      last_id: ids[3],
      has_more: true,
    });

    const asc = await client.vectorStores.list({ order: 'asc', after: ids[1], limit: 2 });
    expect(asc.data.map((store) => store.id)).toEqual([ids[2], ids[3]]);
    const before = await client.vectorStores.list({ order: 'asc', before: ids[3] });
    expect(before.data.map((store) => store.id)).toEqual([ids[0], ids[1], ids[2]]);

    const all: string[] = [];
    for await (const store of client.vectorStores.list({ limit: 2 })) {
      all.push(store.id);
    }
    expect(all).toEqual([...ids].reverse());
  });

  it('answers unknown and other projects’ stores with 404', async () => {
    const other = await t.createOtherProject();
    const theirs = await t.client(other.apiKey).vectorStores.create({ name: 'theirs' });
    for (const id of ['vs_missing', theirs.id]) {
      for (const call of [
        () => t.openai.vectorStores.retrieve(id),
        () => t.openai.vectorStores.update(id, { name: 'x' }),
        () => t.openai.vectorStores.delete(id),
      ]) {
        const error = await apiError(call());
        expect(error.status).toBe(404);
        expect(error.message).toBe(`404 No vector store found with id '${id}'.`);
      }
    }
    expect((await t.client(other.apiKey).vectorStores.retrieve(theirs.id)).name).toBe('theirs');
  });

  it('refuses bad expires_after, metadata, chunking strategies and unknown files', async () => {
    const cases: [unknown, string, string][] = [
      [
        { expires_after: { anchor: 'last_active_at', days: 0 } },
        'expires_after.days',
        'decimal_below_min_value',
      ],
      [
        { expires_after: { anchor: 'last_active_at', days: 366 } },
        'expires_after.days',
        'decimal_above_max_value',
      ],
      [
        { expires_after: { anchor: 'created_at', days: 1 } },
        'expires_after.anchor',
        'invalid_value',
      ],
      [{ expires_after: { days: 1 } }, 'expires_after.anchor', 'missing_required_parameter'],
      [{ metadata: { k: 'x'.repeat(513) } }, 'metadata.k', 'string_above_max_length'],
      [{ name: 'x'.repeat(257) }, 'name', 'string_above_max_length'],
      [
        { file_ids: Array.from({ length: 501 }, () => 'file-x') },
        'file_ids',
        'array_above_max_length',
      ],
      [
        {
          chunking_strategy: {
            type: 'static',
            static: { max_chunk_size_tokens: 99, chunk_overlap_tokens: 0 },
          },
        },
        'chunking_strategy.static.max_chunk_size_tokens',
        'decimal_below_min_value',
      ],
      [
        {
          chunking_strategy: {
            type: 'static',
            static: { max_chunk_size_tokens: 4097, chunk_overlap_tokens: 0 },
          },
        },
        'chunking_strategy.static.max_chunk_size_tokens',
        'decimal_above_max_value',
      ],
      [
        {
          chunking_strategy: {
            type: 'static',
            static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 401 },
          },
        },
        'chunking_strategy.static.chunk_overlap_tokens',
        'invalid_value',
      ],
      [
        { chunking_strategy: { type: 'static' } },
        'chunking_strategy.static',
        'missing_required_parameter',
      ],
      [{ chunking_strategy: { type: 'semantic' } }, 'chunking_strategy.type', 'invalid_value'],
    ];
    for (const [body, param, code] of cases) {
      const error = await apiError(
        t.openai.vectorStores.create(body as OpenAI.VectorStores.VectorStoreCreateParams),
      );
      expect({ status: error.status, param: error.param, code: error.code }).toEqual({
        status: 400,
        param,
        code,
      });
      // Where the message names the field, it is as the caller wrote it (an enum's names none).
      const named = error.message.includes(`'${param}'`);
      expect(named || error.message.startsWith('400 Invalid value: '), error.message).toBe(true);
    }
    const known = await seedFile(t);
    const storesBefore = await t.deps.db.vectorStore.count();
    const missing = await apiError(
      t.openai.vectorStores.create({ file_ids: [known, 'file-missing'] }),
    );
    expect(missing.status).toBe(404);
    expect(missing.message).toBe("404 No file found with id 'file-missing'.");
    expect(missing.param).toBe('file_ids');
    // Nothing half-written: neither the store nor the known file's association.
    expect(await t.deps.db.vectorStore.count()).toBe(storesBefore);
    expect(await t.deps.db.vectorStoreFile.count({ where: { fileId: known } })).toBe(0);
  });

  it('refuses another project’s file id as unknown', async () => {
    const other = await t.createOtherProject();
    const theirs = await seedFile(t, other.projectId);
    const error = await apiError(t.openai.vectorStores.create({ file_ids: [theirs] }));
    expect(error.status).toBe(404);
    expect(error.message).toBe(`404 No file found with id '${theirs}'.`);
  });
});

describe('expiry', () => {
  it('reports expired once past expires_at, and the sweep makes it final', async () => {
    const store = await t.openai.vectorStores.create({
      expires_after: { anchor: 'last_active_at', days: 1 },
    });
    // Nothing is due yet.
    expect((await sweepVectorStores(t.deps.db)).expired).not.toContain(store.id);
    const later = new Date(((store.expires_at ?? 0) + 1) * 1000);
    const swept = await sweepVectorStores(t.deps.db, { now: later });
    expect(swept.expired).toContain(store.id);

    const read = await t.openai.vectorStores.retrieve(store.id);
    expectSpec('VectorStoreObject', read);
    expect(read.status).toBe('expired');
    // A new policy does not revive it, and files cannot be added any more.
    const updated = await t.openai.vectorStores.update(store.id, {
      expires_after: { anchor: 'last_active_at', days: 30 },
    });
    expect(updated.status).toBe('expired');
    const fileId = await seedFile(t);
    const error = await apiError(t.openai.vectorStores.files.create(store.id, { file_id: fileId }));
    expect(error.status).toBe(400);
    expect(error.message).toContain(`Vector store ${store.id} is expired.`);
  });

  it('is expired on read as soon as expires_at has passed, before any sweep', async () => {
    const store = await t.openai.vectorStores.create({
      expires_after: { anchor: 'last_active_at', days: 1 },
    });
    await t.deps.db.vectorStore.update({
      where: { id: store.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await t.openai.vectorStores.retrieve(store.id)).status).toBe('expired');
  });
});

// 4.104 has vector stores at the top level (`client.vectorStores`, `del`); 4.x before 4.80 had
// them under `client.beta`. Both send the same requests.
describe('the 4.x SDK', () => {
  it('creates, lists, retrieves and deletes through the same paths', async () => {
    const v4 = new OpenAIv4({ apiKey: t.apiKey, baseURL: `${t.baseUrl}/v1`, maxRetries: 0 });
    const store = await v4.vectorStores.create({ name: 'from v4' });
    expectSpec('VectorStoreObject', store);
    expect((await v4.vectorStores.retrieve(store.id)).name).toBe('from v4');
    const page = await v4.vectorStores.list({ limit: 100 });
    expect(page.data.map((item) => item.id)).toContain(store.id);
    const fileId = await seedFile(t);
    const file = await v4.vectorStores.files.create(store.id, { file_id: fileId });
    expectSpec('VectorStoreFileObject', file);
    expect(file.status).toBe('in_progress');
    expect(await v4.vectorStores.del(store.id)).toEqual({
      id: store.id,
      object: 'vector_store.deleted',
      deleted: true,
    });
  });
});
