import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import { type TestApp, useTestApp } from '../setup/app.js';
import { expectSpec } from '../setup/openapi.js';
import { seedFile } from './seed.js';

let t: TestApp;
// No worker: runs stay queued and files in_progress; only what the requests write matters.
useTestApp({ worker: false }, (app) => {
  t = app;
});

const DAY = 86_400;

function storeIdOf(
  resources: { file_search?: { vector_store_ids?: string[] } } | null | undefined,
): string {
  const ids = resources?.file_search?.vector_store_ids ?? [];
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
}

describe('the tool_resources.file_search.vector_stores helper', () => {
  it('creates the assistant’s vector store with its files, chunking and metadata', async () => {
    const files = [await seedFile(t), await seedFile(t)];
    const assistant = await t.openai.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search' }],
      tool_resources: {
        file_search: {
          vector_stores: [
            {
              file_ids: files,
              chunking_strategy: {
                type: 'static',
                static: { max_chunk_size_tokens: 400, chunk_overlap_tokens: 200 },
              },
              metadata: { made: 'helper' },
            },
          ],
        },
      },
    });
    expectSpec('AssistantObject', assistant);
    const storeId = storeIdOf(assistant.tool_resources);
    expect(assistant.tool_resources).toEqual({ file_search: { vector_store_ids: [storeId] } });

    const store = await t.openai.vectorStores.retrieve(storeId);
    expect(store).toMatchObject({
      metadata: { made: 'helper' },
      status: 'in_progress',
      expires_at: null,
      file_counts: { in_progress: 2, total: 2 },
    });
    expect(store).not.toHaveProperty('expires_after');
    const attached = await t.openai.vectorStores.files.list(storeId);
    expect(attached.data.map((file) => file.id).sort()).toEqual([...files].sort());
    expect(attached.data[0]?.chunking_strategy).toEqual({
      type: 'static',
      static: { max_chunk_size_tokens: 400, chunk_overlap_tokens: 200 },
    });
    expect((await t.openai.beta.assistants.retrieve(assistant.id)).tool_resources).toEqual({
      file_search: { vector_store_ids: [storeId] },
    });
  });

  it('gives a thread’s store OpenAI’s 7-day expiry after last activity', async () => {
    const fileId = await seedFile(t);
    const thread = await t.openai.beta.threads.create({
      tool_resources: { file_search: { vector_stores: [{ file_ids: [fileId] }] } },
    });
    expectSpec('ThreadObject', thread);
    const store = await t.openai.vectorStores.retrieve(storeIdOf(thread.tool_resources));
    expectSpec('VectorStoreObject', store);
    expect(store.expires_after).toEqual({ anchor: 'last_active_at', days: 7 });
    expect(store.expires_at).toBe((store.last_active_at ?? 0) + 7 * DAY);
    expect(store.file_counts.total).toBe(1);
  });

  it('works in create thread and run, for the new thread', async () => {
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
    const fileId = await seedFile(t);
    const run = await t.openai.beta.threads.createAndRun({
      assistant_id: assistant.id,
      thread: {
        messages: [{ role: 'user', content: 'Hi' }],
        tool_resources: { file_search: { vector_stores: [{ file_ids: [fileId] }] } },
      },
    });
    const thread = await t.openai.beta.threads.retrieve(run.thread_id);
    const storeId = storeIdOf(thread.tool_resources);
    const files = await t.openai.vectorStores.files.list(storeId);
    expect(files.data.map((file) => file.id)).toEqual([fileId]);
  });

  it('creates an empty store when no files are given', async () => {
    const thread = await t.openai.beta.threads.create({
      tool_resources: { file_search: { vector_stores: [{}] } },
    });
    const store = await t.openai.vectorStores.retrieve(storeIdOf(thread.tool_resources));
    expect(store).toMatchObject({ status: 'completed', file_counts: { total: 0 } });
  });

  it('leaves nothing behind when a file is unknown', async () => {
    const storesBefore = await t.deps.db.vectorStore.count();
    const assistantsBefore = await t.deps.db.assistant.count();
    const threadsBefore = await t.deps.db.thread.count();
    const known = await seedFile(t);
    const resources = {
      file_search: { vector_stores: [{ file_ids: [known, 'file-missing'] }] },
    };
    for (const call of [
      () => t.openai.beta.assistants.create({ model: 'gpt-4o', tool_resources: resources }),
      () => t.openai.beta.threads.create({ tool_resources: resources }),
    ]) {
      const error = await apiError(call());
      expect(error.status).toBe(404);
      expect(error.message).toBe("404 No file found with id 'file-missing'.");
      expect(error.param).toBe('tool_resources.file_search.vector_stores[0].file_ids');
    }
    expect(await t.deps.db.vectorStore.count()).toBe(storesBefore);
    expect(await t.deps.db.assistant.count()).toBe(assistantsBefore);
    expect(await t.deps.db.thread.count()).toBe(threadsBefore);
  });

  it('refuses bad helper input with OpenAI’s params', async () => {
    const fileId = await seedFile(t);
    const store = await t.openai.vectorStores.create({});
    const cases: [unknown, string, string][] = [
      [
        { file_search: { vector_stores: [{}, {}] } },
        'tool_resources.file_search.vector_stores',
        'array_above_max_length',
      ],
      [
        {
          file_search: {
            vector_stores: [
              {
                file_ids: [fileId],
                chunking_strategy: {
                  type: 'static',
                  static: { max_chunk_size_tokens: 5000, chunk_overlap_tokens: 0 },
                },
              },
            ],
          },
        },
        'tool_resources.file_search.vector_stores[0].chunking_strategy.static.max_chunk_size_tokens',
        'decimal_above_max_value',
      ],
      [
        { file_search: { vector_stores: [{ metadata: { k: 1 } }] } },
        'tool_resources.file_search.vector_stores[0].metadata.k',
        'invalid_type',
      ],
      [
        { file_search: { vector_store_ids: [store.id], vector_stores: [{}] } },
        'tool_resources.file_search.vector_stores',
        'invalid_value',
      ],
    ];
    for (const [toolResources, param, code] of cases) {
      const error = await apiError(
        t.openai.beta.assistants.create({
          model: 'gpt-4o',
          tool_resources: toolResources as OpenAI.Beta.AssistantCreateParams.ToolResources,
        }),
      );
      expect({ status: error.status, param: error.param, code: error.code }).toEqual({
        status: 400,
        param,
        code,
      });
    }
  });

  it('is refused on updates, which take vector_store_ids only', async () => {
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
    const thread = await t.openai.beta.threads.create();
    const resources = { file_search: { vector_stores: [{}] } };
    for (const call of [
      () =>
        t.openai.beta.assistants.update(assistant.id, {
          tool_resources: resources as OpenAI.Beta.AssistantUpdateParams.ToolResources,
        }),
      () =>
        t.openai.beta.threads.update(thread.id, {
          tool_resources: resources as OpenAI.Beta.ThreadUpdateParams.ToolResources,
        }),
    ]) {
      const error = await apiError(call());
      expect(error.status).toBe(400);
      expect(error.param).toBe('tool_resources.file_search.vector_stores');
      expect(error.message).toContain('only be created along with a new assistant or thread');
    }
  });
});

describe('the helper over GraphQL', () => {
  it('creates the store from typed input and returns its id', async () => {
    const fileId = await seedFile(t);
    const result = await t.graphql<{
      createAssistant: { toolResources: { fileSearch: { vectorStoreIds: string[] } } };
    }>(
      `mutation ($input: CreateAssistantInput!) {
        createAssistant(input: $input) { toolResources { fileSearch { vectorStoreIds } } }
      }`,
      {
        input: {
          model: 'gpt-4o',
          toolResources: {
            fileSearch: {
              vectorStores: [
                {
                  fileIds: [fileId],
                  chunkingStrategy: { type: 'auto' },
                  metadata: { via: 'graphql' },
                },
              ],
            },
          },
        },
      },
    );
    expect(result.errors).toBeUndefined();
    const [storeId] = result.data?.createAssistant.toolResources.fileSearch.vectorStoreIds ?? [];
    const store = await t.graphql<{
      vectorStore: { metadata: unknown; fileCounts: { total: number } };
    }>('query ($id: ID!) { vectorStore(id: $id) { metadata fileCounts { total } } }', {
      id: storeId,
    });
    expect(store.data?.vectorStore).toEqual({
      metadata: { via: 'graphql' },
      fileCounts: { total: 1 },
    });
  });
});
