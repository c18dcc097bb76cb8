import { beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/app.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { assistantAndThread, scriptedRun, uploadFile, weatherTool } from '../setup/factories.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';
import { dataOf, firstError } from '../setup/graphql-response.js';

let t: TestApp;
let upstream: FakeUpstream;
useAppWithUpstream({}, (started) => {
  t = started.t;
  upstream = started.upstream;
});

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
}

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

/** A thread of 15 user messages answered by 5 runs: 20 messages, 5 runs, one step each. */
async function busyThread() {
  const { assistant, thread } = await assistantAndThread(t, {
    messages: Array.from({ length: 15 }, (_, index) => `question ${String(index)}`),
  });
  const runs = [];
  for (let index = 0; index < 5; index += 1) {
    runs.push(
      await scriptedRun(
        t,
        upstream,
        { threadId: thread.id, assistantId: assistant.id },
        { text: `answer ${String(index)}` },
      ),
    );
  }
  return { assistant, thread, runs };
}

describe('the graph: relations and connections', () => {
  let busy: Awaited<ReturnType<typeof busyThread>>;
  beforeAll(async () => {
    busy = await busyThread();
  });

  it('answers a thread with its messages, runs, steps and assistants in one query', async () => {
    interface Result {
      thread: {
        id: string;
        activeRun: { id: string } | null;
        messages: Connection<{
          id: string;
          role: string;
          thread: { id: string };
          run: { id: string; status: string; assistant: { id: string } | null } | null;
          assistant: { id: string } | null;
        }>;
        runs: Connection<{
          id: string;
          thread: { id: string };
          assistant: { id: string; model: string } | null;
          steps: Connection<{
            id: string;
            type: string;
            run: { id: string };
            message: { id: string } | null;
          }>;
          messages: Connection<{ id: string; role: string }>;
        }>;
      };
    }
    const data = dataOf(
      await t.graphql<Result>(
        `query ($id: ID!) {
          thread(id: $id) {
            id
            activeRun { id }
            messages(first: 2) {
              edges { cursor node { id } }
              nodes { id role thread { id } run { id status assistant { id } } assistant { id } }
              ${PAGE_INFO}
            }
            runs(first: 5) {
              nodes {
                id thread { id } assistant { id model }
                steps { nodes { id type run { id } message { id } } }
                messages { nodes { id role } }
              }
              ${PAGE_INFO}
            }
          }
        }`,
        { id: busy.thread.id },
      ),
    );
    const rest = (await t.openai.beta.threads.messages.list(busy.thread.id, { limit: 100 })).data;
    expect(rest).toHaveLength(20);
    const { messages, runs } = data.thread;
    expect(messages.edges.map((edge) => edge.cursor)).toEqual(rest.slice(0, 2).map((m) => m.id));
    expect(messages.edges.map((edge) => edge.node.id)).toEqual(messages.nodes.map((m) => m.id));
    expect(messages.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: rest[0]?.id,
      endCursor: rest[1]?.id,
    });
    const [newest] = messages.nodes;
    const lastRun = busy.runs.at(-1);
    expect(newest).toEqual({
      id: rest[0]?.id,
      role: 'assistant',
      thread: { id: busy.thread.id },
      run: { id: lastRun?.id, status: 'completed', assistant: { id: busy.assistant.id } },
      assistant: { id: busy.assistant.id },
    });
    expect(messages.nodes[1]?.role).toBe('assistant');
    expect(data.thread.activeRun).toBeNull();

    expect(runs.nodes.map((run) => run.id)).toEqual(busy.runs.map((run) => run.id).reverse());
    expect(runs.pageInfo.hasNextPage).toBe(false);
    for (const run of runs.nodes) {
      expect(run.thread).toEqual({ id: busy.thread.id });
      expect(run.assistant).toEqual({ id: busy.assistant.id, model: 'gpt-4o' });
      const restSteps = (
        await t.openai.beta.threads.runs.steps.list(run.id, { thread_id: busy.thread.id })
      ).data;
      const [written] = run.messages.nodes;
      expect(run.messages.nodes).toHaveLength(1);
      expect(written?.role).toBe('assistant');
      expect(run.steps.nodes).toEqual(
        restSteps.map((step) => ({
          id: step.id,
          type: 'message_creation',
          run: { id: run.id },
          message: { id: written?.id },
        })),
      );
    }
  });

  it('pages forward and backward through a connection, in both orders', async () => {
    const rest = (await t.openai.beta.threads.messages.list(busy.thread.id, { limit: 100 })).data;
    const all = rest.map((message) => message.id);
    type Page = { thread: { messages: Connection<{ id: string }> } };
    const page = async (args: string, variables: Record<string, unknown> = {}) =>
      dataOf(
        await t.graphql<Page>(
          `query ($id: ID!, $after: String, $before: String) {
            thread(id: $id) {
              messages(${args}, after: $after, before: $before) { nodes { id } ${PAGE_INFO} }
            } }`,
          { id: busy.thread.id, ...variables },
        ),
      ).thread.messages;

    const forward: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const next = await page('first: 6', { after });
      forward.push(...next.nodes.map((node) => node.id));
      pages += 1;
      expect(next.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!next.pageInfo.hasNextPage) {
        break;
      }
      after = next.pageInfo.endCursor;
    }
    expect(pages).toBe(4);
    expect(forward).toEqual(all);

    const backward: string[][] = [];
    let before: string | null = null;
    for (;;) {
      const previous = await page('last: 6', { before });
      backward.unshift(previous.nodes.map((node) => node.id));
      expect(previous.pageInfo.hasNextPage).toBe(before !== null);
      if (!previous.pageInfo.hasPreviousPage) {
        break;
      }
      before = previous.pageInfo.startCursor;
    }
    expect(backward.map((ids) => ids.length)).toEqual([2, 6, 6, 6]);
    expect(backward.flat()).toEqual(all);

    const ascending = await page('first: 3, order: asc');
    expect(ascending.nodes.map((node) => node.id)).toEqual([...all].reverse().slice(0, 3));
    const window = await page('first: 100', {
      after: all[2],
      before: all[6],
    });
    expect(window.nodes.map((node) => node.id)).toEqual(all.slice(3, 6));
    // A cursor's item lies beyond its side of the page, whichever way the page walks.
    expect(window.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const headBefore = await page('first: 2', { before: all[5] });
    expect(headBefore.nodes.map((node) => node.id)).toEqual(all.slice(0, 2));
    expect(headBefore.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const tailAfter = await page('last: 2', { after: all[1] });
    expect(tailAfter.nodes.map((node) => node.id)).toEqual(all.slice(-2));
    expect(tailAfter.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('refuses a bad window with the argument named', async () => {
    const query = (args: string) =>
      t.graphql(`query ($id: ID!) { thread(id: $id) { messages(${args}) { nodes { id } } } }`, {
        id: busy.thread.id,
      });
    for (const [args, param] of [
      ['first: 0', 'first'],
      ['first: 101', 'first'],
      ['last: 101', 'last'],
      ['first: 1, last: 1', 'last'],
      ['after: "msg_nope"', 'after'],
    ] as const) {
      const error = firstError(await query(args));
      expect(error.extensions, args).toMatchObject({ code: 'INVALID_REQUEST', param });
    }
  });

  it('lists runs across the project by status, and threads by metadata and creation time', async () => {
    const { assistant, thread } = await assistantAndThread(t, { tools: [weatherTool] });
    upstream.script({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const waiting = await t.openai.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id },
      { pollIntervalMs: 50 },
    );
    expect(waiting.status).toBe('requires_action');
    type Runs = { runs: Connection<{ id: string; status: string; thread: { id: string } }> };
    const pending = dataOf(
      await t.graphql<Runs>(
        '{ runs(status: [requires_action, in_progress], first: 100) { nodes { id status thread { id } } } }',
      ),
    ).runs.nodes;
    expect(pending).toEqual([
      { id: waiting.id, status: 'requires_action', thread: { id: thread.id } },
    ]);
    const completed = dataOf(
      await t.graphql<Runs>('{ runs(status: [completed], first: 100) { nodes { id status } } }'),
    ).runs.nodes;
    expect(completed.map((run) => run.id)).toEqual(
      expect.arrayContaining(busy.runs.map((r) => r.id)),
    );
    expect(completed.every((run) => run.status === 'completed')).toBe(true);
    const activeRun = dataOf(
      await t.graphql<{ thread: { activeRun: { id: string } | null } }>(
        'query ($id: ID!) { thread(id: $id) { activeRun { id } } }',
        { id: thread.id },
      ),
    ).thread.activeRun;
    expect(activeRun).toEqual({ id: waiting.id });

    const tagged = await t.openai.beta.threads.create({ metadata: { customer: 'acme-graph' } });
    await t.openai.beta.threads.create({ metadata: { customer: 'other' } });
    type Threads = { threads: Connection<{ id: string }> };
    const byMetadata = dataOf(
      await t.graphql<Threads>(
        '{ threads(filter: { metadata: { key: "customer", value: "acme-graph" } }) { nodes { id } } }',
      ),
    ).threads.nodes;
    expect(byMetadata).toEqual([{ id: tagged.id }]);
    const createdAt = tagged.created_at;
    const inRange = async (from: number | null, to: number | null) =>
      dataOf(
        await t.graphql<Threads>(
          'query ($from: UnixTime, $to: UnixTime) { threads(first: 100, filter: { createdAfter: $from, createdBefore: $to }) { nodes { id } } }',
          { from, to },
        ),
      ).threads.nodes.map((node) => node.id);
    expect(await inRange(createdAt, createdAt + 1)).toContain(tagged.id);
    expect(await inRange(null, createdAt)).not.toContain(tagged.id);
    expect(await inRange(createdAt + 1, null)).not.toContain(tagged.id);
    const none = dataOf(
      await t.graphql<Threads>(
        'query ($to: UnixTime) { threads(filter: { createdBefore: $to }) { nodes { id } } }',
        { to: 0 },
      ),
    ).threads.nodes;
    expect(none).toEqual([]);
  });

  it('resolves node and nodes for every type with an OpenAI id, raw and project-scoped', async () => {
    const file = await uploadFile(t, 'notes.txt', 'graph notes');
    const store = await t.openai.vectorStores.create({ name: 'graph' });
    const batch = await t.openai.vectorStores.fileBatches.create(store.id, { file_ids: [file.id] });
    const upload = await t.openai.uploads.create({
      bytes: 3,
      filename: 'a.txt',
      mime_type: 'text/plain',
      purpose: 'assistants',
    });
    const [run] = busy.runs;
    const step = (
      await t.openai.beta.threads.runs.steps.list(run?.id ?? '', { thread_id: busy.thread.id })
    ).data[0];
    const message = (await t.openai.beta.threads.messages.list(busy.thread.id)).data[0];
    const expected: [string, string | undefined][] = [
      ['Assistant', busy.assistant.id],
      ['Thread', busy.thread.id],
      ['Message', message?.id],
      ['Run', run?.id],
      ['RunStep', step?.id],
      ['File', file.id],
      ['VectorStore', store.id],
      ['VectorStoreFileBatch', batch.id],
      ['UploadSession', upload.id],
    ];
    for (const [typename, id] of expected) {
      const { node } = dataOf(
        await t.graphql<{ node: { __typename: string; id: string } | null }>(
          'query ($id: ID!) { node(id: $id) { __typename id } }',
          { id },
        ),
      );
      expect(node, typename).toEqual({ __typename: typename, id });
    }
    const ids = [...expected.map(([, id]) => id), 'thread_nope', 'no-prefix'];
    const { nodes } = dataOf(
      await t.graphql<{ nodes: ({ __typename: string; id: string } | null)[] }>(
        'query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }',
        { ids },
      ),
    );
    expect(nodes).toEqual([
      ...expected.map(([__typename, id]) => ({ __typename, id })),
      null,
      null,
    ]);
    const withFields = dataOf(
      await t.graphql<{
        node: { name: string; files: { nodes: { id: string; file: { filename: string } }[] } };
      }>(
        'query ($id: ID!) { node(id: $id) { ... on VectorStore { name files { nodes { id file { filename } } } } } }',
        { id: store.id },
      ),
    ).node;
    expect(withFields).toEqual({
      name: 'graph',
      files: { nodes: [{ id: file.id, file: { filename: 'notes.txt' } }] },
    });

    const other = await t.createOtherProject();
    const foreign = dataOf(
      await t.graphql<{ nodes: unknown[] }>(
        'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }',
        { ids: expected.map(([, id]) => id) },
        { apiKey: other.apiKey },
      ),
    ).nodes;
    expect(foreign).toEqual(expected.map(() => null));
  });
});
