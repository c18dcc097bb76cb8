import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import { apiError } from '../setup/api-error.js';
import { type TestApp, useTestApp } from '../setup/app.js';
import { expectSpec } from '../setup/openapi.js';

let t: TestApp;
useTestApp({}, (app) => {
  t = app;
});

/** A File row in `projectId`; there is no upload route yet, and only its existence matters here. */
async function seedFile(projectId: string): Promise<string> {
  const file = await t.deps.db.file.create({
    data: {
      id: newId('file'),
      projectId,
      filename: 'data.csv',
      purpose: 'assistants',
      bytes: 3n,
      mimeType: 'text/csv',
      storageKey: 'test/data.csv',
    },
  });
  return file.id;
}

async function seedVectorStore(projectId: string): Promise<string> {
  const store = await t.deps.db.vectorStore.create({
    data: { id: newId('vectorStore'), projectId },
  });
  return store.id;
}

/** Thread ids of the project behind `apiKey`, read over GraphQL (REST has no thread list). */
async function threadIds(apiKey: string): Promise<string[]> {
  const result = await t.graphql<{ threads: { nodes: { id: string }[] } }>(
    '{ threads(first: 100) { nodes { id } } }',
    {},
    { apiKey },
  );
  expect(result.errors).toBeUndefined();
  return (result.data?.threads.nodes ?? []).map((thread) => thread.id);
}

describe('threads over the official SDK', () => {
  it('creates an empty thread when called with no arguments', async () => {
    const before = Math.floor(Date.now() / 1000);
    const thread = await t.openai.beta.threads.create();
    expectSpec('ThreadObject', thread);
    expect(thread.id).toMatch(/^thread_[A-Za-z0-9]{24}$/);
    expect(thread).toEqual({
      id: thread.id,
      object: 'thread',
      created_at: thread.created_at,
      tool_resources: {},
      metadata: {},
    });
    expect(thread.created_at).toBeGreaterThanOrEqual(before);
    expect(thread.created_at).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    const messages = await t.openai.beta.threads.messages.list(thread.id);
    expect(messages.data).toEqual([]);
  });

  it('creates a thread with its initial messages, in order, keeping string and part content', async () => {
    const thread = await t.openai.beta.threads.create({
      messages: [
        { role: 'user', content: 'What is 2 + 2?', metadata: { step: 'question' } },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Four.' },
            {
              type: 'image_url',
              image_url: { url: 'https://example.com/four.png', detail: 'low' },
            },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
      ],
      metadata: { topic: 'arithmetic' },
    });
    expectSpec('ThreadObject', thread);
    expect(thread.metadata).toEqual({ topic: 'arithmetic' });

    const page = await t.openai.beta.threads.messages.list(thread.id, { order: 'asc' });
    for (const message of page.data) {
      expectSpec('MessageObject', message);
    }
    expect(page.data.map((message) => [message.role, message.thread_id])).toEqual([
      ['user', thread.id],
      ['assistant', thread.id],
      ['user', thread.id],
    ]);
    const [question, answer, thanks] = page.data;
    expect(question).toMatchObject({
      object: 'thread.message',
      status: 'completed',
      assistant_id: null,
      run_id: null,
      attachments: [],
      metadata: { step: 'question' },
      content: [{ type: 'text', text: { value: 'What is 2 + 2?', annotations: [] } }],
    });
    expect(answer?.content).toEqual([
      { type: 'text', text: { value: 'Four.', annotations: [] } },
      { type: 'image_url', image_url: { url: 'https://example.com/four.png', detail: 'low' } },
    ]);
    expect(answer?.metadata).toEqual({});
    expect(thanks?.content).toEqual([{ type: 'text', text: { value: 'Thanks', annotations: [] } }]);
  });

  it('retrieves a thread exactly as it was created', async () => {
    const created = await t.openai.beta.threads.create({ metadata: { owner: 'ana' } });
    const fetched = await t.openai.beta.threads.retrieve(created.id);
    expectSpec('ThreadObject', fetched);
    expect(fetched).toEqual(created);
  });

  it('updates metadata, leaving tool resources alone', async () => {
    const other = await t.createOtherProject();
    const client = t.client(other.apiKey);
    const fileId = await seedFile(other.projectId);
    const created = await client.beta.threads.create({
      tool_resources: { code_interpreter: { file_ids: [fileId] } },
      metadata: { a: '1', b: '2' },
    });
    expectSpec('ThreadObject', created);
    expect(created.tool_resources).toEqual({ code_interpreter: { file_ids: [fileId] } });

    const updated = await client.beta.threads.update(created.id, { metadata: { c: '3' } });
    expectSpec('ThreadObject', updated);
    expect(updated).toEqual({ ...created, metadata: { c: '3' } });
    expect(await client.beta.threads.retrieve(created.id)).toEqual(updated);
  });

  it('replaces tool resources on update instead of merging them, keeping metadata', async () => {
    const other = await t.createOtherProject();
    const client = t.client(other.apiKey);
    const fileId = await seedFile(other.projectId);
    const storeId = await seedVectorStore(other.projectId);
    const created = await client.beta.threads.create({
      tool_resources: { code_interpreter: { file_ids: [fileId] } },
      metadata: { keep: 'me' },
    });

    const updated = await client.beta.threads.update(created.id, {
      tool_resources: { file_search: { vector_store_ids: [storeId] } },
    });
    expectSpec('ThreadObject', updated);
    expect(updated.tool_resources).toEqual({ file_search: { vector_store_ids: [storeId] } });
    expect(updated.metadata).toEqual({ keep: 'me' });
    expect((await client.beta.threads.retrieve(created.id)).tool_resources).toEqual({
      file_search: { vector_store_ids: [storeId] },
    });
  });

  it('deletes a thread, after which it and its messages are 404s', async () => {
    const thread = await t.openai.beta.threads.create({
      messages: [{ role: 'user', content: 'soon gone' }],
    });
    const deleted = await t.openai.beta.threads.delete(thread.id);
    expectSpec('DeleteThreadResponse', deleted);
    expect(deleted).toEqual({ id: thread.id, object: 'thread.deleted', deleted: true });

    const retrieve = await apiError(t.openai.beta.threads.retrieve(thread.id));
    expect(retrieve).toBeInstanceOf(OpenAI.NotFoundError);
    expect(retrieve).toMatchObject({
      status: 404,
      type: 'invalid_request_error',
      message: `404 No thread found with id '${thread.id}'.`,
    });
    const list = await apiError(t.openai.beta.threads.messages.list(thread.id));
    expect(list).toBeInstanceOf(OpenAI.NotFoundError);
    expect(list.message).toBe(`404 No thread found with id '${thread.id}'.`);
    const again = await apiError(t.openai.beta.threads.delete(thread.id));
    expect(again).toBeInstanceOf(OpenAI.NotFoundError);
    const update = await apiError(t.openai.beta.threads.update(thread.id, { metadata: {} }));
    expect(update).toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('thread input validation', () => {
  const tooManyPairs = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));

  it('rejects over-limit metadata on create and on update with param and code', async () => {
    const other = await t.createOtherProject();
    const client = t.client(other.apiKey);
    const cases: [Record<string, string>, string, string][] = [
      [{ long: 'x'.repeat(513) }, 'metadata.long', 'string_above_max_length'],
      [tooManyPairs, 'metadata', 'object_above_max_properties'],
      [{ ['k'.repeat(65)]: 'v' }, `metadata.${'k'.repeat(65)}`, 'string_above_max_length'],
    ];
    const thread = await client.beta.threads.create({ metadata: { original: 'yes' } });
    for (const [metadata, param, code] of cases) {
      const onCreate = await apiError(client.beta.threads.create({ metadata }));
      expect(onCreate, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(onCreate).toMatchObject({ type: 'invalid_request_error', param, code });

      const onUpdate = await apiError(client.beta.threads.update(thread.id, { metadata }));
      expect(onUpdate, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(onUpdate).toMatchObject({ type: 'invalid_request_error', param, code });
    }
    expect(await threadIds(other.apiKey)).toEqual([thread.id]);
    expect((await client.beta.threads.retrieve(thread.id)).metadata).toEqual({ original: 'yes' });
  });

  it('rejects malformed initial messages, naming the offending field, writing nothing', async () => {
    const other = await t.createOtherProject();
    const client = t.client(other.apiKey);
    const cases: [unknown[], string, string][] = [
      [[{ content: 'no role' }], 'messages[0].role', 'missing_required_parameter'],
      [
        [{ role: 'user', content: 'fine' }, { role: 'user' }],
        'messages[1].content',
        'missing_required_parameter',
      ],
      [[{ role: 'user', content: [] }], 'messages[0].content', 'empty_array'],
      [
        [{ role: 'user', content: [{ type: 'video', video: 'x' }] }],
        'messages[0].content[0].type',
        'invalid_value',
      ],
      [[{ role: 'system', content: 'not a thread role' }], 'messages[0].role', 'invalid_value'],
    ];
    for (const [messages, param, code] of cases) {
      const error = await apiError(
        client.beta.threads.create({ messages } as unknown as OpenAI.Beta.ThreadCreateParams),
      );
      expect(error, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ type: 'invalid_request_error', param, code });
      // Where the message names the field, it is as the caller wrote it (an enum's names none).
      const named = error.message.includes(`'${param}'`);
      expect(named || error.message.startsWith('400 Invalid value: '), error.message).toBe(true);
    }
    expect(await threadIds(other.apiKey)).toEqual([]);
  });

  it('rejects tool resources over OpenAI’s limits, on create and on update', async () => {
    const other = await t.createOtherProject();
    const client = t.client(other.apiKey);
    const thread = await client.beta.threads.create();
    const cases: [OpenAI.Beta.ThreadCreateParams.ToolResources, string][] = [
      [
        { code_interpreter: { file_ids: Array.from({ length: 21 }, (_, i) => `file-${i}`) } },
        'tool_resources.code_interpreter.file_ids',
      ],
      [
        { file_search: { vector_store_ids: ['vs_a', 'vs_b'] } },
        'tool_resources.file_search.vector_store_ids',
      ],
    ];
    for (const [toolResources, param] of cases) {
      for (const attempt of [
        () => client.beta.threads.create({ tool_resources: toolResources }),
        () => client.beta.threads.update(thread.id, { tool_resources: toolResources }),
      ]) {
        const error = await apiError(attempt());
        expect(error, param).toBeInstanceOf(OpenAI.BadRequestError);
        expect(error).toMatchObject({ param, code: 'array_above_max_length' });
      }
    }
    expect(await threadIds(other.apiKey)).toEqual([thread.id]);
    expect((await client.beta.threads.retrieve(thread.id)).tool_resources).toEqual({});
  });

  it('rejects a code_interpreter file that does not exist, creating no thread', async () => {
    const other = await t.createOtherProject();
    const client = t.client(other.apiKey);
    const known = await seedFile(other.projectId);
    const error = await apiError(
      client.beta.threads.create({
        messages: [{ role: 'user', content: 'hello' }],
        tool_resources: { code_interpreter: { file_ids: [known, 'file-missing'] } },
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('tool_resources.code_interpreter.file_ids');
    expect(error.message).toBe(
      "400 Invalid 'tool_resources.code_interpreter.file_ids': no file found with id 'file-missing'.",
    );
    expect(await threadIds(other.apiKey)).toEqual([]);
    expect(await t.deps.db.message.count({ where: { projectId: other.projectId } })).toBe(0);
  });

  it('rejects an initial message whose image file does not exist, rolling the thread back', async () => {
    const other = await t.createOtherProject();
    const client = t.client(other.apiKey);
    const error = await apiError(
      client.beta.threads.create({
        messages: [
          { role: 'user', content: 'first, valid' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'look' },
              { type: 'image_file', image_file: { file_id: 'file-nowhere' } },
            ],
          },
        ],
        metadata: { doomed: 'yes' },
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('messages[1].content[1].image_file.file_id');
    expect(error.message).toBe(
      "400 Invalid 'messages[1].content[1].image_file.file_id': no file found with id 'file-nowhere'.",
    );
    // The thread row and the first message were written before the check failed: all rolled back.
    expect(await threadIds(other.apiKey)).toEqual([]);
    expect(await t.deps.db.message.count({ where: { projectId: other.projectId } })).toBe(0);
  });

  it('accepts an initial message whose image file exists', async () => {
    const other = await t.createOtherProject();
    const client = t.client(other.apiKey);
    const fileId = await seedFile(other.projectId);
    const thread = await client.beta.threads.create({
      messages: [
        { role: 'user', content: [{ type: 'image_file', image_file: { file_id: fileId } }] },
      ],
    });
    const [message] = (await client.beta.threads.messages.list(thread.id)).data;
    expectSpec('MessageObject', message);
    expect(message?.content).toEqual([
      { type: 'image_file', image_file: { file_id: fileId, detail: 'auto' } },
    ]);
  });

  it('does not see files of another project', async () => {
    const owner = await t.createOtherProject();
    const stranger = await t.createOtherProject();
    const fileId = await seedFile(owner.projectId);
    const error = await apiError(
      t.client(stranger.apiKey).beta.threads.create({
        tool_resources: { code_interpreter: { file_ids: [fileId] } },
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('tool_resources.code_interpreter.file_ids');
    expect(await threadIds(stranger.apiKey)).toEqual([]);
  });
});
