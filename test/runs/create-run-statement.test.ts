import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.js';
import { executeRunJob } from '../../src/jobs/execute-run.js';
import { useAdminApp } from '../setup/admin-app.js';
import { apiError } from '../setup/api-error.js';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { inOneRateWindow, rateLimitHeaders } from '../setup/rate-window.js';

// A run created without additional messages is one statement (lock, active-run check, request
// count, run, events, job, NOTIFYs): what it writes, and what it leaves alone when refused.

let app: AppWithUpstream;
let admin: OpenAI;
useAdminApp((started, adminClient) => {
  app = started;
  admin = adminClient;
});

async function tenant() {
  const { projectId, apiKey } = await app.t.createOtherProject();
  return { projectId, client: app.t.client(apiKey) };
}

function bossSchema(): Prisma.Sql {
  return Prisma.raw(`"${app.t.deps.database.schema}_boss"`);
}

async function runsOn(threadId: string): Promise<number> {
  return app.t.deps.db.run.count({ where: { threadId } });
}

async function windowRequests(projectId: string, model: string): Promise<number[]> {
  const rows = await app.t.deps.db.$queryRaw<{ requests: number }[]>`
    SELECT requests FROM rate_limit_windows WHERE project_id = ${projectId} AND model = ${model}`;
  return rows.map((row) => row.requests);
}

describe('creating a run in one statement', () => {
  it('lets exactly one of concurrent creates on a thread win; the others get the conflict', async () => {
    const { client } = await tenant();
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
    // A message to answer: with none the model call fails at once and the winner ends early.
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'Hello' }],
    });
    // The upstream holds its answer: the winner stays active.
    app.upstream.script({ text: 'held', hang: true });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id }),
      ),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const winner = won[0]?.status === 'fulfilled' ? won[0].value : null;
    for (const result of results) {
      if (result.status === 'rejected') {
        const error = await apiError(Promise.reject(result.reason));
        expect(error.status).toBe(400);
        expect(error.message).toBe(
          `400 Thread ${thread.id} already has an active run ${winner?.id}.`,
        );
      }
    }
    expect(await runsOn(thread.id)).toBe(1);
    const jobs = await app.t.deps.db.$queryRaw<{ singleton_key: string }[]>`
      SELECT singleton_key FROM ${bossSchema()}.job
       WHERE name = ${executeRunJob.name} AND singleton_key = ${winner?.id ?? ''}`;
    expect(jobs).toHaveLength(1);
    await client.beta.threads.runs.cancel(winner?.id ?? '', { thread_id: thread.id });
  });

  it('writes and counts nothing when the request limit is reached, or the thread is unknown', async () => {
    const { projectId, client } = await tenant();
    await admin.admin.organization.projects.rateLimits.updateRateLimit('rl-counted', {
      project_id: projectId,
      max_requests_per_1_minute: 1,
    });
    const assistant = await client.beta.assistants.create({ model: 'counted' });
    const first = await client.beta.threads.create();
    const second = await client.beta.threads.create();
    await inOneRateWindow();

    const unknown = await apiError(
      client.beta.threads.runs.create('thread_unknown', { assistant_id: assistant.id }),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.message).toBe("404 No thread found with id 'thread_unknown'.");
    expect(rateLimitHeaders(unknown.headers)).toEqual({});
    expect(await windowRequests(projectId, 'counted')).toEqual([]);

    app.upstream.script({ text: 'ok' });
    const { response } = await client.beta.threads.runs
      .create(first.id, { assistant_id: assistant.id })
      .withResponse();
    expect(rateLimitHeaders(response.headers)).toMatchObject({
      'x-ratelimit-limit-requests': '1',
      'x-ratelimit-remaining-requests': '0',
    });

    const refused = await apiError(
      client.beta.threads.runs.create(second.id, { assistant_id: assistant.id }),
    );
    expect(refused.status).toBe(429);
    expect(refused.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(rateLimitHeaders(refused.headers)).toMatchObject({
      'x-ratelimit-limit-requests': '1',
      'x-ratelimit-remaining-requests': '0',
    });
    expect(Number(rateLimitHeaders(refused.headers)['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await runsOn(second.id)).toBe(0);
    const events = await app.t.deps.db.runEvent.count({ where: { threadId: second.id } });
    expect(events).toBe(0);
    expect(await windowRequests(projectId, 'counted')).toEqual([1]);
  });

  it('writes the job row pg-boss’s send writes for the same queue and options', async () => {
    const { client } = await tenant();
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
    const thread = await client.beta.threads.create();
    app.upstream.script({ text: 'ok' });
    const run = await client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    const probe = `run_probe_${Date.now()}`;
    await app.t.deps.jobs.send(
      app.t.deps.db,
      executeRunJob,
      { runId: probe },
      {
        singletonKey: probe,
      },
    );
    const columns = Prisma.sql`name, priority, singleton_on, dead_letter, expire_in::text,
      (keep_until - created_on)::text AS kept_for, retry_limit, retry_delay, retry_backoff, policy,
      data ? 'runId' AS has_run_id`;
    const [statement] = await app.t.deps.db.$queryRaw<Record<string, unknown>[]>`
      SELECT ${columns} FROM ${bossSchema()}.job WHERE singleton_key = ${run.id}`;
    const [sent] = await app.t.deps.db.$queryRaw<Record<string, unknown>[]>`
      SELECT ${columns} FROM ${bossSchema()}.job WHERE singleton_key = ${probe}`;
    expect(statement).toBeDefined();
    expect(statement).toEqual(sent);
    expect(statement).toMatchObject({ retry_limit: 3, retry_delay: 1, retry_backoff: true });
  });
});
