import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../setup/app.js';
import { type FakeUpstream, startFakeUpstream } from '../setup/fake-upstream.js';
import { type Running, runProcess, waitForLog } from '../setup/processes.js';

let t: TestApp;
let upstream: FakeUpstream;
let worker: Running;

interface EventItem {
  runId: string;
  seq: number;
  event: string;
  messageDelta: { content: { text: { value: string | null } | null }[] } | null;
  message: { content: { text: { value: string } | null }[] } | null;
  run: { status: string } | null;
}

const EVENT_FIELDS = `runId seq event
  messageDelta { content { text { value } } }
  message { content { text { value } } }
  run { status }`;
const RUN_EVENTS = `subscription ($threadId: ID!, $runId: ID!, $afterSeq: Int) {
  runEvents(threadId: $threadId, runId: $runId, afterSeq: $afterSeq) { ${EVENT_FIELDS} } }`;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  // The worker runs in its own process: events reach this server only through PostgreSQL.
  t = await startTestApp({ LLM_BASE_URL: upstream.url }, { worker: false });
  worker = runProcess('main.ts', ['--role=worker'], {
    DATABASE_URL: t.databaseUrl,
    LLM_BASE_URL: upstream.url,
    LLM_MAX_RETRIES: '0',
    WORKER_CONCURRENCY: '2',
  });
  await waitForLog(worker, (line) => line.msg === 'worker started');
});

afterAll(async () => {
  worker.child.kill('SIGTERM');
  await worker.exit;
  await t.close();
  await upstream.close();
});

async function startRun(text: string[], delayMsBetweenChunks = 0) {
  const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
  const thread = await t.openai.beta.threads.create({
    messages: [{ role: 'user', content: 'go' }],
  });
  upstream.script({ text, delayMsBetweenChunks });
  const run = await t.openai.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
  return { thread, run };
}

/** A GraphQL subscription over SSE (yoga), read until the server completes it. */
async function* sse<T>(query: string, variables: Record<string, unknown>): AsyncGenerator<T> {
  const response = await fetch(`${t.baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${t.apiKey}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body?.getReader();
  if (!reader) {
    throw new Error('no response body');
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event === 'complete') {
        return;
      }
      if (event === 'next' && data) {
        const payload = JSON.parse(data) as { data?: T; errors?: unknown[] };
        if (payload.errors) {
          throw new Error(JSON.stringify(payload.errors));
        }
        if (payload.data) {
          yield payload.data;
        }
      }
    }
  }
}

function wsClient() {
  return createClient({
    url: `ws://127.0.0.1:${t.port}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${t.apiKey}` },
    retryAttempts: 0,
  });
}

/** Collects a graphql-ws subscription until it completes, or `stopAfter` items. */
async function collectWs(
  client: ReturnType<typeof createClient>,
  variables: Record<string, unknown>,
  stopAfter = Number.POSITIVE_INFINITY,
): Promise<EventItem[]> {
  const items: EventItem[] = [];
  const iterator = client.iterate<{ runEvents: EventItem }>({ query: RUN_EVENTS, variables });
  for await (const result of iterator) {
    if (result.errors) {
      throw new Error(JSON.stringify(result.errors));
    }
    if (result.data) {
      items.push(result.data.runEvents);
    }
    if (items.length >= stopAfter) {
      await iterator.return?.();
      break;
    }
  }
  return items;
}

function textOf(items: EventItem[]): string {
  return items
    .flatMap((item) => item.messageDelta?.content ?? [])
    .map((part) => part.text?.value ?? '')
    .join('');
}

describe('GraphQL subscriptions to live runs, with the worker in another process', () => {
  it('follow a run to completion over SSE, deltas adding up to the message', async () => {
    const { thread, run } = await startRun(['Good ', 'morning', ', all.']);
    const items: EventItem[] = [];
    for await (const data of sse<{ runEvents: EventItem }>(RUN_EVENTS, {
      threadId: thread.id,
      runId: run.id,
    })) {
      items.push(data.runEvents);
    }
    expect(items.map((item) => item.seq)).toEqual(items.map((_, index) => index + 1));
    expect(items.at(-1)).toMatchObject({
      event: 'thread.run.completed',
      run: { status: 'completed' },
    });
    const completed = items.find((item) => item.event === 'thread.message.completed');
    expect(textOf(items)).toBe('Good morning, all.');
    expect(completed?.message?.content[0]?.text?.value).toBe('Good morning, all.');
  });

  it('follow a run to completion over graphql-ws', async () => {
    const { thread, run } = await startRun(['over ', 'the ', 'socket']);
    const client = wsClient();
    try {
      const items = await collectWs(client, { threadId: thread.id, runId: run.id });
      expect(items[0]?.event).toBe('thread.run.created');
      expect(items.at(-1)?.event).toBe('thread.run.completed');
      expect(textOf(items)).toBe('over the socket');
    } finally {
      await client.dispose();
    }
  });

  it('resume after a disconnect with exactly the events missed, none twice', async () => {
    const { thread, run } = await startRun(['a', 'b', 'c', 'd', 'e', 'f'], 40);
    const first = wsClient();
    const early = await collectWs(first, { threadId: thread.id, runId: run.id }, 4).finally(() =>
      first.dispose(),
    );
    const lastSeen = early.at(-1)?.seq ?? 0;
    expect(early).toHaveLength(4);

    const second = wsClient();
    const rest = await collectWs(second, {
      threadId: thread.id,
      runId: run.id,
      afterSeq: lastSeen,
    }).finally(() => second.dispose());

    const full: EventItem[] = [];
    for await (const data of sse<{ runEvents: EventItem }>(RUN_EVENTS, {
      threadId: thread.id,
      runId: run.id,
    })) {
      full.push(data.runEvents);
    }
    const joined = [...early, ...rest];
    expect(joined.map((item) => [item.seq, item.event])).toEqual(
      full.map((item) => [item.seq, item.event]),
    );
    expect(textOf(joined)).toBe('abcdef');
  });

  it('follow every run on a thread', async () => {
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
    const thread = await t.openai.beta.threads.create({
      messages: [{ role: 'user', content: 'x' }],
    });
    const query = `subscription ($threadId: ID!) { threadEvents(threadId: $threadId) { ${EVENT_FIELDS} } }`;
    const client = wsClient();
    const received: EventItem[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe<{ threadEvents: EventItem }>(
        { query, variables: { threadId: thread.id } },
        {
          next: (result) => {
            if (result.data) {
              received.push(result.data.threadEvents);
              if (received.filter((item) => item.event === 'thread.run.completed').length === 2) {
                resolve();
              }
            }
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    try {
      // Subscribed before the runs exist: wait until the server has the subscription.
      await new Promise<void>((resolve) => client.on('connected', () => resolve()));
      for (const text of ['first', 'second']) {
        upstream.script({ text });
        await t.openai.beta.threads.runs.createAndPoll(
          thread.id,
          { assistant_id: assistant.id },
          { pollIntervalMs: 20 },
        );
      }
      await done;
      const runs = [...new Set(received.map((item) => item.runId))];
      expect(runs).toHaveLength(2);
      expect(textOf(received)).toBe('firstsecond');
    } finally {
      await client.dispose();
    }
  });

  it('keep a run going when a REST stream client goes away', async () => {
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
    const thread = await t.openai.beta.threads.create({
      messages: [{ role: 'user', content: 'x' }],
    });
    upstream.script({ text: ['one ', 'two ', 'three ', 'four'], delayMsBetweenChunks: 50 });
    const stream = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    const ended = stream.done().catch((error: unknown) => error);
    await new Promise<void>((resolve) => stream.on('textDelta', () => resolve()));
    stream.abort();
    expect(await ended).toMatchObject({ message: 'Request was aborted.' });
    const runs = await t.openai.beta.threads.runs.list(thread.id);
    const run = await t.openai.beta.threads.runs.poll(
      runs.data[0]?.id ?? '',
      { thread_id: thread.id },
      { pollIntervalMs: 20 },
    );
    expect(run.status).toBe('completed');
    const [message] = (await t.openai.beta.threads.messages.list(thread.id, { run_id: run.id }))
      .data;
    expect(message?.content[0]).toMatchObject({ text: { value: 'one two three four' } });
  });
});
