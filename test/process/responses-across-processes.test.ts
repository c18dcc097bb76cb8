import OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/db/database-url.js';
import { type FakeUpstream, startFakeUpstream } from '../setup/fake-upstream.js';
import { expectResponsesSpec } from '../setup/openapi.js';
import {
  phase,
  processDatabase,
  type Running,
  runProcess,
  waitForLog,
} from '../setup/processes.js';

const database = processDatabase();
const apiKey = 'sk-responses-process-admin-0123456789';
let upstream: FakeUpstream;
let server: Running;
let client: OpenAI;
let admin: OpenAI;
const started: Running[] = [];
const workers = new Map<number, Running>();

/**
 * Workers with the default heartbeat and a stale window far longer than the test: only the
 * lease lock PostgreSQL frees when a worker dies can make its response continue in time.
 */
function workerEnv(): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    LLM_BASE_URL: upstream.url,
    LLM_MAX_RETRIES: '0',
    RUN_STALE_AFTER_MS: '600000',
    RUN_TAKEOVER_CHECK_MS: '500',
    WORKER_CONCURRENCY: '2',
  };
}

async function startWorker(): Promise<Running> {
  const worker = runProcess('main.ts', ['--role=worker'], workerEnv());
  started.push(worker);
  await waitForLog(worker, (line) => line.msg === 'worker started');
  workers.set(worker.child.pid ?? 0, worker);
  return worker;
}

/** The pid of the worker holding the response's lease lock (its connection is named after it). */
async function ownerPid(responseId: string): Promise<number | null> {
  const url = new URL(database.url);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  try {
    const { rows } = await db.query<{ application: string }>(
      `SELECT a.application_name AS application
         FROM ${quoteIdent(schema)}.responses r, pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE r.id = $1 AND l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
          AND l.classid = (('x' || substr(md5(r.lease_id), 1, 7))::bit(28)::int)::oid
          AND l.objid = (('x' || substr(md5(r.lease_id), 8, 7))::bit(28)::int)::oid`,
      [responseId],
    );
    const pid = /pid=(\d+)/.exec(rows[0]?.application ?? '')?.[1];
    return pid ? Number(pid) : null;
  } finally {
    await db.end();
  }
}

async function until<T>(what: string, probe: () => Promise<T | null> | T | null): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== null) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} did not happen`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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
  const baseURL = `http://127.0.0.1:${String(listening.port)}/v1`;
  client = new OpenAI({ apiKey, baseURL, maxRetries: 0 });
  admin = new OpenAI({ adminAPIKey: apiKey, baseURL, maxRetries: 0 });
  await Promise.all([startWorker(), startWorker()]);
}, 90_000);

afterAll(async () => {
  for (const running of started) {
    running.child.kill('SIGKILL');
  }
  await Promise.all(started.map((running) => running.exit));
  await upstream.close();
  await database.drop();
});

describe('responses across a server process and two worker processes', () => {
  it('survive the worker killed mid-stream: the other finishes once, the stream goes on gap-free and resumes exactly', {
    timeout: 120_000,
  }, async () => {
    const startTime = Math.floor(Date.now() / 1000) - 60;
    const model = 'takeover-model';
    // The first answer dribbles for seconds; the one the other worker gets is short.
    upstream.script(
      {
        text: Array.from({ length: 60 }, (_, index) => (index === 0 ? 'Once upon ' : 'and on ')),
        delayMsBetweenChunks: 100,
        usage: { prompt_tokens: 50, completion_tokens: 60 },
      },
      {
        text: ['The ', 'whole ', 'story.'],
        delayMsBetweenChunks: 30,
        usage: { prompt_tokens: 11, completion_tokens: 3 },
      },
    );
    const before = upstream.requests.length;
    const stream = client.responses.stream({
      model,
      input: 'tell me a story',
      background: true,
    });
    const events: ResponseStreamEvent[] = [];
    let text = '';
    const consumed = (async () => {
      for await (const event of stream) {
        events.push(event);
        if (event.type === 'response.output_text.delta') {
          text += event.delta;
        }
      }
    })();
    const processes = { server, ...Object.fromEntries([...workers].map(([p, w]) => [p, w])) };

    // The partial answer is on the client; kill -9 the worker that writes it.
    await phase(
      'partial text streamed',
      20_000,
      until('the partial text', () => (text.startsWith('Once upon and on') ? true : null)),
      processes,
    );
    const responseId = events[0]?.type === 'response.created' ? events[0].response.id : '';
    const pid = await until('the lease lock', () => ownerPid(responseId));
    const victim = workers.get(pid);
    if (!victim) {
      throw new Error(`the response's owner (pid ${String(pid)}) is not one of the workers`);
    }
    victim.child.kill('SIGKILL');
    workers.delete(pid);
    await victim.exit;
    const seenBeforeKill = events.at(-1)?.sequence_number ?? 0;
    expect(await upstream.requests[before]?.aborted).toBe(true);

    const final = await phase('the other worker finishes', 30_000, stream.finalResponse(), {
      server,
      ...Object.fromEntries([...workers].map(([p, w]) => [p, w])),
    });
    await consumed;
    expect(final.status).toBe('completed');
    expect(final.output_text).toBe('The whole story.');
    expect(final.output).toHaveLength(1);
    expect(upstream.requests.length - before).toBe(2);
    const [survivor] = workers.values();
    expect(survivor?.stdout.join('')).toContain('taking over a response whose worker is gone');

    // One log: numbered from 0 without a gap, one start, one end; the takeover announces the
    // response in progress again with an empty output, and the new answer streams after it.
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    for (const event of events) {
      expectResponsesSpec('ResponseStreamEvent', event);
    }
    const types = events.map((event) => event.type);
    expect(types.filter((type) => type === 'response.created')).toHaveLength(1);
    expect(types.filter((type) => type === 'response.completed')).toHaveLength(1);
    expect(types.at(-1)).toBe('response.completed');
    const restart = types.lastIndexOf('response.in_progress');
    expect(restart).toBeGreaterThan(seenBeforeKill);
    const restarted = events[restart];
    expect(restarted?.type === 'response.in_progress' && restarted.response.output).toEqual([]);
    const after = events
      .slice(restart)
      .flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []));
    expect(after.join('')).toBe('The whole story.');

    // A client that had seen up to the kill resumes with exactly the rest.
    const rest: ResponseStreamEvent[] = [];
    for await (const event of await client.responses.retrieve(responseId, {
      stream: true,
      starting_after: seenBeforeKill,
    })) {
      rest.push(event);
    }
    expect(rest).toEqual(events.slice(seenBeforeKill + 1));

    const stored = await client.responses.retrieve(responseId);
    expect(stored).toMatchObject({ status: 'completed', output_text: 'The whole story.' });
    expect(stored.usage).toMatchObject({ input_tokens: 11, output_tokens: 3 });
    // Metered once: the killed call never reported its tokens, the finished one did.
    const usage = await admin.admin.organization.usage.completions({
      start_time: startTime,
      models: [model],
    });
    expect(usage.data[0]?.results).toEqual([
      expect.objectContaining({ input_tokens: 11, output_tokens: 3, num_model_requests: 1 }),
    ]);
  });
});
