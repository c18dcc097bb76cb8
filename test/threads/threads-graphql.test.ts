import { describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import { type GraphQLResponse, type TestApp, useTestApp } from '../setup/app.js';
import { dataOf } from '../setup/graphql-response.js';

let t: TestApp;
// No worker: a run created here stays queued, so nothing writes messages behind the test.
useTestApp({ worker: false }, (app) => {
  t = app;
});

const MESSAGE_FIELDS = `
  id createdAt threadId status role assistantId runId metadata completedAt incompleteAt
  incompleteDetails { reason }
  attachments { fileId tools { type } }
  content {
    type
    text { value annotations { type } }
    imageUrl { url detail }
    imageFile { fileId detail }
    refusal
  }
`;
const THREAD_FIELDS = `id createdAt metadata toolResources { codeInterpreter { fileIds } fileSearch { vectorStoreIds } }`;

const CREATE_THREAD = `mutation ($input: CreateThreadInput) {
  createThread(input: $input) { ${THREAD_FIELDS} }
}`;
const GET_THREAD = `query ($id: ID!) { thread(id: $id) { ${THREAD_FIELDS} } }`;
const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';
const LIST_THREADS = `query ($first: Int, $last: Int, $order: SortOrder, $after: String, $before: String) {
  threads(first: $first, last: $last, order: $order, after: $after, before: $before) {
    edges { cursor } nodes { id metadata } ${PAGE_INFO}
  }
}`;
const LIST_MESSAGES = `query ($threadId: ID!, $order: SortOrder, $runId: String, $first: Int, $after: String) {
  messages(threadId: $threadId, order: $order, runId: $runId, first: $first, after: $after) {
    edges { cursor } nodes { ${MESSAGE_FIELDS} } ${PAGE_INFO}
  }
}`;
const GET_MESSAGE = `query ($threadId: ID!, $id: ID!) {
  message(threadId: $threadId, id: $id) { ${MESSAGE_FIELDS} }
}`;

interface Thread {
  id: string;
  createdAt: number;
  metadata: Record<string, string>;
  toolResources: unknown;
}

interface Message {
  id: string;
  createdAt: number;
  threadId: string;
  status: string;
  role: string;
  runId: string | null;
  metadata: Record<string, string>;
  content: { type: string; text: { value: string } | null }[];
}

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

interface MessageConnection {
  edges: { cursor: string }[];
  nodes: Message[];
  pageInfo: PageInfo;
}

function errorCode(response: GraphQLResponse<unknown>): unknown {
  const error = response.errors?.[0];
  if (!error) {
    throw new Error(`expected an error, got ${JSON.stringify(response.data)}`);
  }
  return error.extensions?.code;
}

const text = (value: string) => ({ type: 'text', text: value });

async function createThread(input: Record<string, unknown> | null, apiKey?: string) {
  return dataOf(await t.graphql<{ createThread: Thread }>(CREATE_THREAD, { input }, { apiKey }))
    .createThread;
}

async function listMessages(variables: Record<string, unknown>, apiKey?: string) {
  return dataOf(
    await t.graphql<{ messages: MessageConnection }>(LIST_MESSAGES, variables, { apiKey }),
  ).messages;
}

describe('threads over GraphQL', () => {
  it('creates a thread with its initial messages, in order', async () => {
    const thread = await createThread({
      metadata: { topic: 'travel' },
      messages: [
        {
          role: 'user',
          content: [
            text('Where should I go?'),
            { type: 'image_url', imageUrl: { url: 'https://example.com/map.png', detail: 'low' } },
          ],
          metadata: { n: '1' },
        },
        { role: 'assistant', content: [text('Lisbon.')] },
        { role: 'user', content: [text('Why?')] },
      ],
    });
    expect(thread.id).toMatch(/^thread_[A-Za-z0-9]{24}$/);
    expect(thread.metadata).toEqual({ topic: 'travel' });
    expect(Number.isInteger(thread.createdAt)).toBe(true);

    const fetched = dataOf(await t.graphql<{ thread: Thread }>(GET_THREAD, { id: thread.id }));
    expect(fetched.thread).toEqual(thread);

    const page = await listMessages({ threadId: thread.id, order: 'asc' });
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    expect(page.nodes.map((m) => [m.role, m.content.map((part) => part.type)])).toEqual([
      ['user', ['text', 'image_url']],
      ['assistant', ['text']],
      ['user', ['text']],
    ]);
    const [first] = page.nodes;
    expect(first).toEqual({
      id: expect.stringMatching(/^msg_[A-Za-z0-9]{24}$/),
      createdAt: expect.any(Number),
      threadId: thread.id,
      status: 'completed',
      role: 'user',
      assistantId: null,
      runId: null,
      metadata: { n: '1' },
      completedAt: expect.any(Number),
      incompleteAt: null,
      incompleteDetails: null,
      attachments: [],
      content: [
        {
          type: 'text',
          text: { value: 'Where should I go?', annotations: [] },
          imageUrl: null,
          imageFile: null,
          refusal: null,
        },
        {
          type: 'image_url',
          text: null,
          imageUrl: { url: 'https://example.com/map.png', detail: 'low' },
          imageFile: null,
          refusal: null,
        },
      ],
    });
    expect(page.pageInfo.startCursor).toBe(first?.id);
    expect(page.pageInfo.endCursor).toBe(page.nodes[2]?.id);
    expect(page.edges.map((edge) => edge.cursor)).toEqual(page.nodes.map((m) => m.id));

    const newestFirst = await listMessages({ threadId: thread.id });
    expect(newestFirst.nodes.map((m) => m.id)).toEqual(page.nodes.map((m) => m.id).reverse());
  });

  it('creates an empty thread without input', async () => {
    const thread = await createThread(null);
    expect(thread.metadata).toEqual({});
    expect((await listMessages({ threadId: thread.id })).nodes).toEqual([]);
  });

  it('creates nothing when one initial message is invalid', async () => {
    const other = await t.createOtherProject();
    const response = await t.graphql(
      CREATE_THREAD,
      {
        input: {
          messages: [
            { role: 'user', content: [text('fine')] },
            { role: 'user', content: [{ type: 'text' }] },
          ],
        },
      },
      { apiKey: other.apiKey },
    );
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'INVALID_REQUEST',
      param: 'messages.1.content.0.text',
      openaiCode: 'missing_required_parameter',
    });
    const threads = await t.graphql<{ threads: { nodes: unknown[] } }>(
      LIST_THREADS,
      {},
      { apiKey: other.apiKey },
    );
    expect(dataOf(threads).threads.nodes).toEqual([]);
    expect(await t.deps.db.message.count({ where: { projectId: other.projectId } })).toBe(0);
  });

  it('lists the project’s threads newest first, with cursors', async () => {
    const { apiKey } = await t.createOtherProject();
    const other = { apiKey };
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      ids.push((await createThread({ metadata: { i: String(index) } }, apiKey)).id);
    }
    type Threads = {
      threads: {
        edges: { cursor: string }[];
        nodes: { id: string; metadata: Record<string, string> }[];
        pageInfo: PageInfo;
      };
    };
    const first = dataOf(await t.graphql<Threads>(LIST_THREADS, { first: 2 }, other)).threads;
    expect(first).toEqual({
      edges: [{ cursor: ids[2] }, { cursor: ids[1] }],
      nodes: [
        { id: ids[2], metadata: { i: '2' } },
        { id: ids[1], metadata: { i: '1' } },
      ],
      pageInfo: {
        hasNextPage: true,
        hasPreviousPage: false,
        startCursor: ids[2],
        endCursor: ids[1],
      },
    });
    const rest = dataOf(
      await t.graphql<Threads>(LIST_THREADS, { first: 2, after: first.pageInfo.endCursor }, other),
    ).threads;
    expect(rest).toMatchObject({
      nodes: [{ id: ids[0] }],
      pageInfo: { hasNextPage: false, hasPreviousPage: true },
    });
    const ascending = dataOf(
      await t.graphql<Threads>(LIST_THREADS, { order: 'asc', before: ids[2] }, other),
    ).threads;
    expect(ascending.nodes.map((thread) => thread.id)).toEqual([ids[0], ids[1]]);
    const ascendingLast = dataOf(
      await t.graphql<Threads>(LIST_THREADS, { order: 'asc', last: 20, before: ids[2] }, other),
    ).threads;
    expect(ascendingLast.nodes.map((thread) => thread.id)).toEqual([ids[0], ids[1]]);
    expect(ascendingLast.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: ids[0],
      endCursor: ids[1],
    });
  });

  it('updates a thread’s metadata and keeps what was not given', async () => {
    const thread = await createThread({ metadata: { a: '1' } });
    const UPDATE = `mutation ($id: ID!, $input: UpdateThreadInput!) {
      updateThread(id: $id, input: $input) { ${THREAD_FIELDS} }
    }`;
    const updated = dataOf(
      await t.graphql<{ updateThread: Thread }>(UPDATE, {
        id: thread.id,
        input: { metadata: { b: '2' } },
      }),
    ).updateThread;
    expect(updated).toEqual({ ...thread, metadata: { b: '2' } });
    const untouched = dataOf(
      await t.graphql<{ updateThread: Thread }>(UPDATE, { id: thread.id, input: {} }),
    ).updateThread;
    expect(untouched).toEqual(updated);
    const fetched = dataOf(await t.graphql<{ thread: Thread }>(GET_THREAD, { id: thread.id }));
    expect(fetched.thread.metadata).toEqual({ b: '2' });
  });

  it('deletes a thread with its messages', async () => {
    const thread = await createThread({ messages: [{ role: 'user', content: [text('bye')] }] });
    const deleted = await t.graphql<{ deleteThread: { id: string; deleted: boolean } }>(
      'mutation ($id: ID!) { deleteThread(id: $id) { id deleted } }',
      { id: thread.id },
    );
    expect(dataOf(deleted).deleteThread).toEqual({ id: thread.id, deleted: true });

    const fetched = await t.graphql(GET_THREAD, { id: thread.id });
    // A nullable lookup: data is present (`thread: null`), so 200 beside the NOT_FOUND error.
    expect(fetched.status).toBe(200);
    expect(errorCode(fetched)).toBe('NOT_FOUND');
    expect(fetched.errors?.[0]?.message).toBe(`No thread found with id '${thread.id}'.`);
    expect(errorCode(await t.graphql(LIST_MESSAGES, { threadId: thread.id }))).toBe('NOT_FOUND');
    expect(await t.deps.db.message.count({ where: { threadId: thread.id } })).toBe(0);
  });
});

describe('messages over GraphQL', () => {
  it('adds, reads, updates and deletes a message', async () => {
    const thread = await createThread({});
    const created = dataOf(
      await t.graphql<{ createMessage: Message }>(
        `mutation ($threadId: ID!, $input: CreateMessageInput!) {
          createMessage(threadId: $threadId, input: $input) { ${MESSAGE_FIELDS} }
        }`,
        {
          threadId: thread.id,
          input: { role: 'user', content: [text('Hello'), text('again')], metadata: { k: 'v' } },
        },
      ),
    ).createMessage;
    expect(created).toMatchObject({
      threadId: thread.id,
      role: 'user',
      metadata: { k: 'v' },
      content: [{ text: { value: 'Hello' } }, { text: { value: 'again' } }],
    });

    const fetched = dataOf(
      await t.graphql<{ message: Message }>(GET_MESSAGE, { threadId: thread.id, id: created.id }),
    ).message;
    expect(fetched).toEqual(created);

    const updated = dataOf(
      await t.graphql<{ updateMessage: Message }>(
        `mutation ($threadId: ID!, $id: ID!, $input: UpdateMessageInput!) {
          updateMessage(threadId: $threadId, id: $id, input: $input) { ${MESSAGE_FIELDS} }
        }`,
        { threadId: thread.id, id: created.id, input: { metadata: { k: 'w', extra: 'x' } } },
      ),
    ).updateMessage;
    expect(updated).toEqual({ ...created, metadata: { k: 'w', extra: 'x' } });

    const deleted = await t.graphql<{ deleteMessage: { id: string; deleted: boolean } }>(
      'mutation ($threadId: ID!, $id: ID!) { deleteMessage(threadId: $threadId, id: $id) { id deleted } }',
      { threadId: thread.id, id: created.id },
    );
    expect(dataOf(deleted).deleteMessage).toEqual({ id: created.id, deleted: true });
    const gone = await t.graphql(GET_MESSAGE, { threadId: thread.id, id: created.id });
    expect(gone.status).toBe(200);
    expect(errorCode(gone)).toBe('NOT_FOUND');
    expect((await listMessages({ threadId: thread.id })).nodes).toEqual([]);
  });

  it('does not find a message through another thread of the same project', async () => {
    const a = await createThread({ messages: [{ role: 'user', content: [text('in a')] }] });
    const b = await createThread({});
    const [message] = (await listMessages({ threadId: a.id })).nodes;
    const response = await t.graphql(GET_MESSAGE, { threadId: b.id, id: message?.id });
    expect(errorCode(response)).toBe('NOT_FOUND');
  });

  it('pages messages and filters them by the run that wrote them', async () => {
    const thread = await createThread({
      messages: [
        { role: 'user', content: [text('one')] },
        { role: 'user', content: [text('two')] },
      ],
    });
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
    const run = dataOf(
      await t.graphql<{ createRun: { id: string; status: string } }>(
        `mutation ($threadId: ID!, $input: CreateRunInput!) {
          createRun(threadId: $threadId, input: $input) { id status }
        }`,
        { threadId: thread.id, input: { assistantId: assistant.id } },
      ),
    ).createRun;
    expect(run.status).toBe('queued');
    // What the run's executor writes when it answers (no worker runs in this file).
    const answerId = newId('message');
    await t.deps.db.message.create({
      data: {
        id: answerId,
        projectId: (await t.deps.db.thread.findUniqueOrThrow({ where: { id: thread.id } }))
          .projectId,
        threadId: thread.id,
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'text', text: { value: 'three', annotations: [] } }],
        assistantId: assistant.id,
        runId: run.id,
      },
    });

    const byRun = await listMessages({ threadId: thread.id, runId: run.id });
    expect(byRun.nodes.map((m) => [m.id, m.runId, m.role])).toEqual([
      [answerId, run.id, 'assistant'],
    ]);
    expect(byRun.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: answerId,
      endCursor: answerId,
    });

    const all = await listMessages({ threadId: thread.id, order: 'asc' });
    expect(all.nodes.map((m) => m.content[0]?.text?.value)).toEqual(['one', 'two', 'three']);

    const firstPage = await listMessages({ threadId: thread.id, order: 'asc', first: 2 });
    expect(firstPage.pageInfo.hasNextPage).toBe(true);
    expect(firstPage.nodes.map((m) => m.content[0]?.text?.value)).toEqual(['one', 'two']);
    const secondPage = await listMessages({
      threadId: thread.id,
      order: 'asc',
      first: 2,
      after: firstPage.pageInfo.endCursor,
    });
    expect(secondPage.pageInfo.hasNextPage).toBe(false);
    expect(secondPage.nodes.map((m) => m.id)).toEqual([answerId]);

    const unknownRun = await listMessages({ threadId: thread.id, runId: 'run_unknown' });
    expect(unknownRun.nodes).toEqual([]);
  });
});

describe('tenancy over GraphQL', () => {
  it('hides one project’s threads, messages and assistants from another project’s key', async () => {
    const thread = await createThread({
      messages: [{ role: 'user', content: [text('private')] }],
    });
    const [message] = (await listMessages({ threadId: thread.id })).nodes;
    if (!message) {
      throw new Error('expected a message');
    }
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o', name: 'mine' });
    const other = await t.createOtherProject();
    const as = { apiKey: other.apiKey };

    const reads: [string, Record<string, unknown>][] = [
      [GET_THREAD, { id: thread.id }],
      [GET_MESSAGE, { threadId: thread.id, id: message.id }],
      [LIST_MESSAGES, { threadId: thread.id }],
      ['query ($id: ID!) { assistant(id: $id) { id } }', { id: assistant.id }],
    ];
    for (const [query, variables] of reads) {
      const response = await t.graphql(query, variables, as);
      // 200 when a nullable lookup leaves data; 404 when the error nulls the whole result.
      expect(response.status, query).toBe(response.data ? 200 : 404);
      // Lookups are nullable (the field is null), lists are not (data is null): nothing shows.
      expect(Object.values(response.data ?? {}), query).toEqual(response.data ? [null] : []);
      expect(errorCode(response), query).toBe('NOT_FOUND');
    }

    const writes: [string, Record<string, unknown>][] = [
      [
        'mutation ($id: ID!) { updateThread(id: $id, input: { metadata: { x: "y" } }) { id } }',
        { id: thread.id },
      ],
      [
        'mutation ($t: ID!, $id: ID!) { updateMessage(threadId: $t, id: $id, input: { metadata: { x: "y" } }) { id } }',
        { t: thread.id, id: message.id },
      ],
      [
        'mutation ($t: ID!, $id: ID!) { deleteMessage(threadId: $t, id: $id) { id } }',
        { t: thread.id, id: message.id },
      ],
      ['mutation ($id: ID!) { deleteThread(id: $id) { id } }', { id: thread.id }],
      [
        'mutation ($id: ID!) { updateAssistant(id: $id, input: { name: "theirs" }) { id } }',
        { id: assistant.id },
      ],
      ['mutation ($id: ID!) { deleteAssistant(id: $id) { id } }', { id: assistant.id }],
      [
        'mutation ($t: ID!) { createMessage(threadId: $t, input: { role: user, content: [{ type: text, text: "x" }] }) { id } }',
        { t: thread.id },
      ],
    ];
    for (const [query, variables] of writes) {
      expect(errorCode(await t.graphql(query, variables, as)), query).toBe('NOT_FOUND');
    }

    const listed = await t.graphql<{ threads: { nodes: unknown[] } }>(LIST_THREADS, {}, as);
    expect(dataOf(listed).threads.nodes).toEqual([]);
    const assistants = await t.graphql<{ assistants: { nodes: unknown[] } }>(
      '{ assistants { nodes { id } } }',
      {},
      as,
    );
    expect(dataOf(assistants).assistants.nodes).toEqual([]);

    // The owner still sees everything unchanged.
    const mine = dataOf(
      await t.graphql<{ message: Message }>(GET_MESSAGE, {
        threadId: thread.id,
        id: message.id,
      }),
    ).message;
    expect(mine).toEqual(message);
    expect((await t.openai.beta.assistants.retrieve(assistant.id)).name).toBe('mine');
  });
});
