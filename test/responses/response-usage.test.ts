import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createTenant, type Tenant, useAdminApp } from '../setup/admin-app.js';
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

const tenant = (name: string): Promise<Tenant> => createTenant(app, admin, name);

const SET_BUDGET = `mutation ($projectId: ID!, $tokens: Int) {
  updateProjectBudget(projectId: $projectId, input: { monthlyTokenLimit: $tokens }) {
    monthlyTokenLimit
  }
}`;

/** A completed response of `who` on `model` whose upstream call used `usage`. */
async function respond(
  who: Tenant,
  model: string,
  usage: { prompt_tokens: number; completion_tokens: number },
  options: { stream?: boolean } = {},
) {
  app.upstream.script({ text: ['Hi', ' there'], usage });
  if (options.stream) {
    return who.client.responses.stream({ model, input: 'hello' }).finalResponse();
  }
  const response = await who.client.responses.create({ model, input: 'hello' });
  expect(response.status).toBe('completed');
  return response;
}

describe('usage of responses', () => {
  it('is metered as completions, per project, key and model, beside the runs’', async () => {
    const startTime = Math.floor(Date.now() / 1000) - 60;
    const a = await tenant('responses A');
    const b = await tenant('responses B');
    await respond(a, 'model-x', { prompt_tokens: 10, completion_tokens: 3 });
    await respond(a, 'model-x', { prompt_tokens: 4, completion_tokens: 2 }, { stream: true });
    await respond(a, 'model-y', { prompt_tokens: 20, completion_tokens: 5 });
    await respond(b, 'model-x', { prompt_tokens: 7, completion_tokens: 1 });
    // A run of the same project on the same model adds to the same group.
    const assistant = await a.client.beta.assistants.create({ model: 'model-y' });
    app.upstream.script({ text: 'ok', usage: { prompt_tokens: 100, completion_tokens: 10 } });
    const run = await a.client.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'hi' }] } },
      { pollIntervalMs: 20 },
    );
    expect(run.status).toBe('completed');

    const page = await admin.admin.organization.usage.completions({
      start_time: startTime,
      group_by: ['project_id', 'api_key_id', 'model'],
      project_ids: [a.projectId, b.projectId],
    });
    expectAdminSpec('UsageResponse', page);
    const results = page.data[0]?.results ?? [];
    expect(results).toHaveLength(3);
    const row = (who: Tenant, model: string, input: number, output: number, requests: number) => ({
      object: 'organization.usage.completions.result',
      project_id: who.projectId,
      api_key_id: who.keyId,
      model,
      input_tokens: input,
      output_tokens: output,
      input_cached_tokens: 0,
      num_model_requests: requests,
    });
    expect(results).toEqual(
      expect.arrayContaining([
        row(a, 'model-x', 14, 5, 2),
        row(a, 'model-y', 120, 15, 2),
        row(b, 'model-x', 7, 1, 1),
      ]),
    );
  });

  it('meters nothing for a call that failed upstream without reporting tokens', async () => {
    const startTime = Math.floor(Date.now() / 1000) - 60;
    const c = await tenant('responses C');
    app.upstream.script({ status: 400, error: { message: 'bad request upstream' } });
    const failed = await c.client.responses.create({ model: 'model-z', input: 'hello' });
    expect(failed.status).toBe('failed');
    const page = await admin.admin.organization.usage.completions({
      start_time: startTime,
      project_ids: [c.projectId],
    });
    expect(page.data[0]?.results).toEqual([]);
  });

  it('are refused past the project’s rate limit, with OpenAI’s 429 and headers', async () => {
    const d = await tenant('responses D');
    await admin.admin.organization.projects.rateLimits.updateRateLimit('rl-limited', {
      project_id: d.projectId,
      max_requests_per_1_minute: 1,
    });
    await inOneRateWindow();
    app.upstream.script({ text: 'ok' });
    const { response } = await d.client.responses
      .create({ model: 'limited', input: 'one' })
      .withResponse();
    expect(rateLimitHeaders(response.headers)).toMatchObject({
      'x-ratelimit-limit-requests': '1',
      'x-ratelimit-remaining-requests': '0',
    });
    const before = app.upstream.requests.length;
    const error = await apiError(d.client.responses.create({ model: 'limited', input: 'two' }));
    expect(error.status).toBe(429);
    expect(error.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(Number(rateLimitHeaders(error.headers)['retry-after'])).toBeGreaterThanOrEqual(1);
    // Refused before anything was written or sent upstream.
    expect(app.upstream.requests.length).toBe(before);
    const bad = await apiError(
      d.client.responses.create({ model: 'limited', input: 'three', background: true }),
    );
    expect(bad.status).toBe(429);
  });

  it('are refused once the project’s token budget is spent, by runs or responses', async () => {
    const e = await tenant('responses E');
    await app.t.graphql(SET_BUDGET, { projectId: e.projectId, tokens: 40 });
    await respond(e, 'model-b', { prompt_tokens: 35, completion_tokens: 10 });
    const before = app.upstream.requests.length;
    const refused = await apiError(e.client.responses.create({ model: 'model-b', input: 'more' }));
    expect(refused.status).toBe(429);
    expect(refused.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(rateLimitHeaders(refused.headers)).toMatchObject({ 'x-should-retry': 'false' });
    expect(app.upstream.requests.length).toBe(before);

    await app.t.graphql(SET_BUDGET, { projectId: e.projectId, tokens: 1000 });
    const again = await respond(e, 'model-b', { prompt_tokens: 1, completion_tokens: 1 });
    expect(again.status).toBe('completed');
  });
});
