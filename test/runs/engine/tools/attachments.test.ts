import { describe, expect, it } from 'vitest';
import type { TestApp } from '../../../setup/app.js';
import { useAppWithUpstream } from '../../../setup/app-with-upstream.js';
import { scriptedRun, uploadFile } from '../../../setup/factories.js';
import type { FakeUpstream } from '../../../setup/fake-upstream.js';
import { threadWithImage } from '../../../setup/image-thread.js';
import { expectSpec } from '../../../setup/openapi.js';

let t: TestApp;
let upstream: FakeUpstream;

useAppWithUpstream({}, (app) => {
  ({ t, upstream } = app);
});

/** Waits until every file of the store is indexed. */
async function indexed(storeId: string) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const store = await t.openai.vectorStores.retrieve(storeId);
    if (store.file_counts.in_progress === 0) {
      return store;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`vector store ${storeId} never finished indexing`);
}

describe('message attachments', () => {
  it('puts file_search attachments into the thread’s own store, made on first use with a 7-day expiry', async () => {
    const first = await uploadFile(
      t,
      'glossary.md',
      'A lease is how a worker owns a run while it runs.',
    );
    const second = await uploadFile(t, 'faq.txt', 'Heartbeats prove the worker is alive.');
    const thread = await t.openai.beta.threads.create({
      messages: [
        {
          role: 'user',
          content: 'What is a lease?',
          attachments: [{ file_id: first.id, tools: [{ type: 'file_search' }] }],
        },
      ],
    });
    expectSpec('ThreadObject', thread);
    const [storeId] = thread.tool_resources?.file_search?.vector_store_ids ?? [];
    expect(storeId).toMatch(/^vs_/);
    const store = await indexed(storeId ?? '');
    expect(store.expires_after).toEqual({ anchor: 'last_active_at', days: 7 });
    expect(store.file_counts).toMatchObject({ completed: 1, total: 1 });

    await t.openai.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: 'And heartbeats?',
      attachments: [{ file_id: second.id, tools: [{ type: 'file_search' }] }],
    });
    const again = await t.openai.beta.threads.retrieve(thread.id);
    expect(again.tool_resources?.file_search?.vector_store_ids).toEqual([storeId]);
    await indexed(storeId ?? '');
    const files = await t.openai.vectorStores.files.list(storeId ?? '');
    expect(files.data.map((file) => file.id).sort()).toEqual([first.id, second.id].sort());

    // A run with file_search finds what was attached.
    const assistant = await t.openai.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search' }],
    });
    const run = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { toolCalls: [{ name: 'file_search', arguments: '{"query":"heartbeats worker alive"}' }] },
      { text: 'They prove the worker is alive 【0:0†faq.txt】.' },
    );
    expect(run.status).toBe('completed');
    const [answer] = (await t.openai.beta.threads.messages.list(thread.id, { limit: 1 })).data;
    const text = answer?.content[0];
    expect(text?.type === 'text' ? text.text.annotations : []).toMatchObject([
      { type: 'file_citation', file_citation: { file_id: second.id } },
    ]);
  });

  it('refuses an attachment of an unknown file, leaving no message and no store', async () => {
    const thread = await t.openai.beta.threads.create();
    const error = await t.openai.beta.threads.messages
      .create(thread.id, {
        role: 'user',
        content: 'hi',
        attachments: [{ file_id: 'file-nope', tools: [{ type: 'file_search' }] }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, param: 'attachments[0].file_id' });
    expect((await t.openai.beta.threads.messages.list(thread.id)).data).toEqual([]);
    const after = await t.openai.beta.threads.retrieve(thread.id);
    expect(after.tool_resources?.file_search?.vector_store_ids ?? []).toEqual([]);
  });

  it('places code_interpreter attachments in /mnt/data', async () => {
    const data = await uploadFile(t, 'numbers.txt', '1 2 3 4');
    const thread = await t.openai.beta.threads.create({
      messages: [
        {
          role: 'user',
          content: 'Sum the numbers.',
          attachments: [{ file_id: data.id, tools: [{ type: 'code_interpreter' }] }],
        },
      ],
    });
    const assistant = await t.openai.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'code_interpreter' }],
    });
    const code = "print(sum(int(n) for n in open('numbers.txt').read().split()))";
    const run = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { toolCalls: [{ name: 'code_interpreter', arguments: JSON.stringify({ code }) }] },
      { text: '10' },
    );
    expect(run.status).toBe('completed');
    const steps = await t.openai.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
    const call = steps.data
      .flatMap((step) =>
        step.step_details.type === 'tool_calls' ? step.step_details.tool_calls : [],
      )
      .find((candidate) => candidate.type === 'code_interpreter');
    expect(call?.type === 'code_interpreter' ? call.code_interpreter.outputs : []).toEqual([
      { type: 'logs', logs: '10\n' },
    ]);
  });
});

describe('image_file content', () => {
  it('reaches the upstream model inline, as a data URL of the file’s bytes', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    );
    const { assistant, thread } = await threadWithImage(t, png, 'What is this?');
    upstream.script({ text: 'A dot.' });
    const before = upstream.requests.length;
    const run = await t.openai.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id },
      { pollIntervalMs: 50 },
    );
    expect(run.status).toBe('completed');
    const user = upstream.requests[before]?.body.messages.find((m) => m.role === 'user');
    expect(user?.content).toEqual([
      {
        type: 'image_url',
        image_url: { url: `data:image/png;base64,${png.toString('base64')}`, detail: 'low' },
      },
      { type: 'text', text: 'What is this?' },
    ]);
  });
});
