import { createClient } from 'graphql-ws';
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { quoteIdent } from '../../src/db/database-url.js';
import { type FakeUpstream, startFakeUpstream } from '../setup/fake-upstream.js';
import {
  phase,
  processDatabase,
  type Running,
  runProcess,
  waitForLog,
} from '../setup/processes.js';

const database = processDatabase();
const apiKey = 'sk-process-test-key-0123456789';
let upstream: FakeUpstream;
let server: Running;
let client: OpenAI;
let serverPort: number;
const started: Running[] = [];

/** The sequence number of the run's first `thread.message.created` in its event log. */
async function firstMessageCreatedSeq(runId: string): Promise<number> {
  const url = new URL(database.url);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ seq: number }>(
      `SELECT seq FROM ${quoteIdent(schema)}.run_events
        WHERE run_id = $1 AND event = 'thread.message.created' ORDER BY seq LIMIT 1`,
      [runId],
    );
    return rows[0]?.seq ?? 0;
  } finally {
    await admin.end();
  }
}

/** A run's `runEvents` after `afterSeq` over graphql-ws, to its end: each event's name and id. */
async function replay(threadId: string, runId: string, afterSeq: number) {
  const ws = createClient({
    url: `ws://127.0.0.1:${String(serverPort)}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${apiKey}` },
    retryAttempts: 0,
  });
  const events: { seq: number; event: string; id: string | null }[] = [];
  try {
    for await (const result of ws.iterate<{
      runEvents: { seq: number; event: string; message: { id: string } | null };
    }>({
      query: `subscription ($threadId: ID!, $runId: ID!, $afterSeq: Int) {
        runEvents(threadId: $threadId, runId: $runId, afterSeq: $afterSeq) {
          seq event message { id } } }`,
      variables: { threadId, runId, afterSeq },
    })) {
      const item = result.data?.runEvents;
      if (item) {
        events.push({ seq: item.seq, event: item.event, id: item.message?.id ?? null });
      }
    }
  } finally {
    await ws.dispose();
  }
  return events;
}

/** Worker settings that make a dead worker's run noticed within about a second. */
function workerEnv(): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    LLM_BASE_URL: upstream.url,
    LLM_MAX_RETRIES: '0',
    RUN_HEARTBEAT_MS: '100',
    RUN_STALE_AFTER_MS: '800',
    RUN_SWEEP_INTERVAL_MS: '100',
    WORKER_CONCURRENCY: '2',
  };
}

async function startWorker(): Promise<Running> {
  const worker = runProcess('main.ts', ['--role=worker'], workerEnv());
  started.push(worker);
  await waitForLog(worker, (line) => line.msg === 'worker started');
  return worker;
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
  server = runProcess('main.ts', ['--role=server'], {
    DATABASE_URL: database.url,
    API_KEYS: apiKey,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  started.push(server);
  const listening = await waitForLog(server, (line) => line.msg === 'server listening');
  serverPort = Number(listening.port);
  client = new OpenAI({
    apiKey,
    baseURL: `http://127.0.0.1:${String(listening.port)}/v1`,
    maxRetries: 0,
  });
});

afterAll(async () => {
  for (const running of started) {
    running.child.kill('SIGKILL');
  }
  await Promise.all(started.map((running) => running.exit));
  await upstream.close();
  await database.drop();
});

describe('runs across a server process and worker processes', () => {
  // Each phase has its own deadline below the test's, so a hang on a loaded machine names the
  // phase and shows the processes' last log lines.
  it('are executed by a worker in another process', { timeout: 90_000 }, async () => {
    const worker = await phase('worker start', 25_000, startWorker(), { server });
    const processes = { server, worker };
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
    upstream.script({ text: 'From the worker.' });
    const run = await phase(
      'run to completion',
      25_000,
      client.beta.threads.createAndRunPoll(
        { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'hi' }] } },
        { pollIntervalMs: 20 },
      ),
      processes,
    );
    expect(run.status).toBe('completed');
    const [answer] = (await client.beta.threads.messages.list(run.thread_id)).data;
    expect(answer?.content[0]).toMatchObject({ text: { value: 'From the worker.' } });
    worker.child.kill('SIGTERM');
    expect(await phase('worker exit on SIGTERM', 25_000, worker.exit, processes)).toBe(0);
  });

  it('survive a worker killed mid-generation: another worker finishes them, with no duplicate message', {
    timeout: 90_000,
  }, async () => {
    const doomed = await startWorker();
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'tell me a story' }],
    });
    upstream.script({ text: ['Once upon ', 'a time'], hang: true });
    const before = upstream.requests.length;
    const run = await client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    const hung = await upstream.waitForRequest(before + 1);

    // The partial text is written as it streams; wait until it is visible, then kill -9.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const partial = (await client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
      const text = partial[0]?.content[0];
      if (text?.type === 'text' && text.text.value.startsWith('Once upon')) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error('the partial message never appeared');
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    doomed.child.kill('SIGKILL');
    await doomed.exit;
    expect(await hung.aborted).toBe(true);
    const orphaned = await client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
    expect(orphaned.status).toBe('in_progress');

    upstream.script({ text: 'The whole story.' });
    await startWorker();
    const finished = await client.beta.threads.runs.poll(
      run.id,
      { thread_id: thread.id },
      { pollIntervalMs: 50 },
    );
    expect(finished.status).toBe('completed');

    const answers = (await client.beta.threads.messages.list(thread.id, { run_id: run.id })).data;
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({
      status: 'completed',
      content: [{ type: 'text', text: { value: 'The whole story.' } }],
    });
    const steps = (await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id }))
      .data;
    expect(steps.map((step) => [step.type, step.status])).toEqual([
      ['message_creation', 'completed'],
    ]);
    expect(upstream.requests.length - before).toBe(2);

    // A replay from the start shows what the API shows: not the dropped message and step, not
    // even as incomplete or failed.
    const full = await replay(thread.id, run.id, 0);
    const names = full.map((item) => item.event);
    expect(names.filter((name) => name === 'thread.message.created')).toHaveLength(1);
    expect(names.filter((name) => name === 'thread.run.step.created')).toHaveLength(1);
    expect(names).not.toContain('thread.message.incomplete');
    expect(names).not.toContain('thread.run.step.failed');
    expect(new Set(full.flatMap((item) => (item.id ? [item.id] : [])))).toEqual(
      new Set([answers[0]?.id]),
    );
    expect(names.at(-1)).toBe('thread.run.completed');
    // Yet the log keeps them, and a client that saw the dropped message
    // created, resuming after that, is told it ended: incomplete, its step failed.
    const partialCreatedAt = await firstMessageCreatedSeq(run.id);
    const resumed = (await replay(thread.id, run.id, partialCreatedAt)).map((item) => item.event);
    expect(resumed).toContain('thread.message.incomplete');
    expect(resumed).toContain('thread.run.step.failed');
    expect(resumed.filter((name) => name === 'thread.message.created')).toHaveLength(1);
  });
});
