import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { expectSpec } from '../setup/openapi.js';
import { threadTranscript } from '../setup/thread-transcript.js';

// The migration bridge's other direction: a conversation read through the Assistants API.

let app: AppWithUpstream;
useAppWithUpstream({}, (started) => {
  app = started;
});

const transcript = (threadId: string) => threadTranscript(app.t, threadId);

describe('a conversation read as thread messages', () => {
  it('lists and retrieves its user and assistant messages as thread.message objects', async () => {
    const { t, upstream } = app;
    const conversation = await t.openai.conversations.create({
      items: [
        { type: 'message', role: 'developer', content: 'Be brief.' },
        { type: 'message', role: 'user', content: 'Hello' },
        { type: 'message', role: 'assistant', content: 'Hi!' },
        { type: 'function_call', call_id: 'call_x', name: 'get_weather', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_x', output: '{}' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Look' },
            { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'high' },
          ],
        },
      ],
    });
    upstream.script({ text: 'Nice picture.' });
    const response = await t.openai.responses.create({
      model: 'gpt-test',
      input: 'Well?',
      conversation: conversation.id,
    });

    expect(await transcript(conversation.id)).toEqual([
      'user: Hello',
      'assistant: Hi!',
      'user: Look',
      'user: Well?',
      'assistant: Nice picture.',
    ]);
    const page = await t.openai.beta.threads.messages.list(conversation.id, { order: 'asc' });
    const items = await t.openai.conversations.items.list(conversation.id, { order: 'asc' });
    const messageIds = items.data
      .filter((item) => item.type === 'message' && item.role !== 'developer')
      .map((item) => item.id);
    expect(page.data.map((message) => message.id)).toEqual(messageIds);
    expect(page.data[2]).toMatchObject({
      object: 'thread.message',
      thread_id: conversation.id,
      role: 'user',
      status: 'completed',
      run_id: null,
      attachments: [],
      metadata: {},
      content: [
        { type: 'text', text: { value: 'Look', annotations: [] } },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } },
      ],
    });
    expect(page.data.at(-1)?.id).toBe(response.output[0]?.id);

    const first = await t.openai.beta.threads.messages.list(conversation.id, {
      order: 'asc',
      limit: 2,
    });
    expect(first.has_more).toBe(true);
    const rest = await t.openai.beta.threads.messages.list(conversation.id, {
      order: 'asc',
      after: first.data.at(-1)?.id,
    });
    expect(rest.data.map((message) => message.id)).toEqual(messageIds.slice(2));

    const one = await t.openai.beta.threads.messages.retrieve(messageIds[1] ?? '', {
      thread_id: conversation.id,
    });
    expectSpec('MessageObject', one);
    expect(one).toEqual(page.data[1]);
    const notAMessage = items.data.find((item) => item.type === 'function_call')?.id ?? '';
    await expect(
      t.openai.beta.threads.messages.retrieve(notAMessage, { thread_id: conversation.id }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    const graph = await t.graphql<{
      messages: { nodes: { id: string; role: string; threadId: string }[] };
    }>(`query ($id: ID!) { messages(threadId: $id, order: asc) { nodes { id role threadId } } }`, {
      id: conversation.id,
    });
    expect(graph.errors).toBeUndefined();
    expect(graph.data?.messages.nodes.map((node) => node.id)).toEqual(messageIds);
    expect(graph.data?.messages.nodes[0]).toMatchObject({
      role: 'user',
      threadId: conversation.id,
    });
  });

  it('refuses writes through the Assistants API with a 400, and hides another project’s', async () => {
    const { t } = app;
    const conversation = await t.openai.conversations.create({
      items: [{ type: 'message', role: 'user', content: 'Keep me' }],
    });
    const [item] = (await t.openai.conversations.items.list(conversation.id)).data;
    const id = item?.id ?? '';
    const writes: [string, () => Promise<unknown>][] = [
      [
        'create',
        () =>
          t.openai.beta.threads.messages.create(conversation.id, { role: 'user', content: 'x' }),
      ],
      [
        'update',
        () =>
          t.openai.beta.threads.messages.update(id, {
            thread_id: conversation.id,
            metadata: { a: 'b' },
          }),
      ],
      ['delete', () => t.openai.beta.threads.messages.delete(id, { thread_id: conversation.id })],
    ];
    for (const [what, attempt] of writes) {
      const error = await apiError(attempt());
      expect(error.status, what).toBe(400);
      expect(error, what).toMatchObject({ param: 'thread_id' });
      expect(error.message, what).toContain(
        `${conversation.id} is a conversation: its items are read-only as thread messages.`,
      );
    }
    expect(await transcript(conversation.id)).toEqual(['user: Keep me']);

    const other = t.client((await t.createOtherProject()).apiKey);
    await expect(other.beta.threads.messages.list(conversation.id)).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    await expect(
      other.beta.threads.messages.retrieve(id, { thread_id: conversation.id }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(t.openai.beta.threads.messages.list('conv_nope')).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    // Only its messages are a thread view: the thread and its runs are not.
    await expect(t.openai.beta.threads.retrieve(conversation.id)).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  });
});
