import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { loadModelPrices, ModelPricesError } from '../../src/models/model-prices.js';
import { createTenant, type Tenant } from '../setup/admin-app.js';
import { apiError } from '../setup/api-error.js';
import { type AppWithUpstream, useAppWithUpstream } from '../setup/app-with-upstream.js';
import { expectAdminSpec } from '../setup/openapi.js';

const dir = mkdtempSync(path.join(tmpdir(), 'model-prices-'));
const pricesFile = path.join(dir, 'prices.json');
// USD per 1M tokens.
writeFileSync(pricesFile, JSON.stringify({ 'priced-model': { input: 2, output: 10 } }));

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

async function completedRun(who: Tenant, model: string, prompt: number, completion: number) {
  const assistant = await who.client.beta.assistants.create({ model });
  const thread = await who.client.beta.threads.create({
    messages: [{ role: 'user', content: 'Hi' }],
  });
  app.upstream.script({
    text: 'Hello',
    usage: { prompt_tokens: prompt, completion_tokens: completion },
  });
  const run = await who.client.beta.threads.runs.createAndPoll(thread.id, {
    assistant_id: assistant.id,
  });
  expect(run.status).toBe('completed');
}

describe('/v1/organization/costs', () => {
  it('prices the metered tokens per model, grouped by project and line item', async () => {
    const startTime = Math.floor(Date.now() / 1000) - 60;
    const a = await createTenant(app, admin, 'costs A');
    const b = await createTenant(app, admin, 'costs B');
    await completedRun(a, 'priced-model', 1000, 200);
    await completedRun(a, 'priced-model', 500, 100);
    await completedRun(b, 'unpriced-model', 4000, 4000);

    const total = await admin.admin.organization.usage.costs({
      start_time: startTime,
      project_ids: [a.projectId, b.projectId],
    });
    expectAdminSpec('UsageResponse', total);
    expect(total.data).toHaveLength(1);
    // 1,500 input tokens at $2/1M and 300 output tokens at $10/1M; the unpriced model costs 0.
    expect(total.data[0]?.results).toEqual([
      {
        object: 'organization.costs.result',
        amount: { value: expect.closeTo(0.006, 9), currency: 'usd' },
        line_item: null,
        project_id: null,
        api_key_id: null,
        quantity: null,
      },
    ]);

    const lines = await admin.admin.organization.usage.costs({
      start_time: startTime,
      group_by: ['project_id', 'line_item'],
      project_ids: [a.projectId, b.projectId],
    });
    expectAdminSpec('UsageResponse', lines);
    const results = lines.data[0]?.results ?? [];
    expect(results).toHaveLength(4);
    expect(results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          project_id: a.projectId,
          line_item: 'priced-model, input',
          quantity: 1500,
          amount: { value: expect.closeTo(0.003, 9), currency: 'usd' },
        }),
        expect.objectContaining({
          project_id: a.projectId,
          line_item: 'priced-model, output',
          quantity: 300,
          amount: { value: expect.closeTo(0.003, 9), currency: 'usd' },
        }),
        expect.objectContaining({
          project_id: b.projectId,
          line_item: 'unpriced-model, input',
          quantity: 4000,
          amount: { value: 0, currency: 'usd' },
        }),
      ]),
    );

    const byKey = await app.t.graphql<{
      costs: { buckets: { results: { apiKeyId: string; amountUsd: number }[] }[] };
    }>(
      `query ($start: Int!, $keys: [String!]) {
        costs(startTime: $start, groupBy: [api_key_id], apiKeyIds: $keys) {
          buckets { results { apiKeyId amountUsd } }
        }
      }`,
      { start: startTime, keys: [b.keyId] },
    );
    expect(byKey.data?.costs.buckets[0]?.results).toEqual([{ apiKeyId: b.keyId, amountUsd: 0 }]);
  });

  it('refuses project keys (403), widths other than 1d and over 180 buckets (400)', async () => {
    const a = await createTenant(app, admin, 'costs refused');
    const account = await admin.admin.organization.projects.serviceAccounts.create(a.projectId, {
      name: 'x',
    });
    const asProject = new OpenAI({
      adminAPIKey: account.api_key?.value ?? '',
      baseURL: `${app.t.baseUrl}/v1`,
      maxRetries: 0,
    });
    expect(
      (await apiError(asProject.admin.organization.usage.costs({ start_time: 0 }))).status,
    ).toBe(403);
    const badWidth = await apiError(
      admin.admin.organization.usage.costs({ start_time: 0, bucket_width: '1h' as '1d' }),
    );
    expect(badWidth).toMatchObject({ status: 400, param: 'bucket_width' });
    const tooMany = await apiError(
      admin.admin.organization.usage.costs({ start_time: 0, limit: 181 }),
    );
    expect(tooMany).toMatchObject({ status: 400, param: 'limit' });
  });

  it('refuses a prices file that is not JSON or not prices, at startup', async () => {
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{ not json');
    await expect(loadModelPrices(broken)).rejects.toThrow(ModelPricesError);
    writeFileSync(broken, JSON.stringify({ 'gpt-4o': { input: -1 } }));
    await expect(loadModelPrices(broken)).rejects.toThrow(/invalid at 'gpt-4o.input'/);
    await expect(loadModelPrices(path.join(dir, 'missing.json'))).rejects.toThrow(
      /Cannot read the model prices file/,
    );
  });
});
