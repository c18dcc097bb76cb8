import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createTenant, type Tenant } from '../setup/admin-app.js';
import { apiError } from '../setup/api-error.js';
import { type AppWithUpstream, useAppWithUpstream } from '../setup/app-with-upstream.js';
import { rateLimitHeaders } from '../setup/rate-window.js';

const dir = mkdtempSync(path.join(tmpdir(), 'spend-prices-'));
const pricesFile = path.join(dir, 'prices.json');
// USD per 1M tokens: 100 output tokens of priced-model cost one cent.
writeFileSync(pricesFile, JSON.stringify({ 'priced-model': { input: 10, output: 100 } }));

let app: AppWithUpstream;
let admin: OpenAI;
useAppWithUpstream({ env: { MODEL_PRICES_FILE: pricesFile } }, (started) => {
  app = started;
  admin = new OpenAI({
    adminAPIKey: started.t.apiKey,
    baseURL: `${started.t.baseUrl}/v1`,
    maxRetries: 0,
  });
});

const HELLO = { messages: [{ role: 'user' as const, content: 'find it' }] };

async function spendLimit(who: Tenant, cents: number) {
  await admin.admin.organization.projects.spendLimit.update(who.projectId, {
    threshold_amount: cents,
    currency: 'USD',
    interval: 'month',
  });
}

async function searchingAssistant(who: Tenant, model: string) {
  return who.client.beta.assistants.create({ model, tools: [{ type: 'file_search' }] });
}

describe('spend limits', () => {
  it('end a run whose calls cost the limit `failed` with insufficient_quota, and refuse the next', async () => {
    const who = await createTenant(app, admin, 'spend');
    await spendLimit(who, 1);
    const assistant = await searchingAssistant(who, 'priced-model');
    // The first call costs 1.05 cents ($0.0005 in, $0.01 out); the answer is never asked for.
    app.upstream.script({
      toolCalls: [{ id: 'call_s', name: 'file_search', arguments: '{"query":"x"}' }],
      usage: { prompt_tokens: 50, completion_tokens: 100 },
    });
    const before = app.upstream.requests.length;
    const run = await who.client.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: HELLO },
      { pollIntervalMs: 20 },
    );
    expect(run.status).toBe('failed');
    expect(run.last_error).toEqual({
      code: 'insufficient_quota',
      message: expect.stringContaining('spend limit of $0.01 a month'),
    });
    expect(app.upstream.requests.length - before).toBe(1);

    const refused = await apiError(
      who.client.beta.threads.createAndRun({ assistant_id: assistant.id, thread: HELLO }),
    );
    expect(refused.status).toBe(429);
    expect(refused.error).toEqual({
      message: expect.stringContaining('spend limit of $0.01 a month is spent'),
      type: 'insufficient_quota',
      param: null,
      code: 'insufficient_quota',
    });
    expect(rateLimitHeaders(refused.headers)).toMatchObject({ 'x-should-retry': 'false' });

    // Raised over GraphQL (the same limit), the project works again.
    const raised = await app.t.graphql(
      `mutation ($projectId: ID!) {
        updateProjectBudget(projectId: $projectId, input: { spendLimitCents: 500 }) { spendLimitCents }
      }`,
      { projectId: who.projectId },
    );
    expect(raised.data).toEqual({ updateProjectBudget: { spendLimitCents: 500 } });
    app.upstream.script({ text: 'found', usage: { prompt_tokens: 5, completion_tokens: 1 } });
    const again = await who.client.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: HELLO },
      { pollIntervalMs: 20 },
    );
    expect(again.status).toBe('completed');
  });

  it('count only what has a price: tokens of an unpriced model cost nothing', async () => {
    const who = await createTenant(app, admin, 'spend unpriced');
    await spendLimit(who, 1);
    const assistant = await who.client.beta.assistants.create({ model: 'free-model' });
    for (let index = 0; index < 2; index += 1) {
      app.upstream.script({
        text: 'ok',
        usage: { prompt_tokens: 100_000, completion_tokens: 100_000 },
      });
      const run = await who.client.beta.threads.createAndRunPoll(
        { assistant_id: assistant.id, thread: HELLO },
        { pollIntervalMs: 20 },
      );
      expect(run.status).toBe('completed');
    }
    // Another project's spending does not count against this one.
    const other = await createTenant(app, admin, 'spend other');
    await spendLimit(other, 1);
    const priced = await other.client.beta.assistants.create({ model: 'priced-model' });
    app.upstream.script({ text: 'ok', usage: { prompt_tokens: 0, completion_tokens: 100 } });
    await other.client.beta.threads.createAndRunPoll(
      { assistant_id: priced.id, thread: HELLO },
      { pollIntervalMs: 20 },
    );
    const refused = await apiError(
      other.client.beta.threads.createAndRun({ assistant_id: priced.id, thread: HELLO }),
    );
    expect(refused.status).toBe(429);
    app.upstream.script({ text: 'ok' });
    const still = await who.client.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: HELLO },
      { pollIntervalMs: 20 },
    );
    expect(still.status).toBe('completed');
  });
});
