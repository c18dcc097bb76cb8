import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { type FakeUpstream, startFakeUpstream } from '../setup/fake-upstream.js';
import { phase, type Running, runProcess, waitForLog } from '../setup/processes.js';

// A PostgreSQL cluster of this test's own (never the machine's service), restarted under the
// server and two workers while runs stream.
const apiKey = 'sk-restart-test-key-0123456789';
const RUNS = 6;
const PIECES = ['One ', 'two ', 'three ', 'four ', 'five ', 'six ', 'seven ', 'eight.'];
let dataDir: string;
let database: EmbeddedDatabase;
let port: number;
let upstream: FakeUpstream;
let server: Running;
let baseUrl: string;
let client: OpenAI;
const started: Running[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'assistants-restart-'));
  database = await startEmbeddedPostgres(dataDir);
  port = Number(new URL(database.url).port);
  upstream = await startFakeUpstream();
  server = runProcess('main.ts', ['--role=server'], {
    DATABASE_URL: database.url,
    API_KEYS: apiKey,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  started.push(server);
  const listening = await waitForLog(server, (line) => line.msg === 'server listening');
  baseUrl = `http://127.0.0.1:${String(listening.port)}`;
  client = new OpenAI({ apiKey, baseURL: `${baseUrl}/v1`, maxRetries: 0 });
}, 120_000);

afterAll(async () => {
  for (const running of started) {
    running.child.kill('SIGKILL');
  }
  await Promise.all(started.map((running) => running.exit));
  await upstream?.close();
  await database?.stop().catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
});

async function graphql(query: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

/** Terminal run events per run, straight from the event log. */
async function terminalEvents(runIds: string[]): Promise<Map<string, string[]>> {
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ run_id: string; event: string }>(
      `SELECT run_id, event FROM run_events
        WHERE run_id = ANY($1) AND event IN ('thread.run.completed', 'thread.run.incomplete',
          'thread.run.failed', 'thread.run.cancelled', 'thread.run.expired')
        ORDER BY seq`,
      [runIds],
    );
    const byRun = new Map<string, string[]>(runIds.map((id) => [id, []]));
    for (const row of rows) {
      byRun.get(row.run_id)?.push(row.event);
    }
    return byRun;
  } finally {
    await admin.end();
  }
}

describe('a PostgreSQL restart under the server and workers', () => {
  it('loses nothing committed, ends every run exactly once, and answers 503 while down', {
    timeout: 240_000,
  }, async () => {
    const workerEnv = {
      DATABASE_URL: database.url,
      LLM_BASE_URL: upstream.url,
      LLM_MAX_RETRIES: '0',
      WORKER_CONCURRENCY: '4',
    };
    const workers = [0, 1].map(() => {
      const worker = runProcess('main.ts', ['--role=worker'], workerEnv);
      started.push(worker);
      return worker;
    });
    const processes = { server, worker0: workers[0] as Running, worker1: workers[1] as Running };
    await phase(
      'workers start',
      60_000,
      Promise.all(
        workers.map((worker) => waitForLog(worker, (line) => line.msg === 'worker started')),
      ),
      processes,
    );

    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      metadata: { written: 'before the restart' },
    });
    // Slow streams, so every run is mid-generation when the database goes; enough replies
    // for each run to be generated again after it.
    for (let index = 0; index < 4 * RUNS; index += 1) {
      upstream.script({ text: PIECES, delayMsBetweenChunks: 400 });
    }
    const runs = await Promise.all(
      Array.from({ length: RUNS }, (_, index) =>
        client.beta.threads.createAndRun({
          assistant_id: assistant.id,
          thread: { messages: [{ role: 'user', content: `story ${String(index)}` }] },
        }),
      ),
    );
    await phase('every run streaming', 30_000, upstream.waitForRequest(RUNS, 30_000), processes);

    await database.stop();
    // While it is down: REST says 503 in OpenAI's envelope, GraphQL says SERVICE_UNAVAILABLE.
    const refused = await client.beta.assistants.list().then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    const apiError = refused as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(503);
    expect(apiError.error).toMatchObject({ type: 'server_error', param: null, code: null });
    const down = await graphql('{ assistants { nodes { id } } }');
    expect(down.status).not.toBe(500);
    expect(down.body).toMatchObject({
      errors: [{ extensions: { code: 'SERVICE_UNAVAILABLE' } }],
    });
    const downMessage = (down.body as { errors: { message: string }[] }).errors[0]?.message;
    expect(downMessage).toMatch(/database cannot be reached/);
    // Past the API key cache too (5 s): authentication itself cannot reach the database.
    await new Promise((resolve) => setTimeout(resolve, 5500));
    const unauthenticatable = await fetch(`${baseUrl}/v1/assistants`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(unauthenticatable.status).toBe(503);
    expect(await unauthenticatable.json()).toMatchObject({ error: { type: 'server_error' } });

    database = await startEmbeddedPostgres(dataDir, undefined, { port });

    const finished = await phase(
      'every run ends after the restart',
      120_000,
      Promise.all(
        runs.map((run) =>
          client.beta.threads.runs.poll(
            run.id,
            { thread_id: run.thread_id },
            { pollIntervalMs: 200 },
          ),
        ),
      ),
      processes,
    );
    expect(finished.map((run) => run.status)).toEqual(runs.map(() => 'completed'));
    // Every process lived through it.
    for (const running of [server, ...workers]) {
      expect(running.child.exitCode).toBeNull();
    }
    const ends = await terminalEvents(runs.map((run) => run.id));
    expect([...ends.values()]).toEqual(runs.map(() => ['thread.run.completed']));
    for (const run of runs) {
      const messages = (await client.beta.threads.messages.list(run.thread_id)).data;
      expect(messages.map((message) => message.role)).toEqual(['assistant', 'user']);
      expect(messages[0]?.status).toBe('completed');
      expect(messages[0]?.content).toEqual([
        { type: 'text', text: { value: PIECES.join(''), annotations: [] } },
      ]);
    }
    expect((await client.beta.assistants.retrieve(assistant.id)).metadata).toEqual({
      written: 'before the restart',
    });
  });
});
