import { describe, expect, it } from 'vitest';
import { turnMessages } from '../../src/services/responses/thread-bridge/thread-turn.js';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';

let app: AppWithUpstream;
useAppWithUpstream({}, (started) => {
  app = started;
});

describe('two responses on one thread at once', () => {
  it('each sees the thread as it stood, and their turns are appended whole, one after the other', async () => {
    const { t, upstream } = app;
    const thread = await t.openai.beta.threads.create({
      messages: [{ role: 'user', content: 'Start' }],
    });
    upstream.script(
      { text: ['a', 'b', 'c', 'd'], delayMsBetweenChunks: 30 },
      { text: ['w', 'x', 'y', 'z'], delayMsBetweenChunks: 30 },
    );
    const before = upstream.requests.length;
    const responses = await Promise.all(
      ['Left', 'Right'].map((text) =>
        t.openai.responses.create({ model: 'gpt-test', input: text, conversation: thread.id }),
      ),
    );
    const seen = upstream.requests.slice(before).map((request) => request.body.messages);
    expect(seen).toHaveLength(2);
    for (const messages of seen) {
      expect(messages).toHaveLength(2);
      expect(messages[0]).toEqual({ role: 'user', content: 'Start' });
    }

    const page = await t.openai.beta.threads.messages.list(thread.id, { order: 'asc' });
    const ids = page.data.map((message) => message.id);
    expect(ids).toHaveLength(5);
    for (const response of responses) {
      const at = ids.indexOf(response.output[0]?.id ?? '');
      expect(at).toBeGreaterThan(1);
      const input = (await t.openai.responses.inputItems.list(response.id)).data[0]?.id;
      expect(ids[at - 1]).toBe(input);
    }
  });
});

describe('a streamed turn on a thread', () => {
  it('is appended too, and a message deleted from the thread is gone from what follows', async () => {
    const { t, upstream } = app;
    const thread = await t.openai.beta.threads.create({});
    upstream.script({ text: ['Str', 'eamed'] });
    const final = await t.openai.responses
      .stream({ model: 'gpt-test', input: 'Stream', conversation: thread.id })
      .finalResponse();
    expect(final.output_text).toBe('Streamed');
    const page = await t.openai.beta.threads.messages.list(thread.id, { order: 'asc' });
    expect(page.data.map((message) => message.id)).toEqual([
      (await t.openai.responses.inputItems.list(final.id)).data[0]?.id,
      final.output[0]?.id,
    ]);

    await t.openai.beta.threads.messages.delete(final.output[0]?.id ?? '', {
      thread_id: thread.id,
    });
    upstream.script({ text: 'Again?' });
    await t.openai.responses.create({ model: 'gpt-test', input: 'More', conversation: thread.id });
    expect(upstream.requests.at(-1)?.body.messages).toEqual([
      { role: 'user', content: 'Stream' },
      { role: 'user', content: 'More' },
    ]);
  });
});

describe('a response’s turn as thread messages', () => {
  it('maps text, images and the annotations that have an Assistants form; skips the rest', () => {
    expect(
      turnMessages([
        { id: 'msg_dev', type: 'message', role: 'developer', content: [{ text: 'Be brief.' }] },
        {
          id: 'msg_user',
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Look' },
            { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'low' },
          ],
        },
        { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
        {
          id: 'msg_answer',
          type: 'message',
          role: 'assistant',
          content: [
            {
              type: 'output_text',
              text: 'See the chart.',
              annotations: [
                { type: 'file_citation', file_id: 'file-a', filename: 'a.txt', index: 3 },
                { type: 'file_path', file_id: 'file-b', index: 8 },
                {
                  type: 'container_file_citation',
                  container_id: 'cntr_1',
                  file_id: 'file-c',
                  filename: 'chart.png',
                  start_index: 8,
                  end_index: 13,
                },
                { type: 'url_citation', url: 'https://example.com', start_index: 0, end_index: 3 },
              ],
            },
          ],
        },
      ]),
    ).toEqual([
      {
        id: 'msg_user',
        role: 'user',
        content: [
          { type: 'text', text: { value: 'Look', annotations: [] } },
          { type: 'image_url', imageUrl: { url: 'https://example.com/a.png', detail: 'low' } },
        ],
      },
      {
        id: 'msg_answer',
        role: 'assistant',
        content: [
          {
            type: 'text',
            text: {
              value: 'See the chart.',
              annotations: [
                {
                  type: 'file_citation',
                  text: '',
                  startIndex: 3,
                  endIndex: 3,
                  fileCitation: { fileId: 'file-a' },
                },
                {
                  type: 'file_path',
                  text: '',
                  startIndex: 8,
                  endIndex: 8,
                  filePath: { fileId: 'file-b' },
                },
                {
                  type: 'file_path',
                  text: 'chart',
                  startIndex: 8,
                  endIndex: 13,
                  filePath: { fileId: 'file-c' },
                },
              ],
            },
          },
        ],
      },
    ]);
  });
});
