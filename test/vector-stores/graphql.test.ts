import { describe, expect, it } from 'vitest';
import { type GraphQLResponse, type TestApp, useTestApp } from '../setup/app.js';
import { firstError } from '../setup/graphql-response.js';
import { seedFile } from './seed.js';

let t: TestApp;
// No worker: files stay in_progress, so statuses and counts are what the requests wrote.
useTestApp({ worker: false }, (app) => {
  t = app;
});

const STORE_FIELDS = `
  id createdAt name description status usageBytes metadata expiresAt lastActiveAt
  fileCounts { inProgress completed failed cancelled total }
  expiresAfter { anchor days }
`;
const FILE_FIELDS = `
  id vectorStoreId batchId createdAt status usageBytes attributes
  lastError { code message }
  chunkingStrategy { type static { maxChunkSizeTokens chunkOverlapTokens } }
`;
const BATCH_FIELDS = `
  id vectorStoreId createdAt status
  fileCounts { inProgress completed failed cancelled total }
`;

interface Counts {
  inProgress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

interface Store {
  id: string;
  createdAt: number;
  name: string;
  description: string | null;
  status: string;
  usageBytes: number;
  metadata: unknown;
  expiresAt: number | null;
  lastActiveAt: number | null;
  fileCounts: Counts;
  expiresAfter: { anchor: string; days: number } | null;
}

interface StoreFile {
  id: string;
  vectorStoreId: string;
  batchId: string | null;
  status: string;
  attributes: unknown;
  lastError: unknown;
  chunkingStrategy: unknown;
}

function dataOf<T>(response: GraphQLResponse<T>): T {
  expect(response.errors).toBeUndefined();
  if (!response.data) {
    throw new Error('expected data');
  }
  return response.data;
}

async function createStore(input: Record<string, unknown> = {}, apiKey?: string) {
  const response = await t.graphql<{ createVectorStore: Store }>(
    `mutation ($input: CreateVectorStoreInput) { createVectorStore(input: $input) { ${STORE_FIELDS} } }`,
    { input },
    { apiKey },
  );
  return dataOf(response).createVectorStore;
}

describe('vector stores over GraphQL', () => {
  it('creates, reads, lists, updates and deletes', async () => {
    const store = await createStore({
      name: 'kb',
      description: 'knowledge',
      expiresAfter: { anchor: 'last_active_at', days: 2 },
      metadata: { a: '1' },
    });
    expect(store).toMatchObject({
      name: 'kb',
      description: 'knowledge',
      status: 'completed',
      usageBytes: 0,
      metadata: { a: '1' },
      fileCounts: { inProgress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 },
      expiresAfter: { anchor: 'last_active_at', days: 2 },
    });
    expect(store.expiresAt).toBe((store.lastActiveAt ?? 0) + 2 * 86_400);

    const read = dataOf(
      await t.graphql<{ vectorStore: Store }>(
        `query ($id: ID!) { vectorStore(id: $id) { ${STORE_FIELDS} } }`,
        { id: store.id },
      ),
    ).vectorStore;
    expect(read).toEqual(store);

    const list = dataOf(
      await t.graphql<{
        vectorStores: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean } };
      }>(
        '{ vectorStores(first: 100) { nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }',
      ),
    ).vectorStores;
    expect(list.nodes.map((item) => item.id)).toContain(store.id);

    const updated = dataOf(
      await t.graphql<{ updateVectorStore: Store }>(
        `mutation ($id: ID!, $input: UpdateVectorStoreInput!) {
          updateVectorStore(id: $id, input: $input) { ${STORE_FIELDS} }
        }`,
        { id: store.id, input: { name: 'renamed', expiresAfter: null } },
      ),
    ).updateVectorStore;
    expect(updated).toMatchObject({ name: 'renamed', expiresAfter: null, expiresAt: null });

    const deleted = dataOf(
      await t.graphql<{ deleteVectorStore: { id: string; deleted: boolean } }>(
        'mutation ($id: ID!) { deleteVectorStore(id: $id) { id deleted } }',
        { id: store.id },
      ),
    ).deleteVectorStore;
    expect(deleted).toEqual({ id: store.id, deleted: true });
    const gone = await t.graphql('query ($id: ID!) { vectorStore(id: $id) { id } }', {
      id: store.id,
    });
    expect(firstError(gone)).toMatchObject({
      message: `No vector store found with id '${store.id}'.`,
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it('validates with OpenAI’s wording and camelCase params', async () => {
    const response = await t.graphql(
      'mutation ($input: CreateVectorStoreInput) { createVectorStore(input: $input) { id } }',
      { input: { expiresAfter: { anchor: 'last_active_at', days: 400 } } },
    );
    expect(firstError(response)).toMatchObject({
      message: expect.stringMatching(/^Invalid 'expiresAfter\.days': /),
      extensions: { code: 'INVALID_REQUEST', param: 'expiresAfter.days' },
    });
  });
});

describe('vector store files and batches over GraphQL', () => {
  it('attaches, filters, updates attributes and detaches', async () => {
    const store = await createStore();
    const [a, b] = [await seedFile(t), await seedFile(t)];
    for (const fileId of [a, b]) {
      const created = dataOf(
        await t.graphql<{ createVectorStoreFile: StoreFile }>(
          `mutation ($vs: ID!, $input: CreateVectorStoreFileInput!) {
            createVectorStoreFile(vectorStoreId: $vs, input: $input) { ${FILE_FIELDS} }
          }`,
          {
            vs: store.id,
            input: {
              fileId,
              attributes: { n: 1 },
              chunkingStrategy: {
                type: 'static',
                static: { maxChunkSizeTokens: 512, chunkOverlapTokens: 128 },
              },
            },
          },
        ),
      ).createVectorStoreFile;
      expect(created).toMatchObject({
        id: fileId,
        vectorStoreId: store.id,
        batchId: null,
        status: 'in_progress',
        lastError: null,
        attributes: { n: 1 },
        chunkingStrategy: {
          type: 'static',
          static: { maxChunkSizeTokens: 512, chunkOverlapTokens: 128 },
        },
      });
    }
    await t.deps.db.vectorStoreFile.update({
      where: { vectorStoreId_fileId: { vectorStoreId: store.id, fileId: a } },
      data: { status: 'failed', lastError: { code: 'unsupported_file', message: 'no' } },
    });

    const nested = dataOf(
      await t.graphql<{
        vectorStore: { status: string; fileCounts: Counts; files: { nodes: StoreFile[] } };
      }>(
        `query ($id: ID!) {
          vectorStore(id: $id) {
            status fileCounts { inProgress completed failed cancelled total }
            files(filter: failed) { nodes { ${FILE_FIELDS} } }
          }
        }`,
        { id: store.id },
      ),
    ).vectorStore;
    expect(nested.status).toBe('in_progress');
    expect(nested.fileCounts).toEqual({
      inProgress: 1,
      completed: 0,
      failed: 1,
      cancelled: 0,
      total: 2,
    });
    expect(nested.files.nodes).toHaveLength(1);
    expect(nested.files.nodes[0]).toMatchObject({
      id: a,
      status: 'failed',
      lastError: { code: 'unsupported_file', message: 'no' },
    });

    const top = dataOf(
      await t.graphql<{ vectorStoreFiles: { nodes: { id: string }[] } }>(
        `query ($vs: ID!) { vectorStoreFiles(vectorStoreId: $vs, filter: in_progress) { nodes { id } } }`,
        { vs: store.id },
      ),
    ).vectorStoreFiles;
    expect(top.nodes.map((file) => file.id)).toEqual([b]);

    const updated = dataOf(
      await t.graphql<{ updateVectorStoreFileAttributes: StoreFile }>(
        `mutation ($vs: ID!, $id: ID!, $input: UpdateVectorStoreFileAttributesInput!) {
          updateVectorStoreFileAttributes(vectorStoreId: $vs, fileId: $id, input: $input) {
            attributes
          }
        }`,
        { vs: store.id, id: b, input: { attributes: { tag: 'x' } } },
      ),
    ).updateVectorStoreFileAttributes;
    expect(updated.attributes).toEqual({ tag: 'x' });

    const badAttributes = await t.graphql(
      `mutation ($vs: ID!, $id: ID!, $input: UpdateVectorStoreFileAttributesInput!) {
        updateVectorStoreFileAttributes(vectorStoreId: $vs, fileId: $id, input: $input) { id }
      }`,
      { vs: store.id, id: b, input: { attributes: { tag: { deep: 1 } } } },
    );
    expect(firstError(badAttributes).extensions).toMatchObject({
      code: 'INVALID_REQUEST',
      param: 'attributes.tag',
    });

    const deleted = dataOf(
      await t.graphql<{ deleteVectorStoreFile: { id: string; deleted: boolean } }>(
        'mutation ($vs: ID!, $id: ID!) { deleteVectorStoreFile(vectorStoreId: $vs, fileId: $id) { id deleted } }',
        { vs: store.id, id: a },
      ),
    ).deleteVectorStoreFile;
    expect(deleted).toEqual({ id: a, deleted: true });
    const missing = await t.graphql(
      'query ($vs: ID!, $id: ID!) { vectorStoreFile(vectorStoreId: $vs, fileId: $id) { id } }',
      { vs: store.id, id: a },
    );
    expect(firstError(missing).extensions).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('creates, reads, cancels and lists a batch', async () => {
    const store = await createStore();
    const ids = [await seedFile(t), await seedFile(t)];
    const batch = dataOf(
      await t.graphql<{ createVectorStoreFileBatch: { id: string; status: string } }>(
        `mutation ($vs: ID!, $input: CreateVectorStoreFileBatchInput!) {
          createVectorStoreFileBatch(vectorStoreId: $vs, input: $input) { ${BATCH_FIELDS} }
        }`,
        {
          vs: store.id,
          input: { files: ids.map((fileId) => ({ fileId, attributes: { f: fileId } })) },
        },
      ),
    ).createVectorStoreFileBatch;
    expect(batch).toMatchObject({
      status: 'in_progress',
      fileCounts: { inProgress: 2, total: 2 },
    });

    const cancelled = dataOf(
      await t.graphql<{
        cancelVectorStoreFileBatch: { status: string; fileCounts: Counts };
      }>(
        `mutation ($vs: ID!, $id: ID!) {
          cancelVectorStoreFileBatch(vectorStoreId: $vs, batchId: $id) { ${BATCH_FIELDS} }
        }`,
        { vs: store.id, id: batch.id },
      ),
    ).cancelVectorStoreFileBatch;
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      fileCounts: { cancelled: 2, total: 2 },
    });

    const read = dataOf(
      await t.graphql<{
        vectorStoreFileBatch: { status: string; files: { nodes: StoreFile[] } };
      }>(
        `query ($vs: ID!, $id: ID!) {
          vectorStoreFileBatch(vectorStoreId: $vs, batchId: $id) {
            status files(filter: cancelled, order: asc) { nodes { ${FILE_FIELDS} } }
          }
        }`,
        { vs: store.id, id: batch.id },
      ),
    ).vectorStoreFileBatch;
    expect(read.status).toBe('cancelled');
    expect(read.files.nodes.map((file) => [file.id, file.batchId, file.attributes])).toEqual(
      ids.map((fileId) => [fileId, batch.id, { f: fileId }]),
    );

    const both = await t.graphql(
      `mutation ($vs: ID!, $input: CreateVectorStoreFileBatchInput!) {
        createVectorStoreFileBatch(vectorStoreId: $vs, input: $input) { id }
      }`,
      { vs: store.id, input: { fileIds: ids, files: [{ fileId: ids[0] }] } },
    );
    expect(firstError(both).extensions).toMatchObject({ code: 'INVALID_REQUEST', param: 'files' });
  });

  it('keeps projects apart', async () => {
    const other = await t.createOtherProject();
    const theirs = await createStore({ name: 'theirs' }, other.apiKey);
    const read = await t.graphql('query ($id: ID!) { vectorStore(id: $id) { id } }', {
      id: theirs.id,
    });
    expect(firstError(read).extensions).toMatchObject({ code: 'NOT_FOUND' });
    const files = await t.graphql(
      'query ($vs: ID!) { vectorStoreFiles(vectorStoreId: $vs) { nodes { id } } }',
      { vs: theirs.id },
    );
    expect(firstError(files).extensions).toMatchObject({ code: 'NOT_FOUND' });
    const list = dataOf(
      await t.graphql<{ vectorStores: { nodes: { id: string }[] } }>(
        '{ vectorStores(first: 100) { nodes { id } } }',
      ),
    ).vectorStores;
    expect(list.nodes.map((store) => store.id)).not.toContain(theirs.id);
  });
});
