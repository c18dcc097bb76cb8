import { NotFoundError } from 'openai';
import { describe, expect, it } from 'vitest';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { expectResponsesSpec } from '../setup/openapi.js';

let app: AppWithUpstream;
useAppWithUpstream({}, (started) => {
  app = started;
});

const userText = (text: string) => ({
  type: 'message' as const,
  role: 'user' as const,
  content: [{ type: 'input_text' as const, text }],
});

describe('conversations', () => {
  it('create, retrieve, update and delete, spec-valid', async () => {
    const { openai } = app.t;
    const created = await openai.conversations.create({
      metadata: { topic: 'demo' },
      items: [userText('Hello'), { type: 'message', role: 'assistant', content: 'Hi!' }],
    });
    expectResponsesSpec('ConversationResource', created);
    expect(created.id).toMatch(/^conv_/);
    expect(created.metadata).toEqual({ topic: 'demo' });

    const fetched = await openai.conversations.retrieve(created.id);
    expectResponsesSpec('ConversationResource', fetched);
    expect(fetched).toEqual(created);

    const updated = await openai.conversations.update(created.id, { metadata: { topic: 'new' } });
    expectResponsesSpec('ConversationResource', updated);
    expect(updated.metadata).toEqual({ topic: 'new' });

    const items = await openai.conversations.items.list(created.id, { order: 'asc' });
    expect(items.data).toMatchObject([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi!' }] },
    ]);

    const deleted = await openai.conversations.delete(created.id);
    expectResponsesSpec('DeletedConversationResource', deleted);
    expect(deleted).toEqual({ id: created.id, object: 'conversation.deleted', deleted: true });
    await expect(openai.conversations.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(openai.conversations.items.list(created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(openai.conversations.delete(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('items: create appends in order, list pages with order/after/limit, retrieve and delete', async () => {
    const { openai } = app.t;
    const conversation = await openai.conversations.create({});
    const added = await openai.conversations.items.create(conversation.id, {
      items: ['one', 'two', 'three', 'four', 'five'].map(userText),
    });
    const raw = await app.t.rest(`/conversations/${conversation.id}/items?limit=2`);
    expect(raw.status).toBe(200);
    expectResponsesSpec('ConversationItemList', await raw.json());
    expect(added.data).toHaveLength(5);
    const ids = added.data.map((item) => item.id);
    expect(added).toMatchObject({ first_id: ids[0], last_id: ids[4], has_more: false });

    const text = (item: unknown) =>
      (item as { content: { text: string }[] }).content[0]?.text ?? '';
    const first = await openai.conversations.items.list(conversation.id, {
      order: 'asc',
      limit: 2,
    });
    expect(first.data.map(text)).toEqual(['one', 'two']);
    expect(first.has_more).toBe(true);
    const second = await openai.conversations.items.list(conversation.id, {
      order: 'asc',
      limit: 2,
      after: first.last_id,
    });
    expect(second.data.map(text)).toEqual(['three', 'four']);
    const rawAfter = await app.t.rest(
      `/conversations/${conversation.id}/items?order=asc&limit=2&after=${second.last_id}`,
    );
    const last = await rawAfter.json();
    expectResponsesSpec('ConversationItemList', last);
    expect(last).toMatchObject({ first_id: ids[4], last_id: ids[4], has_more: false });
    const all: string[] = [];
    for await (const item of openai.conversations.items.list(conversation.id, { limit: 2 })) {
      all.push(text(item));
    }
    expect(all).toEqual(['five', 'four', 'three', 'two', 'one']);

    const one = await openai.conversations.items.retrieve(ids[2] ?? '', {
      conversation_id: conversation.id,
    });
    expectResponsesSpec('ConversationItem', one);
    expect(text(one)).toBe('three');

    const after = await openai.conversations.items.delete(ids[2] ?? '', {
      conversation_id: conversation.id,
    });
    expectResponsesSpec('ConversationResource', after);
    expect(after.id).toBe(conversation.id);
    const left = await openai.conversations.items.list(conversation.id, { order: 'asc' });
    expect(left.data.map(text)).toEqual(['one', 'two', 'four', 'five']);
    await expect(
      openai.conversations.items.retrieve(ids[2] ?? '', { conversation_id: conversation.id }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      openai.conversations.items.delete(ids[2] ?? '', { conversation_id: conversation.id }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses bad ids and bad bodies with OpenAI’s errors', async () => {
    const { openai } = app.t;
    await expect(openai.conversations.retrieve('conv_missing')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      openai.conversations.update('conv_missing', { metadata: {} }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      openai.conversations.items.create('conv_missing', { items: [userText('x')] }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      openai.conversations.items.retrieve('msg_x', { conversation_id: 'conv_missing' }),
    ).rejects.toBeInstanceOf(NotFoundError);

    const conversation = await openai.conversations.create({});
    await expect(
      openai.conversations.items.create(conversation.id, {
        items: [{ type: 'telepathy' } as never],
      }),
    ).rejects.toMatchObject({ status: 400, param: 'items[0].type' });
    await expect(
      openai.conversations.items.create(conversation.id, { items: [] }),
    ).rejects.toMatchObject({ status: 400, param: 'items' });
    await expect(
      openai.conversations.create({ items: Array.from({ length: 21 }, () => userText('x')) }),
    ).rejects.toMatchObject({ status: 400, param: 'items' });
    await expect(
      openai.conversations.items.list(conversation.id, { after: 'msg_not_here' }),
    ).rejects.toMatchObject({ status: 400, param: 'after' });
    const unknown = await app.t.rest('/conversations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x' }),
    });
    expect(unknown.status).toBe(400);

    const other = app.t.client((await app.t.createOtherProject()).apiKey);
    await expect(other.conversations.retrieve(conversation.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      other.responses.create({ model: 'gpt-test', input: 'Hi', conversation: conversation.id }),
    ).rejects.toMatchObject({ status: 404, param: 'conversation' });
  });
});

describe('responses on a conversation', () => {
  it('carry the history in order across three responses, and append each turn', async () => {
    const { openai } = app.t;
    const conversation = await openai.conversations.create({
      items: [{ type: 'message', role: 'developer', content: 'Answer in one word.' }],
    });
    app.upstream.script({ text: 'Paris' }, { text: 'Rome' }, { text: 'Berlin' });
    const first = await openai.responses.create({
      model: 'gpt-test',
      input: 'Capital of France?',
      conversation: conversation.id,
    });
    expectResponsesSpec('Response', first);
    expect(first.conversation).toEqual({ id: conversation.id });
    await openai.responses.create({
      model: 'gpt-test',
      input: [userText('Capital of Italy?')],
      conversation: { id: conversation.id },
    });
    const third = await openai.responses.create({
      model: 'gpt-test',
      input: 'Capital of Germany?',
      conversation: conversation.id,
    });
    expect(third.output_text).toBe('Berlin');

    expect(app.upstream.requests.at(-1)?.body.messages).toEqual([
      { role: 'system', content: 'Answer in one word.' },
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris' },
      { role: 'user', content: 'Capital of Italy?' },
      { role: 'assistant', content: 'Rome' },
      { role: 'user', content: 'Capital of Germany?' },
    ]);

    const raw = await app.t.rest(`/conversations/${conversation.id}/items?order=asc`);
    expectResponsesSpec('ConversationItemList', await raw.json());
    const items = await openai.conversations.items.list(conversation.id, { order: 'asc' });
    expect(
      items.data.map((item) => {
        const message = item as { role: string; content: { text: string }[] };
        return `${message.role}: ${message.content[0]?.text}`;
      }),
    ).toEqual([
      'developer: Answer in one word.',
      'user: Capital of France?',
      'assistant: Paris',
      'user: Capital of Italy?',
      'assistant: Rome',
      'user: Capital of Germany?',
      'assistant: Berlin',
    ]);
    // The conversation's items are the responses' own: same ids.
    expect(items.data.at(-1)?.id).toBe(third.output[0]?.id);
  });

  it('a streamed response on a conversation is appended too; a failed one is not', async () => {
    const { openai } = app.t;
    const conversation = await openai.conversations.create({});
    app.upstream.script({ text: ['Str', 'eamed'] });
    const stream = openai.responses.stream({
      model: 'gpt-test',
      input: 'Stream',
      conversation: conversation.id,
    });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Streamed');
    const items = await openai.conversations.items.list(conversation.id, { order: 'asc' });
    expect(items.data.map((item) => item.type)).toEqual(['message', 'message']);
    expect(items.data.at(-1)?.id).toBe(final.output[0]?.id);

    app.upstream.script({ status: 400, error: { message: 'bad', type: 'invalid_request_error' } });
    const failed = await openai.responses.create({
      model: 'gpt-test',
      input: 'Fails',
      conversation: conversation.id,
    });
    expect(failed.status).toBe('failed');
    const after = await openai.conversations.items.list(conversation.id);
    expect(after.data).toHaveLength(2);
  });
});

describe('two responses on one conversation at once', () => {
  it('each sees the history as it stood, and their turns are appended whole, one after the other', async () => {
    const { openai } = app.t;
    const conversation = await openai.conversations.create({ items: [userText('Start')] });
    app.upstream.script(
      { text: ['a', 'b', 'c', 'd'], delayMsBetweenChunks: 30 },
      { text: ['w', 'x', 'y', 'z'], delayMsBetweenChunks: 30 },
    );
    const before = app.upstream.requests.length;
    const [left, right] = await Promise.all(
      ['Left', 'Right'].map((text) =>
        openai.responses.create({ model: 'gpt-test', input: text, conversation: conversation.id }),
      ),
    );
    const seen = app.upstream.requests.slice(before).map((request) => request.body.messages);
    expect(seen).toHaveLength(2);
    for (const messages of seen) {
      expect(messages.slice(0, 1)).toEqual([{ role: 'user', content: 'Start' }]);
      expect(messages).toHaveLength(2);
    }

    const items = await openai.conversations.items.list(conversation.id, { order: 'asc' });
    const ids = items.data.map((item) => item.id);
    expect(ids).toHaveLength(5);
    for (const response of [left, right]) {
      const output = response?.output[0]?.id ?? '';
      const at = ids.indexOf(output);
      expect(at).toBeGreaterThan(1);
      // The response's own input item sits right before its output: the turn is contiguous.
      const input = (await openai.responses.inputItems.list(response?.id ?? '')).data[0]?.id;
      expect(ids[at - 1]).toBe(input);
    }
  });
});

describe('the Conversation node over GraphQL', () => {
  it('pages its items as a connection and is the conversation of its responses', async () => {
    const { openai } = app.t;
    const conversation = await openai.conversations.create({
      items: ['one', 'two', 'three'].map(userText),
    });
    app.upstream.script({ text: 'Four' });
    const response = await openai.responses.create({
      model: 'gpt-test',
      input: 'And?',
      conversation: conversation.id,
    });
    const result = await app.t.graphql<{
      node: { id: string; items: { edges: { node: { type: string } }[] } } | null;
      responseNode: { id: string } | null;
      response: { conversation: { id: string; metadata: unknown } | null } | null;
    }>(
      `query ($id: ID!, $responseId: ID!) {
        node(id: $id) { id ... on Conversation { items(first: 2, order: asc) { edges { node { type data } } pageInfo { hasNextPage } } } }
        responseNode: node(id: $responseId) { ... on Response { id } }
        response(id: $responseId) { conversation { id metadata } }
      }`,
      { id: conversation.id, responseId: response.id },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.node?.id).toBe(conversation.id);
    expect(result.data?.node?.items).toMatchObject({
      edges: [
        { node: { type: 'message', data: { content: [{ text: 'one' }] } } },
        { node: { type: 'message', data: { content: [{ text: 'two' }] } } },
      ],
      pageInfo: { hasNextPage: true },
    });
    expect(result.data?.responseNode?.id).toBe(response.id);
    expect(result.data?.response?.conversation).toEqual({ id: conversation.id, metadata: {} });

    const missing = await app.t.graphql('query { conversation(id: "conv_nope") { id } }');
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('conversation bodies missing what they need', () => {
  it('are 400s naming the field, not server errors', async () => {
    const { openai } = app.t;
    const conversation = await openai.conversations.create({});
    const post = (path: string, body: unknown) =>
      app.t.rest(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const noMetadata = await post(`/conversations/${conversation.id}`, {});
    expect(noMetadata.status).toBe(400);
    expect((await noMetadata.json()).error).toMatchObject({ param: 'metadata' });
    const badMetadata = await post(`/conversations/${conversation.id}`, { metadata: { a: 1 } });
    expect(badMetadata.status).toBe(400);
    const noItems = await post(`/conversations/${conversation.id}/items`, {});
    expect(noItems.status).toBe(400);
    expect((await noItems.json()).error).toMatchObject({ param: 'items' });
    const notList = await post(`/conversations/${conversation.id}/items`, { items: 'hello' });
    expect(notList.status).toBe(400);
  });
});

describe('a function call on a conversation, answered in the background', () => {
  it('keeps the call and its output in the history the upstream sees', async () => {
    const { openai } = app.t;
    const conversation = await openai.conversations.create({});
    const weather = {
      type: 'function' as const,
      name: 'get_weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
      strict: false,
    };
    app.upstream.script(
      { toolCalls: [{ id: 'call_c1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
      { text: 'Sunny.' },
    );
    const first = await openai.responses.create({
      model: 'gpt-test',
      input: 'Weather in Oslo?',
      tools: [weather],
      conversation: conversation.id,
    });
    expect(first.output).toMatchObject([{ type: 'function_call', call_id: 'call_c1' }]);

    const queued = await openai.responses.create({
      model: 'gpt-test',
      tools: [weather],
      background: true,
      conversation: conversation.id,
      input: [{ type: 'function_call_output', call_id: 'call_c1', output: '{"sky":"sunny"}' }],
    });
    expect(queued.status).toBe('queued');
    let response = queued;
    const deadline = Date.now() + 10_000;
    while (response.status === 'queued' || response.status === 'in_progress') {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 20));
      response = await openai.responses.retrieve(queued.id);
    }
    expect(response.output_text).toBe('Sunny.');
    expect(app.upstream.requests.at(-1)?.body.messages).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_c1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_c1', content: '{"sky":"sunny"}' },
    ]);
    const raw = await app.t.rest(`/conversations/${conversation.id}/items?order=asc`);
    const items = await raw.json();
    expectResponsesSpec('ConversationItemList', items);
    expect(items.data.map((item: { type: string }) => item.type)).toEqual([
      'message',
      'function_call',
      'function_call_output',
      'message',
    ]);
  });
});
