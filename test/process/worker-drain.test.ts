import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../setup/fake-upstream.js';
import {
  phase,
  processDatabase,
  type Running,
  runProcess,
  waitForLog,
} from '../setup/processes.js';

const database = processDatabase();
const apiKey = 'sk-drain-test-key-0123456789abc';
const RUNS = 4;
const PIECES = ['Alpha ', 'beta ', 'gamma ', 'delta ', 'epsilon ', 'zeta ', 'eta ', 'theta.'];
let upstream: FakeUpstream;
let server: Running;
let client: OpenAI;
const started: Running[] = [];

async function startWorker(): Promise<Running> {
  const worker = runProcess('main.ts', ['--role=worker'], {
    DATABASE_URL: database.url,
    LLM_BASE_URL: upstream.url,
    LLM_MAX_RETRIES: '0',
    WORKER_CONCURRENCY: '4',
    // Shorter than a run (8 pieces 400 ms apart), so some runs must be handed back.
    SHUTDOWN_TIMEOUT_MS: '1500',
  });
  started.push(worker);
  await waitForLog(worker, (line) => line.msg === 'worker started', 60_000);
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
  const listening = await waitForLog(server, (line) => line.msg === 'server listening', 60_000);
  client = new OpenAI({
    apiKey,
    baseURL: `http://127.0.0.1:${String(listening.port)}/v1`,
    maxRetries: 0,
  });
}, 90_000);

afterAll(async () => {
  for (const running of started) {
    running.child.kill('SIGKILL');
  }
  await Promise.all(started.map((running) => running.exit));
  await upstream.close();
  await database.drop();
});

function logged(running: Running, message: string): number {
  return running.stdout
    .join('')
    .split('\n')
    .filter((line) => line.includes(`"msg":"${message}"`)).length;
}

describe('a rolling restart of two workers under streaming runs', () => {
  it('finishes or hands back every run on SIGTERM: nothing killed, nothing lost, no duplicate', {
    timeout: 240_000,
  }, async () => {
    const first = await startWorker();
    const second = await startWorker();
    const processes = { server, first, second };
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
    for (let index = 0; index < 4 * RUNS; index += 1) {
      upstream.script({ text: PIECES, delayMsBetweenChunks: 400 });
    }
    const streams = Array.from({ length: RUNS }, (_, index) =>
      client.beta.threads.createAndRunStream({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content: `tale ${String(index)}` }] },
      }),
    );
    const finals = Promise.all(streams.map((stream) => stream.finalRun()));
    await phase('every run streaming', 30_000, upstream.waitForRequest(RUNS, 30_000), processes);

    first.child.kill('SIGTERM');
    expect(await phase('first worker drains and exits', 30_000, first.exit, processes)).toBe(0);
    const third = await phase('replacement starts', 60_000, startWorker(), processes);
    second.child.kill('SIGTERM');
    expect(await phase('second worker drains and exits', 30_000, second.exit, processes)).toBe(0);
    await phase('replacement starts', 60_000, startWorker(), { server, third });

    const runs = await phase('every stream ends', 90_000, finals, processes);
    expect(runs.map((run) => run.status)).toEqual(streams.map(() => 'completed'));
    // The drain window was too short for runs started at once, so they were handed back.
    expect(logged(first, 'handing back runs not finished in time')).toBe(1);
    expect(logged(first, 'handed the run back for another worker')).toBeGreaterThan(0);
    for (const run of runs) {
      const messages = (await client.beta.threads.messages.list(run.thread_id)).data;
      expect(messages.map((message) => message.role)).toEqual(['assistant', 'user']);
      expect(messages[0]).toMatchObject({
        status: 'completed',
        run_id: run.id,
        content: [{ type: 'text', text: { value: PIECES.join('') } }],
      });
      const steps = (
        await client.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id })
      ).data;
      expect(steps.map((step) => [step.type, step.status])).toEqual([
        ['message_creation', 'completed'],
      ]);
    }
  });
});
