import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useAdminApp } from '../setup/admin-app.js';
import { apiError } from '../setup/api-error.js';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { expectAdminSpec } from '../setup/openapi.js';
import { inOneRateWindow, rateLimitHeaders } from '../setup/rate-window.js';

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

const HELLO = { messages: [{ role: 'user' as const, content: 'hi' }] };
const RESET = /^\d+(\.\d+)?s$/;

describe('rate limits', () => {
  it('are listed and updated as OpenAI’s project rate limits, `rl-*` being the default', async () => {
    const { projectId } = await tenant();
    const limits = admin.admin.organization.projects.rateLimits;
    expect((await limits.listRateLimits(projectId)).data).toEqual([]);
    const updated = await limits.updateRateLimit('rl-gpt-4o', {
      project_id: projectId,
      max_requests_per_1_minute: 60,
    });
    expectAdminSpec('ProjectRateLimit', updated);
    expect(updated).toEqual({
      object: 'project.rate_limit',
      id: 'rl-gpt-4o',
      model: 'gpt-4o',
      max_requests_per_1_minute: 60,
      max_tokens_per_1_minute: 0,
    });
    await limits.updateRateLimit('rl-*', { project_id: projectId, max_tokens_per_1_minute: 1000 });
    const again = await limits.updateRateLimit('rl-gpt-4o', {
      project_id: projectId,
      max_tokens_per_1_minute: 500,
    });
    expect(again.max_requests_per_1_minute).toBe(60);
    const response = await app.t.rest(`/organization/projects/${projectId}/rate_limits`);
    expectAdminSpec('ProjectRateLimitListResponse', await response.json());
    const page = await limits.listRateLimits(projectId);
    expect(page.data.map((limit) => [limit.id, limit.max_tokens_per_1_minute])).toEqual([
      ['rl-gpt-4o', 500],
      ['rl-*', 1000],
    ]);
    const second = await limits.listRateLimits(projectId, { after: 'rl-gpt-4o', limit: 1 });
    expect(second.data.map((limit) => limit.id)).toEqual(['rl-*']);
  });

  it('refuses project keys, bad ids, bad values and unknown projects', async () => {
    const { projectId, client } = await tenant();
    const limits = admin.admin.organization.projects.rateLimits;
    const asProject = new OpenAI({
      adminAPIKey: client.apiKey,
      baseURL: `${app.t.baseUrl}/v1`,
      maxRetries: 0,
    });
    const refused = await apiError(
      asProject.admin.organization.projects.rateLimits.listRateLimits(projectId),
    );
    expect(refused.status).toBe(403);
    const badId = await apiError(
      limits.updateRateLimit('gpt-4o', { project_id: projectId, max_requests_per_1_minute: 1 }),
    );
    expect([badId.status, badId.param]).toEqual([400, 'rate_limit_id']);
    const negative = await apiError(
      limits.updateRateLimit('rl-x', { project_id: projectId, max_requests_per_1_minute: -1 }),
    );
    expect(negative.status).toBe(400);
    const missing = await apiError(limits.listRateLimits('proj_nope'));
    expect(missing.status).toBe(404);
  });

  it('give the request past the limit a 429 with OpenAI’s headers, and every admitted one its headers', async () => {
    const { projectId, client } = await tenant();
    await admin.admin.organization.projects.rateLimits.updateRateLimit('rl-limited', {
      project_id: projectId,
      max_requests_per_1_minute: 2,
    });
    const limited = await client.beta.assistants.create({ model: 'limited' });
    const free = await client.beta.assistants.create({ model: 'free' });
    await inOneRateWindow();
    const seen: Record<string, string>[] = [];
    for (let index = 0; index < 2; index += 1) {
      app.upstream.script({ text: 'ok' });
      const { response } = await client.beta.threads
        .createAndRun({ assistant_id: limited.id, thread: HELLO })
        .withResponse();
      seen.push(rateLimitHeaders(response.headers));
    }
    expect(seen.map((headers) => headers['x-ratelimit-remaining-requests'])).toEqual(['1', '0']);
    expect(seen[0]).toMatchObject({ 'x-ratelimit-limit-requests': '2' });
    expect(seen[0]?.['x-ratelimit-reset-requests']).toMatch(RESET);
    expect(seen[0]?.['retry-after']).toBeUndefined();

    const error = await apiError(
      client.beta.threads.createAndRun({ assistant_id: limited.id, thread: HELLO }),
    );
    expect(error.status).toBe(429);
    expect(error.error).toMatchObject({
      type: 'requests',
      code: 'rate_limit_exceeded',
      param: null,
    });
    expect(error.message).toMatch(/Rate limit reached for limited .* Limit 2/);
    const headers = rateLimitHeaders(error.headers);
    expect(headers).toMatchObject({
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '0',
    });
    expect(headers['x-ratelimit-reset-requests']).toMatch(RESET);
    expect(Number(headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(headers['retry-after'])).toBeLessThanOrEqual(60);

    // Another model of the project has no limit; nothing was counted for the refused request.
    app.upstream.script({ text: 'ok' });
    const other = await client.beta.threads
      .createAndRun({ assistant_id: free.id, thread: HELLO })
      .withResponse();
    expect(rateLimitHeaders(other.response.headers)).toEqual({});
    const runs = await client.beta.threads.runs.list(other.data.thread_id);
    expect(runs.data).toHaveLength(1);
  });

  it('count tokens per minute from the metered calls, and apply to submit_tool_outputs', async () => {
    const { projectId, client } = await tenant();
    const limits = admin.admin.organization.projects.rateLimits;
    await limits.updateRateLimit('rl-*', { project_id: projectId, max_tokens_per_1_minute: 30 });
    const assistant = await client.beta.assistants.create({
      model: 'tpm',
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
    });
    await inOneRateWindow();
    app.upstream.script({
      toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{}' }],
      usage: { prompt_tokens: 25, completion_tokens: 10 },
    });
    const { data: started, response } = await client.beta.threads
      .createAndRun({ assistant_id: assistant.id, thread: HELLO })
      .withResponse();
    expect(rateLimitHeaders(response.headers)).toMatchObject({
      'x-ratelimit-limit-tokens': '30',
      'x-ratelimit-remaining-tokens': '30',
    });
    const paused = await client.beta.threads.runs.poll(
      started.id,
      { thread_id: started.thread_id },
      { pollIntervalMs: 20 },
    );
    expect([paused.status, paused.last_error]).toEqual(['requires_action', null]);
    const error = await apiError(
      client.beta.threads.runs.submitToolOutputs(started.id, {
        thread_id: started.thread_id,
        tool_outputs: [{ tool_call_id: 'call_1', output: 'x' }],
      }),
    );
    expect(error.status).toBe(429);
    expect(error.error).toMatchObject({ type: 'tokens', code: 'rate_limit_exceeded' });
    expect(rateLimitHeaders(error.headers)).toMatchObject({
      'x-ratelimit-limit-tokens': '30',
      'x-ratelimit-remaining-tokens': '0',
    });
    // Refused before anything changed: the run still waits for its outputs.
    const still = await client.beta.threads.runs.retrieve(started.id, {
      thread_id: started.thread_id,
    });
    expect(still.status).toBe('requires_action');
  });

  it('are the same over GraphQL', async () => {
    const { projectId, client } = await tenant();
    const set = await app.t.graphql<{ updateRateLimit: Record<string, unknown> }>(
      `mutation ($projectId: ID!) {
        updateRateLimit(projectId: $projectId, id: "rl-gql", input: { maxRequestsPer1Minute: 1 }) {
          id model maxRequestsPer1Minute maxTokensPer1Minute
        }
      }`,
      { projectId },
    );
    expect(set.data?.updateRateLimit).toEqual({
      id: 'rl-gql',
      model: 'gql',
      maxRequestsPer1Minute: 1,
      maxTokensPer1Minute: 0,
    });
    const listed = await app.t.graphql<{ project: { rateLimits: { nodes: { id: string }[] } } }>(
      `query ($projectId: ID!) { project(id: $projectId) { rateLimits { nodes { id } } } }`,
      { projectId },
    );
    expect(listed.data?.project.rateLimits.nodes).toEqual([{ id: 'rl-gql' }]);
    const assistant = await client.beta.assistants.create({ model: 'gql' });
    const createAndRun = `mutation ($assistantId: String!) {
      createThreadAndRun(input: { assistantId: $assistantId, thread: { messages: [{ role: user, content: [{ type: text, text: "hi" }] }] } }) { id }
    }`;
    await inOneRateWindow();
    app.upstream.script({ text: 'ok' });
    const first = await app.t.graphql(
      createAndRun,
      { assistantId: assistant.id },
      {
        apiKey: client.apiKey,
      },
    );
    expect(first.errors).toBeUndefined();
    const second = await app.t.graphql(
      createAndRun,
      { assistantId: assistant.id },
      {
        apiKey: client.apiKey,
      },
    );
    expect(second.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      openaiCode: 'rate_limit_exceeded',
      type: 'requests',
    });
    const denied = await app.t.graphql(
      `mutation ($projectId: ID!) {
        updateRateLimit(projectId: $projectId, id: "rl-*", input: { maxRequestsPer1Minute: 1 }) { id }
      }`,
      { projectId },
      { apiKey: client.apiKey },
    );
    expect(denied.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
  });
});
