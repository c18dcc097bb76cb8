import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import { startTestApp, type TestApp } from '../setup/app.js';
import { uploadFile } from '../setup/factories.js';
import { type FakeUpstream, startFakeUpstream } from '../setup/fake-upstream.js';
import { expectSpec } from '../setup/openapi.js';

let upstream: FakeUpstream;
/** Server and worker with the fake upstream's embeddings: hybrid search end to end. */
let t: TestApp;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  t = await startTestApp({ LLM_BASE_URL: upstream.url, EMBEDDING_MODEL: 'fake-embed' });
});

afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

const MANUAL =
  'To reset the router, hold the reset button for ten seconds.\n\n' +
  'The warranty covers the router for two years; batteries are excluded.';

async function storeWith(files: Record<string, string>, attributes: Record<string, string> = {}) {
  const store = await t.openai.vectorStores.create({ name: 'manuals' });
  const ids: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    const file = await t.openai.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(Buffer.from(text), name),
      { pollIntervalMs: 20 },
    );
    expect(file.status).toBe('completed');
    if (Object.keys(attributes).length > 0) {
      await t.openai.vectorStores.files.update(file.id, { vector_store_id: store.id, attributes });
    }
    ids[name] = file.id;
  }
  return { storeId: store.id, ids };
}

describe('POST /vector_stores/{id}/search', () => {
  it('answers a vector_store.search_results.page through the SDK', async () => {
    const { storeId, ids } = await storeWith({
      'router.md': MANUAL,
      'recipes.txt': 'Knead the dough and let it rise overnight.',
    });
    const page = await t.openai.vectorStores.search(storeId, {
      query: 'how do I reset the router',
    });
    // The recipe shares only filler words ("the") with the query: a faint vector similarity.
    expect(page.data.map((result) => result.filename)).toEqual(['router.md', 'recipes.txt']);
    expect(page.data[1]?.score).toBeLessThan((page.data[0]?.score ?? 0) / 2);
    expect(page.data[0]).toMatchObject({
      file_id: ids['router.md'],
      attributes: {},
      content: [{ type: 'text', text: MANUAL }],
    });
    expect(page.data[0]?.score).toBeGreaterThan(0);
    expect(page.data[0]?.score).toBeLessThanOrEqual(1);

    const response = await t.rest(`/vector_stores/${storeId}/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: ['Router reset?', 'warranty'],
        rewrite_query: true,
        max_num_results: 5,
        ranking_options: { ranker: 'default-2024-11-15', score_threshold: 0.01 },
      }),
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expectSpec('VectorStoreSearchResultsPage', body);
    expect(body).toMatchObject({
      object: 'vector_store.search_results.page',
      search_query: ['router reset', 'warranty'],
      has_more: false,
      next_page: null,
    });
  });

  it('filters on attributes, with snake_case params in its 400s', async () => {
    const { storeId } = await storeWith({ 'a.txt': 'shared words here' }, { team: 'red' });
    const blue = await storeWith({ 'b.txt': 'shared words here' }, { team: 'blue' });
    const fileB = await t.openai.files.retrieve(blue.ids['b.txt'] ?? '');
    await t.openai.vectorStores.files.createAndPoll(storeId, {
      file_id: fileB.id,
      attributes: { team: 'blue' },
    });
    const red = await t.openai.vectorStores.search(storeId, {
      query: 'shared words',
      filters: { type: 'eq', key: 'team', value: 'red' },
    });
    expect(red.data.map((result) => [result.filename, result.attributes])).toEqual([
      ['a.txt', { team: 'red' }],
    ]);
    const error = await apiError(
      t.openai.vectorStores.search(storeId, {
        query: 'x',
        filters: {
          type: 'and',
          filters: [{ type: 'eq', key: 'team', value: { nested: true } as never }],
        },
      }),
    );
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({
      type: 'invalid_request_error',
      param: 'filters.filters[0].value',
    });
  });

  it('rejects bad requests and unknown stores in OpenAI’s envelope', async () => {
    const { storeId } = await storeWith({ 'a.txt': 'text' });
    const missing = await apiError(t.openai.vectorStores.search('vs_missing', { query: 'x' }));
    expect(missing.status).toBe(404);
    const tooMany = await apiError(
      t.openai.vectorStores.search(storeId, { query: 'x', max_num_results: 51 }),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.error).toMatchObject({ param: 'max_num_results' });
    const noQuery = await t.rest(`/vector_stores/${storeId}/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ max_num_results: 2 }),
    });
    expect(noQuery.status).toBe(400);
    expectSpec('ErrorResponse', await noQuery.json());
    const unknownField = await t.rest(`/vector_stores/${storeId}/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'x', bogus: 1 }),
    });
    expect(unknownField.status).toBe(400);
  });
});

describe('GET /vector_stores/{id}/files/{file_id}/content', () => {
  it('lists the file’s parsed chunks in order', async () => {
    const store = await t.openai.vectorStores.create({});
    const long = Array.from({ length: 120 }, (_, i) => `Line ${i} of the handbook.`).join('\n');
    const uploaded = await uploadFile(t, 'handbook.txt', long);
    await t.openai.vectorStores.files.createAndPoll(
      store.id,
      {
        file_id: uploaded.id,
        chunking_strategy: {
          type: 'static',
          static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 },
        },
      },
      { pollIntervalMs: 20 },
    );
    const page = await t.openai.vectorStores.files.content(uploaded.id, {
      vector_store_id: store.id,
    });
    expect(page.data.length).toBeGreaterThan(5);
    expect(page.data.every((part) => part.type === 'text')).toBe(true);
    // No overlap: the chunks put back together are the file.
    expect(page.data.map((part) => part.text).join('')).toBe(long);

    const raw = await t.rest(`/vector_stores/${store.id}/files/${uploaded.id}/content`);
    const body = await raw.json();
    expectSpec('VectorStoreFileContentResponse', body);
    expect(body).toMatchObject({ object: 'vector_store.file_content.page', has_more: false });
  });

  it('404s for files not in the store', async () => {
    const store = await t.openai.vectorStores.create({});
    const error = await apiError(
      t.openai.vectorStores.files.content('file-missing', { vector_store_id: store.id }),
    );
    expect(error.status).toBe(404);
  });
});

describe('GraphQL twins', () => {
  it('searchVectorStore and vectorStoreFileContent return what REST does', async () => {
    const { storeId, ids } = await storeWith({ 'router.md': MANUAL });
    const result = await t.graphql<{
      searchVectorStore: {
        searchQuery: string[];
        data: { fileId: string; filename: string; score: number; chunkId: string }[];
        hasMore: boolean;
      };
      vectorStoreFileContent: { data: { type: string; text: string }[] };
    }>(
      `query ($id: ID!, $fileId: ID!, $input: SearchVectorStoreInput!) {
        searchVectorStore(vectorStoreId: $id, input: $input) {
          searchQuery data { fileId filename score chunkId } hasMore
        }
        vectorStoreFileContent(vectorStoreId: $id, fileId: $fileId) { data { type text } }
      }`,
      {
        id: storeId,
        fileId: ids['router.md'],
        input: { query: 'warranty batteries', maxNumResults: 3 },
      },
    );
    expect(result.errors).toBeUndefined();
    const rest = await t.openai.vectorStores.search(storeId, {
      query: 'warranty batteries',
      max_num_results: 3,
    });
    expect(result.data?.searchVectorStore).toMatchObject({
      searchQuery: ['warranty batteries'],
      hasMore: false,
      data: rest.data.map((item) => ({
        fileId: item.file_id,
        filename: item.filename,
        score: item.score,
      })),
    });
    expect(result.data?.vectorStoreFileContent.data).toEqual([{ type: 'text', text: MANUAL }]);
  });

  it('reports bad filters as GraphQL errors naming the field', async () => {
    const { storeId } = await storeWith({ 'a.txt': 'text' });
    const result = await t.graphql(
      `query ($id: ID!) { searchVectorStore(vectorStoreId: $id, input: { query: "x", filters: { type: "eq", key: "team" } }) { hasMore } }`,
      { id: storeId },
    );
    expect(result.errors?.[0]).toMatchObject({
      message:
        "Invalid 'filters.value': Expected a string, a number, a boolean, or an array of strings and numbers.",
      extensions: { code: 'INVALID_REQUEST', param: 'filters.value' },
    });
  });
});
