import OpenAI from 'openai';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { apiError } from '../setup/api-error.js';
import { type TestApp, useTestApp } from '../setup/app.js';

let t: TestApp;
useTestApp({ worker: false }, (app) => {
  t = app;
});

/** Every lookup by id in the schema, with ids that exist nowhere. */
const LOOKUPS: [field: string, args: string][] = [
  ['assistant', 'id: "asst_nope"'],
  ['thread', 'id: "thread_nope"'],
  ['message', 'threadId: "thread_nope", id: "msg_nope"'],
  ['run', 'threadId: "thread_nope", id: "run_nope"'],
  ['runStep', 'threadId: "thread_nope", runId: "run_nope", id: "step_nope"'],
  ['file', 'id: "file-nope"'],
  ['upload', 'id: "upload_nope"'],
  ['vectorStore', 'id: "vs_nope"'],
  ['vectorStoreFile', 'vectorStoreId: "vs_nope", fileId: "file-nope"'],
  ['vectorStoreFileBatch', 'vectorStoreId: "vs_nope", batchId: "vsfb_nope"'],
  ['vectorStoreFileContent', 'vectorStoreId: "vs_nope", fileId: "file-nope"'],
];

describe('GraphQL lookups by id', () => {
  it('answer a missing thread with null and NOT_FOUND for that field, keeping its siblings', async () => {
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o', name: 'kept' });
    const response = await t.graphql<{
      assistants: { nodes: { id: string }[] };
      thread: { id: string } | null;
    }>('{ assistants { nodes { id } } thread(id: "thread_nope") { id } }');
    // Data is present, so 200 (GraphQL over HTTP), whatever the errors beside it.
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ assistants: { nodes: [{ id: assistant.id }] }, thread: null });
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: "No thread found with id 'thread_nope'.",
        path: ['thread'],
        extensions: expect.objectContaining({ code: 'NOT_FOUND' }),
      }),
    ]);
  });

  it('are each null with NOT_FOUND at their own path, in one request', async () => {
    const query = `{ ${LOOKUPS.map(([field, args]) => `${field}(${args}) { __typename }`).join(' ')} }`;
    const response = await t.graphql(query);
    expect(response.data).toEqual(Object.fromEntries(LOOKUPS.map(([field]) => [field, null])));
    const byField = new Map(response.errors?.map((error) => [error.path?.[0], error]));
    for (const [field] of LOOKUPS) {
      expect(byField.get(field)?.extensions?.code, field).toBe('NOT_FOUND');
    }
    expect(response.errors).toHaveLength(LOOKUPS.length);
  });

  it('still refuse another project’s row as NOT_FOUND, showing nothing of it', async () => {
    const other = await t.createOtherProject();
    const thread = await t.client(other.apiKey).beta.threads.create({ metadata: { a: 'secret' } });
    const response = await t.graphql('query ($id: ID!) { thread(id: $id) { id metadata } }', {
      id: thread.id,
    });
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ thread: null });
    expect(response.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

/**
 * Runs `work`, returning whether any statement sent to PostgreSQL (through any pool: every
 * statement passes `pg.Client#query`) carried a parameter containing `text`.
 */
async function sentToDatabase(text: string, work: () => Promise<unknown>): Promise<boolean> {
  const spy = vi.spyOn(pg.Client.prototype, 'query');
  try {
    await work();
    return spy.mock.calls.some((args) =>
      args.some((arg) => {
        const values = Array.isArray(arg) ? arg : (arg as { values?: unknown } | null)?.values;
        return (
          Array.isArray(values) &&
          values.some((value) => typeof value === 'string' && value.includes(text))
        );
      }),
    );
  } finally {
    spy.mockRestore();
  }
}

describe('Lookups by ids too long to exist', () => {
  // Every id the server makes is far shorter than 128 characters (`idSchema`'s bound).
  const long = (prefix: string) => `${prefix}${'z'.repeat(100_000)}`;

  it('answer NOT_FOUND at their own path without sending the id to the database', async () => {
    const query = `query (${LOOKUPS.map((_, index) => `$id${index}: ID!`).join(', ')}) { ${LOOKUPS.map(
      ([field, args], index) =>
        `${field}(${args.replace(/"[^"]*"$/, `$id${index}`)}) { __typename }`,
    ).join(' ')} }`;
    const variables = Object.fromEntries(LOOKUPS.map((_, index) => [`id${index}`, long('id_')]));
    let response: Awaited<ReturnType<TestApp['graphql']>> | undefined;
    const sent = await sentToDatabase('z'.repeat(1000), async () => {
      response = await t.graphql(query, variables);
    });
    expect(response?.data).toEqual(Object.fromEntries(LOOKUPS.map(([field]) => [field, null])));
    const byField = new Map(response?.errors?.map((error) => [error.path?.[0], error]));
    for (const [field] of LOOKUPS) {
      expect(byField.get(field)?.extensions?.code, field).toBe('NOT_FOUND');
    }
    expect(sent).toBe(false);
  });

  it('answer the non-null lookups NOT_FOUND too, without sending the id to the database', async () => {
    for (const field of ['response', 'conversation', 'container']) {
      let response: Awaited<ReturnType<TestApp['graphql']>> | undefined;
      const sent = await sentToDatabase('z'.repeat(1000), async () => {
        response = await t.graphql(`query ($id: ID!) { ${field}(id: $id) { __typename } }`, {
          id: long('id_'),
        });
      });
      expect(response?.errors?.[0]?.extensions?.code, field).toBe('NOT_FOUND');
      expect(sent, field).toBe(false);
    }
  });

  it('answer the admin lookups and list cursors the same, without sending the id to the database', async () => {
    // `t.graphql` speaks with an admin key, so each of these reaches its service's lookup.
    const queries: [label: string, query: string, code: string][] = [
      ['project', 'query ($id: ID!) { project(id: $id) { id } }', 'NOT_FOUND'],
      ['adminApiKey', 'query ($id: ID!) { adminApiKey(id: $id) { id } }', 'NOT_FOUND'],
      [
        'project.apiKey',
        'query ($id: ID!) { project(id: "proj_default") { apiKey(id: $id) { id } } }',
        'NOT_FOUND',
      ],
      [
        'project.serviceAccount',
        'query ($id: ID!) { project(id: "proj_default") { serviceAccount(id: $id) { id } } }',
        'NOT_FOUND',
      ],
      [
        'deleteServiceAccount',
        'mutation ($id: ID!) { deleteServiceAccount(projectId: $id, id: $id) { id } }',
        'NOT_FOUND',
      ],
      [
        'deleteUpstreamProvider',
        'mutation ($id: ID!) { deleteUpstreamProvider(projectId: "proj_default", id: $id) { id } }',
        'NOT_FOUND',
      ],
      [
        'setModelRoute',
        `mutation ($id: String!) {
          setModelRoute(projectId: "proj_default", input: { match: "m", providerId: $id }) { match }
        }`,
        'NOT_FOUND',
      ],
      [
        'adminApiKeys(after:)',
        'query ($id: String!) { adminApiKeys(after: $id) { nodes { id } } }',
        'INVALID_REQUEST',
      ],
    ];
    for (const [label, query, code] of queries) {
      let response: Awaited<ReturnType<TestApp['graphql']>> | undefined;
      const sent = await sentToDatabase('z'.repeat(1000), async () => {
        response = await t.graphql(query, { id: long('id_') });
      });
      expect(response?.errors?.[0]?.extensions?.code, label).toBe(code);
      expect(sent, label).toBe(false);
    }
  });

  it('answer REST with the same 404 as any unknown id, without sending it to the database', async () => {
    // Short enough for a request line (Node refuses heads over 16 KB).
    const id = `thread_${'z'.repeat(5000)}`;
    let error: Awaited<ReturnType<typeof apiError>> | undefined;
    const sent = await sentToDatabase('z'.repeat(1000), async () => {
      error = await apiError(t.openai.beta.threads.retrieve(id));
    });
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error?.message).toBe(`404 No thread found with id '${id}'.`);
    expect(sent).toBe(false);
  });
});

describe('Deletes and reads under a parent by ids too long to exist', () => {
  it('answer the same 404 as any unknown id, without sending the id to the database', async () => {
    const thread = await t.openai.beta.threads.create();
    const store = await t.openai.vectorStores.create({ name: 'long ids' });
    const conversation = await t.openai.conversations.create();
    const container = await t.openai.containers.create({ name: 'long ids' });
    // Each by an id: the parent exists, so the long id itself is what is refused.
    const deletes: [label: string, remove: (id: string) => Promise<unknown>][] = [
      ['assistant', (id) => t.openai.beta.assistants.delete(id)],
      ['thread', (id) => t.openai.beta.threads.delete(id)],
      ['message', (id) => t.openai.beta.threads.messages.delete(id, { thread_id: thread.id })],
      ['vector store', (id) => t.openai.vectorStores.delete(id)],
      [
        'vector store file',
        (id) => t.openai.vectorStores.files.delete(id, { vector_store_id: store.id }),
      ],
      ['conversation', (id) => t.openai.conversations.delete(id)],
      [
        'conversation item',
        (id) => t.openai.conversations.items.delete(id, { conversation_id: conversation.id }),
      ],
      ['container', (id) => t.openai.containers.delete(id)],
      [
        'container file',
        (id) => t.openai.containers.files.delete(id, { container_id: container.id }),
      ],
      ['response', (id) => t.openai.responses.delete(id)],
      ['response input items', (id) => t.openai.responses.inputItems.list(id)],
      [
        'container file content',
        (id) => t.openai.containers.files.content.retrieve(id, { container_id: container.id }),
      ],
    ];
    // Short enough for a request line (Node refuses heads over 16 KB).
    const longId = `id_${'z'.repeat(5000)}`;
    for (const [label, remove] of deletes) {
      const unknown = await apiError(remove('id_nope'));
      expect(unknown.status, label).toBe(404);
      let error: Awaited<ReturnType<typeof apiError>> | undefined;
      const sent = await sentToDatabase('z'.repeat(1000), async () => {
        error = await apiError(remove(longId));
      });
      expect(error?.status, label).toBe(404);
      expect(error?.message, label).toBe(unknown.message.replace('id_nope', longId));
      expect(error?.code, label).toBe(unknown.code);
      expect(sent, label).toBe(false);
    }
  });
});

describe('REST over the nullable lookups', () => {
  it('answers a missing resource with the same 404 as before', async () => {
    const thread = await t.openai.beta.threads.create();
    const attempts: [string, () => Promise<unknown>, string][] = [
      [
        'assistant',
        () => t.openai.beta.assistants.retrieve('asst_nope'),
        "No assistant found with id 'asst_nope'.",
      ],
      [
        'thread',
        () => t.openai.beta.threads.retrieve('thread_nope'),
        "No thread found with id 'thread_nope'.",
      ],
      [
        'message',
        () => t.openai.beta.threads.messages.retrieve('msg_nope', { thread_id: thread.id }),
        "No message found with id 'msg_nope'.",
      ],
      [
        'run',
        () => t.openai.beta.threads.runs.retrieve('run_nope', { thread_id: thread.id }),
        "No run found with id 'run_nope'.",
      ],
      ['file', () => t.openai.files.retrieve('file-nope'), 'No such File object: file-nope'],
      [
        'vector store',
        () => t.openai.vectorStores.retrieve('vs_nope'),
        "No vector store found with id 'vs_nope'.",
      ],
    ];
    for (const [label, attempt, message] of attempts) {
      const error = await apiError(attempt());
      expect(error, label).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error.status, label).toBe(404);
      expect(error.message, label).toBe(`404 ${message}`);
    }
  });
});
