// The 4.x SDK (`openai-v4`, an npm alias) is still widely deployed: it names deletes `del`, takes
// path ids positionally, and has its own pagination and error classes. It must work unchanged.
import OpenAIv4 from 'openai-v4';
import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';
import { expectSpec } from '../setup/openapi.js';

let t: TestApp;
useTestApp({}, (app) => {
  t = app;
});

function clientV4(apiKey: string): OpenAIv4 {
  return new OpenAIv4({ apiKey, baseURL: `${t.baseUrl}/v1`, maxRetries: 0 });
}

/** The rejection of `promise`, which must be a 4.x SDK APIError whose body is OpenAI's envelope. */
async function apiErrorV4(
  promise: Promise<unknown>,
): Promise<InstanceType<typeof OpenAIv4.APIError>> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof OpenAIv4.APIError)) {
    throw new Error(`expected an APIError, got ${String(error)}`);
  }
  expectSpec('ErrorResponse', { error: error.error });
  return error;
}

describe('assistants over the 4.x SDK', () => {
  it('creates, retrieves, updates and deletes (with del) an assistant', async () => {
    const client = clientV4(t.apiKey);
    const created = await client.beta.assistants.create({
      model: 'gpt-4o',
      name: 'Legacy',
      tools: [{ type: 'file_search' }],
      metadata: { sdk: 'v4' },
    });
    expectSpec('AssistantObject', created);
    expect(created).toMatchObject({
      object: 'assistant',
      name: 'Legacy',
      tools: [{ type: 'file_search' }],
      metadata: { sdk: 'v4' },
    });

    expect(await client.beta.assistants.retrieve(created.id)).toEqual(created);
    const updated = await client.beta.assistants.update(created.id, { instructions: 'Be brief.' });
    expectSpec('AssistantObject', updated);
    expect(updated).toEqual({ ...created, instructions: 'Be brief.' });

    const deleted = await client.beta.assistants.del(created.id);
    expectSpec('DeleteAssistantResponse', deleted);
    expect(deleted).toEqual({ id: created.id, object: 'assistant.deleted', deleted: true });
    const error = await apiErrorV4(client.beta.assistants.retrieve(created.id));
    expect(error).toBeInstanceOf(OpenAIv4.NotFoundError);
    expect(error).toMatchObject({
      status: 404,
      type: 'invalid_request_error',
      message: `404 No assistant found with id '${created.id}'.`,
    });
    expect(error.request_id).toMatch(/^req_/);
  });

  it('walks every page of the assistant list with for await', async () => {
    const client = clientV4((await t.createOtherProject()).apiKey);
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      ids.push((await client.beta.assistants.create({ model: 'gpt-4o', name: `v4-${index}` })).id);
    }
    const firstPage = await client.beta.assistants.list({ limit: 2 });
    expect(firstPage.data.map((assistant) => assistant.id)).toEqual([ids[4], ids[3]]);
    expect(firstPage.hasNextPage()).toBe(true);

    const seen: string[] = [];
    for await (const assistant of client.beta.assistants.list({ limit: 2 })) {
      seen.push(assistant.id);
    }
    expect(seen).toEqual([...ids].reverse());

    const pages: string[][] = [];
    const ascending = await client.beta.assistants.list({ limit: 2, order: 'asc' });
    for await (const page of ascending.iterPages()) {
      pages.push(page.data.map((assistant) => assistant.id));
    }
    expect(pages).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
  });

  it('reports bad input as a typed 400 with param and code', async () => {
    const client = clientV4(t.apiKey);
    const error = await apiErrorV4(
      client.beta.assistants.create({ model: 'gpt-4o', metadata: { note: 'x'.repeat(513) } }),
    );
    expect(error).toBeInstanceOf(OpenAIv4.BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      param: 'metadata.note',
      code: 'string_above_max_length',
    });
  });
});

describe('threads and messages over the 4.x SDK', () => {
  it('creates a thread with messages, lists, updates and deletes them', async () => {
    const client = clientV4(t.apiKey);
    const thread = await client.beta.threads.create({
      messages: [
        { role: 'user', content: 'Hi from v4' },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
      ],
      metadata: { sdk: 'v4' },
    });
    expectSpec('ThreadObject', thread);
    expect(thread.metadata).toEqual({ sdk: 'v4' });

    const page = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
    for (const message of page.data) {
      expectSpec('MessageObject', message);
    }
    expect(page.data.map((message) => message.content)).toEqual([
      [{ type: 'text', text: { value: 'Hi from v4', annotations: [] } }],
      [{ type: 'text', text: { value: 'Hello', annotations: [] } }],
    ]);
    const [first, second] = page.data;
    if (!first || !second) {
      throw new Error('expected two messages');
    }

    const added = await client.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: 'And one more',
    });
    expectSpec('MessageObject', added);
    const newestFirst = await client.beta.threads.messages.list(thread.id);
    expect(newestFirst.data.map((message) => message.id)).toEqual([added.id, second.id, first.id]);

    const retrieved = await client.beta.threads.messages.retrieve(thread.id, first.id);
    expect(retrieved).toEqual(first);
    const updated = await client.beta.threads.messages.update(thread.id, first.id, {
      metadata: { seen: 'yes' },
    });
    expectSpec('MessageObject', updated);
    expect(updated).toEqual({ ...first, metadata: { seen: 'yes' } });

    const threadUpdated = await client.beta.threads.update(thread.id, { metadata: { v: '2' } });
    expectSpec('ThreadObject', threadUpdated);
    expect(threadUpdated).toEqual({ ...thread, metadata: { v: '2' } });

    const messageDeleted = await client.beta.threads.messages.del(thread.id, second.id);
    expectSpec('DeleteMessageResponse', messageDeleted);
    expect(messageDeleted).toEqual({
      id: second.id,
      object: 'thread.message.deleted',
      deleted: true,
    });

    const threadDeleted = await client.beta.threads.del(thread.id);
    expectSpec('DeleteThreadResponse', threadDeleted);
    expect(threadDeleted).toEqual({ id: thread.id, object: 'thread.deleted', deleted: true });
    const error = await apiErrorV4(client.beta.threads.messages.list(thread.id));
    expect(error).toBeInstanceOf(OpenAIv4.NotFoundError);
    expect(error.message).toBe(`404 No thread found with id '${thread.id}'.`);
  });

  it('rejects a wrong key with a typed 401', async () => {
    const error = await apiErrorV4(clientV4('sk-not-a-real-key-000').beta.threads.create());
    expect(error).toBeInstanceOf(OpenAIv4.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });
});
