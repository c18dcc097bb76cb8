import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useAdminApp } from '../setup/admin-app.js';
import { apiError } from '../setup/api-error.js';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { expectAdminSpec } from '../setup/openapi.js';
import { rateLimitHeaders } from '../setup/rate-window.js';

let app: AppWithUpstream;
let admin: OpenAI;
useAdminApp((started, adminClient) => {
  app = started;
  admin = adminClient;
});

const HELLO = { messages: [{ role: 'user' as const, content: 'find it' }] };

const SET_BUDGET = `mutation ($projectId: ID!, $tokens: Int) {
  updateProjectBudget(projectId: $projectId, input: { monthlyTokenLimit: $tokens }) {
    monthlyTokenLimit spendLimitCents
  }
}`;

describe('budgets', () => {
  it('keep OpenAI’s hard spend limit of a project: retrieve, update, delete', async () => {
    const { projectId } = await app.t.createOtherProject();
    const spend = admin.admin.organization.projects.spendLimit;
    const none = await spend.retrieve(projectId);
    expectAdminSpec('ProjectSpendLimitResource', none);
    expect(none.enforcement).toEqual({ status: 'inactive' });
    const set = await spend.update(projectId, {
      threshold_amount: 2500,
      currency: 'USD',
      interval: 'month',
    });
    expectAdminSpec('ProjectSpendLimitResource', set);
    expect(set).toMatchObject({ threshold_amount: 2500, enforcement: { status: 'enforcing' } });
    expect((await spend.retrieve(projectId)).threshold_amount).toBe(2500);
    const bad = await apiError(
      spend.update(projectId, { threshold_amount: 1, currency: 'EUR' as 'USD', interval: 'month' }),
    );
    expect([bad.status, bad.param]).toEqual([400, 'currency']);
    const zero = await apiError(
      spend.update(projectId, { threshold_amount: 0, currency: 'USD', interval: 'month' }),
    );
    expect(zero.status).toBe(400);
    const deleted = await spend.delete(projectId);
    expectAdminSpec('ProjectSpendLimitDeletedResource', deleted);
    expect((await spend.retrieve(projectId)).enforcement.status).toBe('inactive');
    expect((await apiError(spend.retrieve('proj_nope'))).status).toBe(404);
  });

  it('end a run that spends the token budget mid-way `failed` with insufficient_quota, and refuse the next', async () => {
    const { projectId, apiKey } = await app.t.createOtherProject();
    const client = app.t.client(apiKey);
    const set = await app.t.graphql(SET_BUDGET, { projectId, tokens: 40 });
    expect(set.data).toEqual({
      updateProjectBudget: { monthlyTokenLimit: 40, spendLimitCents: null },
    });
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search' }],
    });
    // The first call (a search) uses 50 tokens; the call that would answer is never made.
    app.upstream.script({
      toolCalls: [{ id: 'call_s', name: 'file_search', arguments: '{"query":"x"}' }],
      usage: { prompt_tokens: 45, completion_tokens: 5 },
    });
    const before = app.upstream.requests.length;
    const run = await client.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: HELLO },
      { pollIntervalMs: 20 },
    );
    expect(run.status).toBe('failed');
    expect(run.last_error).toEqual({
      code: 'insufficient_quota',
      message: expect.stringContaining('40 tokens a month'),
    });
    expect(run.usage).toMatchObject({ prompt_tokens: 45, completion_tokens: 5 });
    expect(app.upstream.requests.length - before).toBe(1);

    const refused = await apiError(
      client.beta.threads.createAndRun({ assistant_id: assistant.id, thread: HELLO }),
    );
    expect(refused.status).toBe(429);
    expect(refused.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(rateLimitHeaders(refused.headers)).toMatchObject({ 'x-should-retry': 'false' });

    // Raised, the project works again.
    await app.t.graphql(SET_BUDGET, { projectId, tokens: 1000 });
    app.upstream.script({ text: 'found', usage: { prompt_tokens: 5, completion_tokens: 1 } });
    const again = await client.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: HELLO },
      { pollIntervalMs: 20 },
    );
    expect(again.status).toBe('completed');
  });

  it('are admin-only over GraphQL', async () => {
    const { projectId, apiKey } = await app.t.createOtherProject();
    const denied = await app.t.graphql(SET_BUDGET, { projectId, tokens: 5 }, { apiKey });
    expect(denied.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const read = await app.t.graphql(
      `query ($projectId: ID!) { project(id: $projectId) { budget { monthlyTokenLimit } } }`,
      { projectId },
    );
    expect(read.data).toEqual({ project: { budget: { monthlyTokenLimit: null } } });
  });
});
