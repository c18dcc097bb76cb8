import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { createReadiness } from '../../src/observability/readiness.js';
import { startTestApp, type TestApp, useTestApp } from '../setup/app.js';
import { startFakeUpstream } from '../setup/fake-upstream.js';

/** A logger whose lines are kept, parsed. */
function capturingLogger(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        }
      }
      done();
    },
  });
  return { logger: createLogger(level, destination), lines };
}

describe('/healthz and /readyz', () => {
  let t: TestApp;
  useTestApp({ worker: false }, (started) => {
    t = started;
  });

  it('answers /healthz without asking anything, and /readyz once every part started', async () => {
    expect(await (await fetch(`${t.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { shutdown: 'ok', server: 'ok', database: 'ok' },
    });

    // A process that runs both parts is not ready before its worker started.
    const readiness = createReadiness(['server', 'worker']);
    const app = buildApp(t.deps, { readiness });
    const port = await app.start(0, '127.0.0.1');
    try {
      const starting = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(starting.status).toBe(503);
      expect(await starting.json()).toMatchObject({ checks: { server: 'ok', worker: 'starting' } });
      readiness.markStarted('worker');
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

      readiness.startDraining();
      const draining = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(draining.status).toBe(503);
      expect(await draining.json()).toMatchObject({ checks: { shutdown: 'draining' } });
      // Alive all the same: nothing should restart a process that is finishing its work.
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await app.stop(100);
    }
  });

  it('is not ready when the database lacks this build’s last migration', async () => {
    await t.deps.db.$executeRawUnsafe(
      `UPDATE "_prisma_migrations" SET rolled_back_at = now()
        WHERE migration_name = (SELECT max(migration_name) FROM "_prisma_migrations")`,
    );
    try {
      const response = await fetch(`${t.baseUrl}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        checks: { database: expect.stringMatching(/^migration \d+_\w+ not applied$/) },
      });
    } finally {
      await t.deps.db.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET rolled_back_at = NULL`);
    }
  });
});

describe('logs', () => {
  it('redact keys, upstream credentials and Authorization headers wherever they are', () => {
    const { logger, lines } = capturingLogger();
    logger.info(
      {
        authorization: 'Bearer sk-caller-secret',
        req: { headers: { authorization: 'Bearer sk-in-headers', host: 'example' } },
        err: { headers: { Authorization: 'Bearer sk-upstream-secret' }, status: 401 },
        upstream: { baseURL: 'http://gpu-box/v1', apiKey: 'sk-route-secret' },
        env: { LLM_API_KEY: 'sk-env-secret', METRICS_TOKEN: 'metrics-secret', PORT: 3000 },
        apiKey: 'sk-top-secret',
      },
      'something happened',
    );
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/secret|sk-in-headers/);
    expect(lines[0]).toMatchObject({
      authorization: '[redacted]',
      req: { headers: { authorization: '[redacted]', host: 'example' } },
      err: { headers: { Authorization: '[redacted]' }, status: 401 },
      upstream: { baseURL: 'http://gpu-box/v1', apiKey: '[redacted]' },
      env: { LLM_API_KEY: '[redacted]', METRICS_TOKEN: '[redacted]', PORT: 3000 },
      apiKey: '[redacted]',
    });
  });

  it("carry the run's runId and threadId on every line of a run", async () => {
    const upstream = await startFakeUpstream();
    const { logger, lines } = capturingLogger('debug');
    const t = await startTestApp(
      { LLM_BASE_URL: upstream.url, LLM_MAX_RETRIES: '0', LOG_LEVEL: 'debug' },
      { logger },
    );
    try {
      const assistant = await t.openai.beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'file_search' }],
      });
      upstream.script(
        { toolCalls: [{ name: 'file_search', arguments: '{"query":"x"}' }] },
        { status: 400, error: { message: 'bad prompt' } },
      );
      const run = await t.openai.beta.threads.createAndRunPoll({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content: 'look it up' }] },
      });
      expect(run.status).toBe('failed');
      const ofRun = lines.filter((line) => line.runId === run.id);
      expect(ofRun.map((line) => line.msg)).toEqual(
        expect.arrayContaining(['running server-side tool call', 'run failed upstream']),
      );
      for (const line of ofRun) {
        expect(line.threadId).toBe(run.thread_id);
      }
    } finally {
      await t.close();
      await upstream.close();
    }
  });
});
