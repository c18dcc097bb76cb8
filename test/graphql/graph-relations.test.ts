import { createClient } from 'graphql-ws';
import { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TestApp } from '../setup/app.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { assistantAndThread, scriptedRun, uploadFile } from '../setup/factories.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';
import { dataOf } from '../setup/graphql-response.js';

let t: TestApp;
let upstream: FakeUpstream;
useAppWithUpstream({}, (started) => {
  t = started.t;
  upstream = started.upstream;
});

interface Connection<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean };
}

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

// Relations to files, vector stores and assistants (also once deleted), relations selected
// from subscription events, and files as a connection beside REST's list.
describe('the graph: relations to files, stores and assistants', () => {
  it('resolves files, vector stores and tool resources as objects; deleted ones are null', async () => {
    const kept = await uploadFile(t, 'kept.txt', 'kept');
    const doomed = await uploadFile(t, 'doomed.txt', 'doomed');
    const store = await t.openai.vectorStores.create({ name: 'resources', file_ids: [kept.id] });
    const assistant = await t.openai.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'code_interpreter' }, { type: 'file_search' }],
      tool_resources: {
        code_interpreter: { file_ids: [kept.id, doomed.id] },
        file_search: { vector_store_ids: [store.id] },
      },
    });
    const thread = await t.openai.beta.threads.create({
      messages: [
        {
          role: 'user',
          content: 'see attached',
          attachments: [{ file_id: doomed.id, tools: [{ type: 'code_interpreter' }] }],
        },
      ],
    });
    await t.openai.files.delete(doomed.id);

    type Result = {
      assistant: {
        toolResources: {
          codeInterpreter: {
            fileIds: string[];
            files: ({ id: string; filename: string } | null)[];
          };
          fileSearch: { vectorStores: ({ id: string; name: string } | null)[] };
        };
      };
      thread: {
        messages: { nodes: { attachments: { fileId: string; file: { id: string } | null }[] }[] };
      };
      file: { vectorStores: Connection<{ id: string }> };
    };
    const data = dataOf(
      await t.graphql<Result>(
        `query ($assistant: ID!, $thread: ID!, $file: ID!) {
          assistant(id: $assistant) { toolResources {
            codeInterpreter { fileIds files { id filename } }
            fileSearch { vectorStores { id name } }
          } }
          thread(id: $thread) { messages { nodes { attachments { fileId file { id } } } } }
          file(id: $file) { vectorStores { nodes { id } ${PAGE_INFO} } }
        }`,
        { assistant: assistant.id, thread: thread.id, file: kept.id },
      ),
    );
    expect(data.assistant.toolResources.codeInterpreter).toEqual({
      fileIds: [kept.id, doomed.id],
      files: [{ id: kept.id, filename: 'kept.txt' }, null],
    });
    expect(data.assistant.toolResources.fileSearch.vectorStores).toEqual([
      { id: store.id, name: 'resources' },
    ]);
    expect(data.thread.messages.nodes[0]?.attachments).toEqual([{ fileId: doomed.id, file: null }]);
    expect(data.file.vectorStores.nodes).toEqual([{ id: store.id }]);

    await t.openai.beta.assistants.delete(assistant.id);
    const { node: gone } = dataOf(
      await t.graphql<{ node: unknown }>('query ($id: ID!) { node(id: $id) { id } }', {
        id: assistant.id,
      }),
    );
    expect(gone).toBeNull();
  });

  it('shows a run’s deleted assistant as null', async () => {
    const { assistant, thread } = await assistantAndThread(t);
    const run = await scriptedRun(
      t,
      upstream,
      { threadId: thread.id, assistantId: assistant.id },
      { text: 'hi' },
    );
    await t.openai.beta.assistants.delete(assistant.id);
    const data = dataOf(
      await t.graphql<{ node: { assistantId: string; assistant: unknown } }>(
        'query ($id: ID!) { node(id: $id) { ... on Run { assistantId assistant { id } } } }',
        { id: run.id },
      ),
    );
    expect(data.node).toEqual({ assistantId: assistant.id, assistant: null });
  });

  it('lets a subscription’s events select the new relations', async () => {
    const { assistant, thread } = await assistantAndThread(t);
    upstream.script({ text: 'streamed over ws' });
    const run = await t.openai.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    const client = createClient({
      url: `ws://127.0.0.1:${String(t.port)}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${t.apiKey}` },
      retryAttempts: 0,
    });
    type Event = {
      runEvents: {
        event: string;
        message: {
          id: string;
          run: { id: string; status: string; assistant: { id: string } | null } | null;
        } | null;
      };
    };
    const events: Event['runEvents'][] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        client.subscribe<Event>(
          {
            query: `subscription ($threadId: ID!, $runId: ID!) {
              runEvents(threadId: $threadId, runId: $runId) {
                event message { id run { id status assistant { id } } }
              } }`,
            variables: { threadId: thread.id, runId: run.id },
          },
          {
            next: (value) => {
              if (value.data) {
                events.push(value.data.runEvents);
              }
              if (value.errors) {
                reject(new Error(JSON.stringify(value.errors)));
              }
            },
            error: reject,
            complete: resolve,
          },
        );
      });
    } finally {
      await client.dispose();
    }
    const completed = events.find((event) => event.event === 'thread.message.completed');
    expect(completed?.message?.run).toMatchObject({ id: run.id, assistant: { id: assistant.id } });
    expect(['in_progress', 'completed']).toContain(completed?.message?.run?.status);
  });
});

describe('file uploads as graph objects', () => {
  it('keeps the REST list of files unchanged while GraphQL pages them as a connection', async () => {
    const names = ['one.txt', 'two.txt', 'three.txt'];
    const files = [];
    for (const name of names) {
      files.push(
        await t.openai.files.create({
          file: await toFile(Buffer.from(name), name),
          purpose: 'assistants',
        }),
      );
    }
    const { files: page } = dataOf(
      await t.graphql<{ files: Connection<{ id: string }> }>(
        '{ files(first: 2, purpose: "assistants") { nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }',
      ),
    );
    expect(page.nodes.map((node) => node.id)).toEqual([files[2]?.id, files[1]?.id]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = await t.openai.files.list({ limit: 2 });
    expect(rest.data.map((file) => file.id)).toEqual(page.nodes.map((node) => node.id));
    expect(rest.has_more).toBe(true);
  });
});
