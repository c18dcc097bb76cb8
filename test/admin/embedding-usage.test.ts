import OpenAI, { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { createTenant, type Tenant } from '../setup/admin-app.js';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { embeddingsResponse } from '../setup/fake-embeddings.js';
import { expectAdminSpec } from '../setup/openapi.js';

let app: AppWithUpstream;
let admin: OpenAI;
useAppWithUpstream({ env: { EMBEDDING_MODEL: 'fake-embed', EMBEDDING_BATCH_SIZE: '2' } }, (s) => {
  app = s;
  admin = new OpenAI({ adminAPIKey: s.t.apiKey, baseURL: `${s.t.baseUrl}/v1`, maxRetries: 0 });
});

/** The tokens the fake upstream reported for the embedding requests it got since `from`. */
function reportedTokens(from: number): { tokens: number; requests: number } {
  const sent = app.upstream.embeddingRequests.slice(from);
  const tokens = sent.reduce((sum, request) => {
    const answer = embeddingsResponse(request.body, 8);
    const usage = 'body' in answer ? (answer.body.usage as { prompt_tokens: number }) : null;
    return sum + (usage?.prompt_tokens ?? 0);
  }, 0);
  return { tokens, requests: sent.length };
}

const tenant = (name: string): Promise<Tenant> => createTenant(app, admin, name);

describe('usage of embeddings', () => {
  it('meters indexing and search queries, per project and key, as the upstream reported', async () => {
    const startTime = Math.floor(Date.now() / 1000) - 60;
    const a = await tenant('embeddings A');
    const b = await tenant('embeddings B');

    const beforeA = app.upstream.embeddingRequests.length;
    const store = await a.client.vectorStores.create({ name: 'manuals' });
    const text = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} about routers.`).join('\n\n');
    const file = await a.client.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(Buffer.from(text), 'manual.txt'),
      { pollIntervalMs: 20 },
    );
    expect(file.status).toBe('completed');
    await a.client.vectorStores.search(store.id, { query: 'reset the router' });
    const spentA = reportedTokens(beforeA);
    expect(spentA.requests).toBeGreaterThan(1);

    const beforeB = app.upstream.embeddingRequests.length;
    const storeB = await b.client.vectorStores.create({ name: 'empty' });
    await b.client.vectorStores.search(storeB.id, { query: ['one query', 'and another'] });
    const spentB = reportedTokens(beforeB);
    // One request per query, none for indexing (the store is empty).
    expect(spentB.requests).toBe(2);
    expect(spentB.tokens).toBeGreaterThan(0);

    const page = await admin.admin.organization.usage.embeddings({
      start_time: startTime,
      group_by: ['project_id', 'api_key_id', 'model'],
      project_ids: [a.projectId, b.projectId],
    });
    expectAdminSpec('UsageResponse', page);
    expect(page.data[0]?.results).toHaveLength(2);
    expect(page.data[0]?.results).toEqual(
      expect.arrayContaining([
        {
          object: 'organization.usage.embeddings.result',
          project_id: a.projectId,
          api_key_id: a.keyId,
          model: 'fake-embed',
          input_tokens: spentA.tokens,
          num_model_requests: spentA.requests,
        },
        {
          object: 'organization.usage.embeddings.result',
          project_id: b.projectId,
          api_key_id: b.keyId,
          model: 'fake-embed',
          input_tokens: spentB.tokens,
          num_model_requests: 2,
        },
      ]),
    );

    // Embeddings are not completions, and a filter on another model finds nothing.
    const completions = await admin.admin.organization.usage.completions({
      start_time: startTime,
      project_ids: [a.projectId, b.projectId],
    });
    expect(completions.data[0]?.results).toEqual([]);
    const otherModel = await admin.admin.organization.usage.embeddings({
      start_time: startTime,
      project_ids: [a.projectId],
      models: ['text-embedding-3-small'],
    });
    expect(otherModel.data[0]?.results).toEqual([]);
  });

  it('meters the query of a run’s file_search for the run’s key', async () => {
    const startTime = Math.floor(Date.now() / 1000) - 60;
    const c = await tenant('embeddings C');
    const before = app.upstream.embeddingRequests.length;
    const store = await c.client.vectorStores.create({ name: 'notes' });
    const file = await c.client.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(Buffer.from('The worker is woken by LISTEN and NOTIFY.'), 'notes.md'),
      { pollIntervalMs: 20 },
    );
    expect(file.status).toBe('completed');
    const assistant = await c.client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'file_search' }],
      tool_resources: { file_search: { vector_store_ids: [store.id] } },
    });
    const thread = await c.client.beta.threads.create({
      messages: [{ role: 'user', content: 'How is the worker woken?' }],
    });
    app.upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: '{"query":"worker woken"}' }] },
      { text: 'By NOTIFY.' },
    );
    const run = await c.client.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
    });
    expect(run.status).toBe('completed');
    const spent = reportedTokens(before);
    // One request to index the single chunk, one for the run's query.
    expect(spent.requests).toBe(2);

    const page = await admin.admin.organization.usage.embeddings({
      start_time: startTime,
      group_by: ['api_key_id'],
      project_ids: [c.projectId],
    });
    expect(page.data[0]?.results).toEqual([
      expect.objectContaining({
        api_key_id: c.keyId,
        input_tokens: spent.tokens,
        num_model_requests: 2,
      }),
    ]);
  });
});
