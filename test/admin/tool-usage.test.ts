import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { createTenant, type Tenant } from '../setup/admin-app.js';
import { apiError } from '../setup/api-error.js';
import { type AppWithUpstream, useAppWithUpstream } from '../setup/app-with-upstream.js';
import { expectAdminSpec } from '../setup/openapi.js';

/**
 * Groups come back in the database's collation order (bytewise on one machine, by locale on
 * another): compare them in one order of our own, by code unit.
 */
function byProjectId(x: { project_id?: string | null }, y: { project_id?: string | null }): number {
  return (x.project_id ?? '') < (y.project_id ?? '') ? -1 : 1;
}

const workDir = await mkdtemp(path.join(tmpdir(), 'tool-usage-sessions-'));
afterAll(() => rm(workDir, { recursive: true, force: true }));

let app: AppWithUpstream;
let admin: OpenAI;
useAppWithUpstream(
  { env: { EMBEDDING_MODEL: 'fake-embed', SANDBOX_WORK_DIR: workDir, SANDBOX_TIMEOUT_MS: '5000' } },
  (started) => {
    app = started;
    admin = new OpenAI({
      adminAPIKey: started.t.apiKey,
      baseURL: `${started.t.baseUrl}/v1`,
      maxRetries: 0,
    });
  },
);

const tenant = (name: string): Promise<Tenant> => createTenant(app, admin, name);

/** A usage page over REST, its body checked against the spec. */
async function usage(kind: 'vector_stores' | 'code_interpreter_sessions', query: string) {
  const response = await app.t.rest(`/organization/usage/${kind}?${query}`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as {
    data: { start_time: number; end_time: number; results: Record<string, unknown>[] }[];
    has_more: boolean;
    next_page: string | null;
  };
  expectAdminSpec('UsageResponse', body);
  return body;
}

async function storeWithFile(who: Tenant, text: string) {
  const store = await who.client.vectorStores.create({ name: 'docs' });
  const file = await who.client.vectorStores.files.uploadAndPoll(
    store.id,
    await toFile(Buffer.from(text), 'doc.txt'),
    { pollIntervalMs: 20 },
  );
  expect(file.status).toBe('completed');
  return { store: await who.client.vectorStores.retrieve(store.id), fileId: file.id };
}

describe('usage of vector stores', () => {
  it('is the bytes each project stores at the end of a bucket, and follows deletions', async () => {
    const startTime = Math.floor(Date.now() / 1000) - 120;
    const a = await tenant('storage A');
    const b = await tenant('storage B');
    const first = await storeWithFile(a, 'Routers reset with the pin.\n\nSwitches do not.');
    const second = await storeWithFile(a, 'A second store.');
    const other = await storeWithFile(b, 'Project B keeps a file too, a longer one than A.');
    const bytesA = first.store.usage_bytes + second.store.usage_bytes;
    expect(first.store.usage_bytes).toBeGreaterThan(0);

    const both = `project_ids=${a.projectId}&project_ids=${b.projectId}`;
    const grouped = await usage(
      'vector_stores',
      `start_time=${startTime}&bucket_width=1m&group_by=project_id&${both}`,
    );
    // Buckets before the uploads list nothing; the one running now lists what is stored.
    expect(grouped.data).toHaveLength(3);
    expect(grouped.data[0]?.results).toEqual([]);
    expect([...(grouped.data.at(-1)?.results ?? [])].sort(byProjectId)).toEqual(
      [
        {
          object: 'organization.usage.vector_stores.result',
          usage_bytes: bytesA,
          project_id: a.projectId,
        },
        {
          object: 'organization.usage.vector_stores.result',
          usage_bytes: other.store.usage_bytes,
          project_id: b.projectId,
        },
      ].sort(byProjectId),
    );
    const total = await usage('vector_stores', `start_time=${startTime}&bucket_width=1m&${both}`);
    expect(total.data.at(-1)?.results).toEqual([
      {
        object: 'organization.usage.vector_stores.result',
        usage_bytes: bytesA + other.store.usage_bytes,
        project_id: null,
      },
    ]);

    // A detached file and a deleted store (its files go by cascade) no longer count.
    await a.client.vectorStores.files.delete(first.fileId, { vector_store_id: first.store.id });
    await a.client.vectorStores.delete(second.store.id);
    const after = await usage(
      'vector_stores',
      `start_time=${startTime}&bucket_width=1m&group_by=project_id&project_ids=${a.projectId}`,
    );
    expect(after.data.at(-1)?.results).toEqual([]);
  });

  it('answers the same over GraphQL, and refuses bad input in OpenAI’s envelope', async () => {
    const startTime = Math.floor(Date.now() / 1000) - 60;
    const a = await tenant('storage GraphQL');
    const { store } = await storeWithFile(a, 'Some text to index.');
    const result = await app.t.graphql<{
      vectorStoreUsage: { buckets: { results: { projectId: string; usageBytes: number }[] }[] };
    }>(
      `query ($startTime: Int!, $projectIds: [String!]) {
        vectorStoreUsage(startTime: $startTime, bucketWidth: "1h", groupBy: [project_id], projectIds: $projectIds) {
          buckets { results { projectId usageBytes } }
        }
      }`,
      { startTime, projectIds: [a.projectId] },
    );
    expect(result.data?.vectorStoreUsage.buckets).toEqual([
      { results: [{ projectId: a.projectId, usageBytes: store.usage_bytes }] },
    ]);

    const badGroup = await app.t.rest(
      `/organization/usage/vector_stores?start_time=${startTime}&group_by=model`,
    );
    expect(badGroup.status).toBe(400);
    const badLimit = await app.t.rest(
      `/organization/usage/code_interpreter_sessions?start_time=${startTime}&limit=32`,
    );
    expect(badLimit.status).toBe(400);
    expect(await badLimit.json()).toEqual({
      error: {
        message: "Invalid 'limit': at most 31 buckets of 1d.",
        type: 'invalid_request_error',
        param: 'limit',
        code: null,
      },
    });
    const missing = await app.t.rest('/organization/usage/vector_stores');
    expect(missing.status).toBe(400);
    const asProject = new OpenAI({
      adminAPIKey: a.client.apiKey,
      baseURL: `${app.t.baseUrl}/v1`,
      maxRetries: 0,
    });
    const refused = await apiError(
      asProject.admin.organization.usage.vectorStores({ start_time: startTime }),
    );
    expect(refused.status).toBe(403);
  });
});

const RUN_CODE = (code: string) => ({
  toolCalls: [{ name: 'code_interpreter', arguments: JSON.stringify({ code }) }],
});

describe('usage of code interpreter sessions', () => {
  it('counts one session per run that ran code, per project', async () => {
    const startTime = Math.floor(Date.now() / 1000) - 60;
    const a = await tenant('sessions A');
    const b = await tenant('sessions B');
    async function runCode(who: Tenant, calls: number) {
      const assistant = await who.client.beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'code_interpreter' }],
      });
      app.upstream.script(
        ...Array.from({ length: calls }, (_, index) => RUN_CODE(`print(${index})`)),
        { text: 'Done.' },
      );
      const run = await who.client.beta.threads.createAndRunPoll(
        { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Go' }] } },
        { pollIntervalMs: 20 },
      );
      expect(run.status).toBe('completed');
    }
    // Two calls in one run share its session; a run without code starts none.
    await runCode(a, 2);
    await runCode(a, 1);
    await runCode(b, 1);
    await runCode(b, 0);

    const grouped = await admin.admin.organization.usage.codeInterpreterSessions({
      start_time: startTime,
      group_by: ['project_id'],
      project_ids: [a.projectId, b.projectId],
    });
    expectAdminSpec('UsageResponse', grouped);
    expect(grouped.data).toHaveLength(1);
    expect([...(grouped.data[0]?.results ?? [])].sort(byProjectId)).toEqual(
      [
        {
          object: 'organization.usage.code_interpreter_sessions.result',
          num_sessions: 2,
          project_id: a.projectId,
        },
        {
          object: 'organization.usage.code_interpreter_sessions.result',
          num_sessions: 1,
          project_id: b.projectId,
        },
      ].sort(byProjectId),
    );
    const graphql = await app.t.graphql<{
      codeInterpreterSessionUsage: { buckets: { results: { numSessions: number }[] }[] };
    }>(
      `query ($startTime: Int!, $projectIds: [String!]) {
        codeInterpreterSessionUsage(startTime: $startTime, projectIds: $projectIds) {
          buckets { results { projectId numSessions } }
        }
      }`,
      { startTime, projectIds: [a.projectId, b.projectId] },
    );
    expect(graphql.data?.codeInterpreterSessionUsage.buckets[0]?.results).toEqual([
      { projectId: null, numSessions: 3 },
    ]);
  });
});
