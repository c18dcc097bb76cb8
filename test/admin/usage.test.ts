import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createTenant, type Tenant, useAdminApp } from '../setup/admin-app.js';
import { apiError } from '../setup/api-error.js';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { weatherTool } from '../setup/factories.js';
import { expectAdminSpec } from '../setup/openapi.js';

let app: AppWithUpstream;
let admin: OpenAI;
useAdminApp((started, adminClient) => {
  app = started;
  admin = adminClient;
});

const tenant = (name: string): Promise<Tenant> => createTenant(app, admin, name);

/** A completed run on `model`; with `tool`, it pauses once for a tool output (two model calls). */
async function run(
  who: Tenant,
  model: string,
  usage: { prompt_tokens: number; completion_tokens: number }[],
) {
  const tool = usage.length > 1;
  const assistant = await who.client.beta.assistants.create({
    model,
    tools: tool ? [weatherTool] : [],
  });
  const thread = await who.client.beta.threads.create({
    messages: [{ role: 'user', content: 'Weather?' }],
  });
  if (tool) {
    app.upstream.script(
      {
        toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{}' }],
        usage: usage[0] ?? null,
      },
      { text: 'Sunny', usage: usage[1] ?? null },
    );
  } else {
    app.upstream.script({ text: 'Hi', usage: usage[0] ?? null });
  }
  let result = await who.client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
  });
  if (result.status === 'requires_action') {
    result = await who.client.beta.threads.runs.submitToolOutputsAndPoll(result.id, {
      thread_id: thread.id,
      tool_outputs: [{ tool_call_id: 'call_1', output: 'sunny' }],
    });
  }
  expect(result.status).toBe('completed');
  return result;
}

describe('usage of completions', () => {
  it('equals the runs’ usage, in buckets grouped by project, key and model', async () => {
    const startTime = Math.floor(Date.now() / 1000) - 60;
    const a = await tenant('usage A');
    const b = await tenant('usage B');
    const runs = [
      {
        who: a,
        model: 'model-x',
        run: await run(a, 'model-x', [{ prompt_tokens: 10, completion_tokens: 3 }]),
      },
      {
        who: a,
        model: 'model-y',
        run: await run(a, 'model-y', [
          { prompt_tokens: 20, completion_tokens: 4 },
          { prompt_tokens: 30, completion_tokens: 5 },
        ]),
      },
      {
        who: b,
        model: 'model-x',
        run: await run(b, 'model-x', [{ prompt_tokens: 7, completion_tokens: 2 }]),
      },
    ];

    const page = await admin.admin.organization.usage.completions({
      start_time: startTime,
      bucket_width: '1d',
      group_by: ['project_id', 'api_key_id', 'model'],
      project_ids: [a.projectId, b.projectId],
    });
    expectAdminSpec('UsageResponse', page);
    expect(page.data).toHaveLength(1);
    const results = page.data[0]?.results ?? [];
    const expected = runs.map(({ who, model, run: r }) => ({
      object: 'organization.usage.completions.result',
      project_id: who.projectId,
      api_key_id: who.keyId,
      model,
      input_tokens: r.usage?.prompt_tokens,
      output_tokens: r.usage?.completion_tokens,
      input_cached_tokens: 0,
      num_model_requests: model === 'model-y' ? 2 : 1,
    }));
    expect(results).toHaveLength(3);
    expect(results).toEqual(expect.arrayContaining(expected));

    const byProject = await admin.admin.organization.usage.completions({
      start_time: startTime,
      group_by: ['project_id'],
      project_ids: [a.projectId, b.projectId],
    });
    expect(byProject.data[0]?.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          project_id: a.projectId,
          input_tokens: 60,
          output_tokens: 12,
          model: null,
        }),
        expect.objectContaining({ project_id: b.projectId, input_tokens: 7, output_tokens: 2 }),
      ]),
    );

    const onlyX = await admin.admin.organization.usage.completions({
      start_time: startTime,
      models: ['model-x'],
      project_ids: [a.projectId, b.projectId],
    });
    expect(onlyX.data[0]?.results).toEqual([
      expect.objectContaining({ input_tokens: 17, output_tokens: 5, num_model_requests: 2 }),
    ]);

    const graphql = await app.t.graphql<{
      usage: { buckets: { results: { apiKeyId: string; inputTokens: number }[] }[] };
    }>(
      `query ($start: Int!, $keys: [String!]) {
        usage(kind: completions, startTime: $start, groupBy: [api_key_id], apiKeyIds: $keys) {
          buckets { results { apiKeyId inputTokens } }
        }
      }`,
      { start: startTime, keys: [b.keyId] },
    );
    expect(graphql.data?.usage.buckets[0]?.results).toEqual([
      { apiKeyId: b.keyId, inputTokens: 7 },
    ]);
  });

  it('lists every bucket of a page, empty ones too, and pages on with next_page', async () => {
    const now = Math.floor(Date.now() / 1000);
    const startTime = now - 5 * 60;
    const first = await admin.admin.organization.usage.completions({
      start_time: startTime,
      end_time: now,
      bucket_width: '1m',
      limit: 3,
    });
    expectAdminSpec('UsageResponse', first);
    expect(first.data.map((bucket) => bucket.start_time)).toEqual([
      startTime,
      startTime + 60,
      startTime + 120,
    ]);
    expect(first.has_more).toBe(true);
    const second = await admin.admin.organization.usage.completions({
      start_time: startTime,
      end_time: now,
      bucket_width: '1m',
      limit: 3,
      page: first.next_page ?? '',
    });
    expect(second.data.map((bucket) => bucket.start_time)).toEqual([
      startTime + 180,
      startTime + 240,
    ]);
    expect(second).toMatchObject({ has_more: false, next_page: null });
  });

  it('meters the cached prompt tokens the upstream reports as input_cached_tokens', async () => {
    const startTime = Math.floor(Date.now() / 1000) - 60;
    const who = await tenant('usage cached');
    const assistant = await who.client.beta.assistants.create({ model: 'cached-model' });
    app.upstream.script({
      text: 'Hi',
      usage: {
        prompt_tokens: 12,
        completion_tokens: 2,
        prompt_tokens_details: { cached_tokens: 8 },
      },
    });
    const run = await who.client.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hi' }] } },
      { pollIntervalMs: 20 },
    );
    expect(run.status).toBe('completed');
    expect(run.usage).toEqual({ prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 });
    const page = await admin.admin.organization.usage.completions({
      start_time: startTime,
      project_ids: [who.projectId],
    });
    expectAdminSpec('UsageResponse', page);
    expect(page.data[0]?.results).toMatchObject([
      { input_tokens: 12, input_cached_tokens: 8, output_tokens: 2, num_model_requests: 1 },
    ]);
  });

  it('answers embeddings in their own shape', async () => {
    const page = await admin.admin.organization.usage.embeddings({
      start_time: Math.floor(Date.now() / 1000) - 60,
    });
    expectAdminSpec('UsageResponse', page);
    expect(page.data).toHaveLength(1);
  });

  it('refuses project keys (403), a bad bucket_width and too many buckets (400)', async () => {
    const a = await tenant('usage refused');
    const asProject = new OpenAI({
      adminAPIKey:
        (await admin.admin.organization.projects.serviceAccounts.create(a.projectId, { name: 'x' }))
          .api_key?.value ?? '',
      baseURL: `${app.t.baseUrl}/v1`,
      maxRetries: 0,
    });
    expect(
      (await apiError(asProject.admin.organization.usage.completions({ start_time: 0 }))).status,
    ).toBe(403);
    const badWidth = await apiError(
      admin.admin.organization.usage.completions({
        start_time: 0,
        bucket_width: '2h' as '1h',
      }),
    );
    expect(badWidth.status).toBe(400);
    expect(badWidth.param).toBe('bucket_width');
    const tooMany = await apiError(
      admin.admin.organization.usage.completions({ start_time: 0, bucket_width: '1d', limit: 32 }),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.param).toBe('limit');
    const noStart = await app.t.rest('/organization/usage/completions', { beta: false });
    expect(noStart.status).toBe(400);
  });
});
