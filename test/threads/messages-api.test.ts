import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import { type TestApp, useTestApp } from '../setup/app.js';
import { expectSpec } from '../setup/openapi.js';

let t: TestApp;
useTestApp({}, (app) => {
  t = app;
});

/** A thread with `count` user messages `m0`, `m1`, …; returns the message ids in creation order. */
async function threadWithMessages(count: number): Promise<{ threadId: string; ids: string[] }> {
  const thread = await t.openai.beta.threads.create();
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const message = await t.openai.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: `m${index}`,
    });
    ids.push(message.id);
  }
  return { threadId: thread.id, ids };
}

/** GET of a raw list URL: the body is checked against the spec's list envelope. */
async function rawList(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await t.rest(path);
  const body = (await response.json()) as Record<string, unknown>;
  expectSpec(response.status === 200 ? 'ListMessagesResponse' : 'ErrorResponse', body);
  return { status: response.status, body };
}

describe('messages over the official SDK', () => {
  it('creates a message from a string as one text part', async () => {
    const thread = await t.openai.beta.threads.create();
    const message = await t.openai.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: 'Hello there',
      metadata: { lang: 'en' },
    });
    expectSpec('MessageObject', message);
    expect(message.id).toMatch(/^msg_[A-Za-z0-9]{24}$/);
    expect(message).toEqual({
      id: message.id,
      object: 'thread.message',
      created_at: message.created_at,
      thread_id: thread.id,
      status: 'completed',
      incomplete_details: null,
      completed_at: message.created_at,
      incomplete_at: null,
      role: 'user',
      content: [{ type: 'text', text: { value: 'Hello there', annotations: [] } }],
      assistant_id: null,
      run_id: null,
      attachments: [],
      metadata: { lang: 'en' },
    });
  });

  it('creates a message from text and image_url parts, in order, defaulting detail to auto', async () => {
    const thread = await t.openai.beta.threads.create();
    const message = await t.openai.beta.threads.messages.create(thread.id, {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Here are two pictures' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        { type: 'image_url', image_url: { url: 'https://example.com/b.webp', detail: 'high' } },
      ],
    });
    expectSpec('MessageObject', message);
    expect(message.role).toBe('assistant');
    expect(message.assistant_id).toBeNull();
    expect(message.content).toEqual([
      { type: 'text', text: { value: 'Here are two pictures', annotations: [] } },
      { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'auto' } },
      { type: 'image_url', image_url: { url: 'https://example.com/b.webp', detail: 'high' } },
    ]);
  });

  it('rejects an attachment whose file does not exist, adding no message', async () => {
    const thread = await t.openai.beta.threads.create();
    const error = await apiError(
      t.openai.beta.threads.messages.create(thread.id, {
        role: 'user',
        content: 'see attached',
        attachments: [{ file_id: 'file-unknown', tools: [{ type: 'file_search' }] }],
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      param: 'attachments[0].file_id',
    });
    expect(error.message).toBe(
      "400 Invalid 'attachments[0].file_id': no file found with id 'file-unknown'.",
    );
    expect((await t.openai.beta.threads.messages.list(thread.id)).data).toEqual([]);
  });

  it('rejects empty, mistyped and incomplete content with the offending param', async () => {
    const thread = await t.openai.beta.threads.create();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ role: 'user', content: [] }, 'content', 'empty_array'],
      [{ role: 'user', content: [{ type: 'audio' }] }, 'content[0].type', 'invalid_value'],
      [
        { role: 'user', content: [{ type: 'text' }] },
        'content[0].text',
        'missing_required_parameter',
      ],
      [{ role: 'user' }, 'content', 'missing_required_parameter'],
      [{ content: 'who said this?' }, 'role', 'missing_required_parameter'],
      [{ role: 'user', content: 'x', metadata: { n: 1 } }, 'metadata.n', 'invalid_type'],
    ];
    for (const [body, param, code] of cases) {
      const error = await apiError(
        t.openai.beta.threads.messages.create(
          thread.id,
          body as unknown as OpenAI.Beta.Threads.MessageCreateParams,
        ),
      );
      expect(error, JSON.stringify(body)).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error, JSON.stringify(body)).toMatchObject({
        type: 'invalid_request_error',
        param,
        code,
      });
    }
    expect((await t.openai.beta.threads.messages.list(thread.id)).data).toEqual([]);
  });

  it('accepts only http and https image URLs, naming the field the caller sent', async () => {
    const thread = await t.openai.beta.threads.create();
    const urls = [
      'file:///etc/passwd',
      'gopher://127.0.0.1:70/_x',
      'ftp://example.com/a.png',
      'javascript:alert(1)',
      'data:image/png;base64,iVBORw0KGgo=',
    ];
    const image = (url: string) => ({ type: 'image_url' as const, image_url: { url } });
    for (const url of urls) {
      const error = await apiError(
        t.openai.beta.threads.messages.create(thread.id, { role: 'user', content: [image(url)] }),
      );
      expect(error, url).toMatchObject({
        status: 400,
        type: 'invalid_request_error',
        param: 'content[0].image_url.url',
        code: 'invalid_value',
      });
      expect(error.message, url).toBe(
        "400 Invalid 'content[0].image_url.url': Expected a URL starting with 'http://' or 'https://'.",
      );
    }
    const inThread = await apiError(
      t.openai.beta.threads.create({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'see' }, image(urls[0] ?? '')] },
        ],
      }),
    );
    expect(inThread).toMatchObject({ param: 'messages[0].content[1].image_url.url' });
    expect((await t.openai.beta.threads.messages.list(thread.id)).data).toEqual([]);
    const plain = await t.openai.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: [image('http://example.com/a.png')],
    });
    expect(plain.content).toEqual([
      { type: 'image_url', image_url: { url: 'http://example.com/a.png', detail: 'auto' } },
    ]);
  });

  it('retrieves, updates metadata and deletes a message', async () => {
    const { threadId, ids } = await threadWithMessages(2);
    const [firstId = '', secondId = ''] = ids;
    const fetched = await t.openai.beta.threads.messages.retrieve(firstId, { thread_id: threadId });
    expectSpec('MessageObject', fetched);
    expect(fetched).toMatchObject({ id: firstId, thread_id: threadId, metadata: {} });

    const updated = await t.openai.beta.threads.messages.update(firstId, {
      thread_id: threadId,
      metadata: { reviewed: 'true' },
    });
    expectSpec('MessageObject', updated);
    expect(updated).toEqual({ ...fetched, metadata: { reviewed: 'true' } });

    const deleted = await t.openai.beta.threads.messages.delete(firstId, { thread_id: threadId });
    expectSpec('DeleteMessageResponse', deleted);
    expect(deleted).toEqual({ id: firstId, object: 'thread.message.deleted', deleted: true });
    const gone = await apiError(
      t.openai.beta.threads.messages.retrieve(firstId, { thread_id: threadId }),
    );
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
    expect(gone.message).toBe(`404 No message found with id '${firstId}'.`);
    const remaining = await t.openai.beta.threads.messages.list(threadId);
    expect(remaining.data.map((message) => message.id)).toEqual([secondId]);
  });

  it('rejects over-limit metadata on update, leaving the message unchanged', async () => {
    const { threadId, ids } = await threadWithMessages(1);
    const [id = ''] = ids;
    const error = await apiError(
      t.openai.beta.threads.messages.update(id, {
        thread_id: threadId,
        metadata: { note: 'x'.repeat(513) },
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ param: 'metadata.note', code: 'string_above_max_length' });
    const unchanged = await t.openai.beta.threads.messages.retrieve(id, { thread_id: threadId });
    expect(unchanged.metadata).toEqual({});
  });

  it('does not find a message through a thread it does not belong to', async () => {
    const { threadId, ids } = await threadWithMessages(1);
    const [id = ''] = ids;
    const elsewhere = await t.openai.beta.threads.create();
    const messages = t.openai.beta.threads.messages;
    for (const attempt of [
      () => messages.retrieve(id, { thread_id: elsewhere.id }),
      () => messages.update(id, { thread_id: elsewhere.id, metadata: { a: 'b' } }),
      () => messages.delete(id, { thread_id: elsewhere.id }),
    ]) {
      const error = await apiError(attempt());
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error.message).toBe(`404 No message found with id '${id}'.`);
    }
    const untouched = await t.openai.beta.threads.messages.retrieve(id, { thread_id: threadId });
    expect(untouched.metadata).toEqual({});
  });

  it('answers every message route on an unknown thread with a 404 naming the thread', async () => {
    const missing = 'thread_doesnotexist';
    const messages = t.openai.beta.threads.messages;
    for (const attempt of [
      () => messages.create(missing, { role: 'user', content: 'hi' }),
      () => messages.list(missing),
      () => messages.retrieve('msg_x', { thread_id: missing }),
      () => messages.update('msg_x', { thread_id: missing, metadata: {} }),
      () => messages.delete('msg_x', { thread_id: missing }),
    ]) {
      const error = await apiError(attempt());
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error).toMatchObject({
        status: 404,
        type: 'invalid_request_error',
        param: null,
        code: null,
        message: `404 No thread found with id '${missing}'.`,
      });
    }
  });
});

describe('listing messages', () => {
  it('lists newest first by default, with the spec’s envelope', async () => {
    const { threadId, ids } = await threadWithMessages(3);
    const page = await t.openai.beta.threads.messages.list(threadId);
    expect(page.data.map((message) => message.id)).toEqual([...ids].reverse());
    expect(page.has_more).toBe(false);

    const { status, body } = await rawList(`/threads/${threadId}/messages`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      object: 'list',
      first_id: ids[2],
      last_id: ids[0],
      has_more: false,
    });
  });

  it('lists oldest first with order=asc, and honours limit', async () => {
    const { threadId, ids } = await threadWithMessages(3);
    const ascending = await t.openai.beta.threads.messages.list(threadId, { order: 'asc' });
    expect(ascending.data.map((message) => message.id)).toEqual(ids);

    const limited = await t.openai.beta.threads.messages.list(threadId, { limit: 2 });
    expect(limited.data.map((message) => message.id)).toEqual([ids[2], ids[1]]);
    expect(limited.has_more).toBe(true);
    const { body } = await rawList(`/threads/${threadId}/messages?limit=2&order=asc`);
    expect(body).toMatchObject({ first_id: ids[0], last_id: ids[1], has_more: true });
  });

  it('pages with after and before in the requested order', async () => {
    const { threadId, ids } = await threadWithMessages(5);
    const list = (query: OpenAI.Beta.Threads.MessageListParams) =>
      t.openai.beta.threads.messages
        .list(threadId, query)
        .then((page) => page.data.map((message) => message.id));

    expect(await list({ after: ids[3] })).toEqual([ids[2], ids[1], ids[0]]);
    expect(await list({ after: ids[1], order: 'asc' })).toEqual([ids[2], ids[3], ids[4]]);
    expect(await list({ before: ids[1], limit: 2 })).toEqual([ids[3], ids[2]]);
    expect(await list({ before: ids[3], order: 'asc', limit: 2 })).toEqual([ids[1], ids[2]]);
    expect(await list({ after: ids[0] })).toEqual([]);
  });

  it('walks every page with for await, in order', async () => {
    const { threadId, ids } = await threadWithMessages(5);
    const newestFirst: string[] = [];
    for await (const message of t.openai.beta.threads.messages.list(threadId, { limit: 2 })) {
      expectSpec('MessageObject', message);
      newestFirst.push(message.id);
    }
    expect(newestFirst).toEqual([...ids].reverse());

    const oldestFirst: string[] = [];
    const pages = t.openai.beta.threads.messages.list(threadId, { limit: 2, order: 'asc' });
    for await (const message of pages) {
      oldestFirst.push(message.id);
    }
    expect(oldestFirst).toEqual(ids);
  });

  it('filters by run_id: messages written through the API belong to no run', async () => {
    const { threadId, ids } = await threadWithMessages(2);
    const byRun = await t.openai.beta.threads.messages.list(threadId, { run_id: 'run_unknown' });
    expect(byRun.data).toEqual([]);
    const { body } = await rawList(`/threads/${threadId}/messages?run_id=run_unknown`);
    expect(body).toEqual({
      object: 'list',
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
    const unfiltered = await t.openai.beta.threads.messages.list(threadId);
    expect(unfiltered.data.map((message) => message.id)).toEqual([...ids].reverse());
  });

  it('rejects a limit outside 1–100 with param limit', async () => {
    const { threadId } = await threadWithMessages(1);
    for (const limit of [0, 101]) {
      const error = await apiError(t.openai.beta.threads.messages.list(threadId, { limit }));
      expect(error, String(limit)).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ type: 'invalid_request_error', param: 'limit' });
    }
    for (const limit of ['abc', '1.5']) {
      const { status, body } = await rawList(`/threads/${threadId}/messages?limit=${limit}`);
      expect(status, limit).toBe(400);
      expect(body).toMatchObject({ error: { param: 'limit' } });
    }
    const edge = await t.openai.beta.threads.messages.list(threadId, { limit: 100 });
    expect(edge.data).toHaveLength(1);
  });

  it('rejects an unknown order and an unknown cursor', async () => {
    const { threadId } = await threadWithMessages(1);
    const sideways = await rawList(`/threads/${threadId}/messages?order=sideways`);
    expect(sideways.status).toBe(400);
    expect(sideways.body).toMatchObject({
      error: { type: 'invalid_request_error', param: 'order' },
    });
    const error = await apiError(
      t.openai.beta.threads.messages.list(threadId, { after: 'msg_nowhere' }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('after');
  });
});
