import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import { type AppWithUpstream, startAppWithUpstream } from '../setup/app-with-upstream.js';
import { type FakeUpstream, startFakeUpstream } from '../setup/fake-upstream.js';

let app: AppWithUpstream;
let provider: FakeUpstream;
beforeAll(async () => {
  app = await startAppWithUpstream({ SECRETS_KEY: randomBytes(32).toString('base64') });
  provider = await startFakeUpstream();
});
afterAll(async () => {
  await provider.close();
  await app.close();
});

const CREATE_PROVIDER = `mutation ($projectId: ID!, $input: CreateUpstreamProviderInput!) {
  createUpstreamProvider(projectId: $projectId, input: $input) {
    id name baseUrl hasCredentials headerNames
  }
}`;
const SET_ROUTE = `mutation ($projectId: ID!, $input: SetModelRouteInput!) {
  setModelRoute(projectId: $projectId, input: $input) { match prefix providerId upstreamModel }
}`;
const HELLO = { messages: [{ role: 'user' as const, content: 'hi' }] };

describe('per-project upstreams', () => {
  it('send a project’s routed model to its provider with its credentials; others to the default', async () => {
    const mine = await app.t.createOtherProject();
    const other = await app.t.createOtherProject();
    const created = await app.t.graphql<{ createUpstreamProvider: { id: string } }>(
      CREATE_PROVIDER,
      {
        projectId: mine.projectId,
        input: {
          name: 'team gateway',
          baseUrl: provider.url,
          apiKey: 'sk-team-secret-123',
          headers: [{ name: 'x-tenant', value: 'team-a' }],
        },
      },
    );
    const providerId = created.data?.createUpstreamProvider.id ?? '';
    expect(created.data?.createUpstreamProvider).toEqual({
      id: providerId,
      name: 'team gateway',
      baseUrl: provider.url,
      hasCredentials: true,
      headerNames: ['x-tenant'],
    });
    const route = await app.t.graphql(SET_ROUTE, {
      projectId: mine.projectId,
      input: { match: 'team-', prefix: true, providerId, upstreamModel: 'qwen-7b' },
    });
    expect(route.errors).toBeUndefined();

    const client = app.t.client(mine.apiKey);
    const assistant = await client.beta.assistants.create({ model: 'team-chat' });
    provider.script({ text: 'from the team provider' });
    const before = provider.requests.length;
    const run = await client.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: HELLO },
      { pollIntervalMs: 20 },
    );
    expect(run.status).toBe('completed');
    const sent = provider.requests[before];
    expect(sent?.body.model).toBe('qwen-7b');
    expect(sent?.headers.authorization).toBe('Bearer sk-team-secret-123');
    expect(sent?.headers['x-tenant']).toBe('team-a');

    // The same model name in another project, and an unrouted name, go to the server's default.
    const defaultBefore = app.upstream.requests.length;
    for (const [key, model] of [
      [other.apiKey, 'team-chat'],
      [mine.apiKey, 'gpt-4o'],
    ] as const) {
      const tenant = app.t.client(key);
      const plain = await tenant.beta.assistants.create({ model });
      app.upstream.script({ text: 'from the default' });
      const done = await tenant.beta.threads.createAndRunPoll(
        { assistant_id: plain.id, thread: HELLO },
        { pollIntervalMs: 20 },
      );
      expect(done.status).toBe('completed');
    }
    const defaults = app.upstream.requests.slice(defaultBefore);
    expect(defaults.map((request) => request.body.model)).toEqual(['team-chat', 'gpt-4o']);
    expect(
      defaults.every((request) => request.headers.authorization === 'Bearer upstream-key'),
    ).toBe(true);
    expect(provider.requests.length).toBe(before + 1);

    // Nothing reads the secret back: not the schema, not the stored row.
    const read = await app.t.graphql(
      `query ($id: ID!) { project(id: $id) { upstreamProviders { id hasCredentials headerNames } } }`,
      { id: mine.projectId },
    );
    expect(JSON.stringify(read)).not.toContain('sk-team-secret');
    const apiKeyField = await app.t.graphql(
      `query ($id: ID!) { project(id: $id) { upstreamProviders { apiKey } } }`,
      { id: mine.projectId },
    );
    expect(apiKeyField.errors?.[0]?.message).toMatch(/Cannot query field "apiKey"/);
    const row = await app.t.deps.db.upstreamProvider.findUniqueOrThrow({
      where: { id: providerId },
      select: { secrets: true, headerNames: true, baseUrl: true, name: true },
    });
    expect(row.secrets).toMatch(/^v1:/);
    expect(JSON.stringify(row)).not.toContain('sk-team-secret');
    expect(JSON.stringify(row)).not.toContain('team-a');
  });

  it('refuse models outside a project’s allow-list, and project keys on the configuration', async () => {
    const mine = await app.t.createOtherProject();
    const set = await app.t.graphql(
      `mutation ($id: ID!) { updateAllowedModels(projectId: $id, models: ["gpt-4o"]) { allowedModels } }`,
      { id: mine.projectId },
    );
    expect(set.data).toEqual({ updateAllowedModels: { allowedModels: ['gpt-4o'] } });
    const client = app.t.client(mine.apiKey);
    const assistant = await client.beta.assistants.create({ model: 'gpt-3.5-turbo' });
    const refused = await apiError(
      client.beta.threads.createAndRun({ assistant_id: assistant.id, thread: HELLO }),
    );
    expect([refused.status, refused.code, refused.param]).toEqual([
      404,
      'model_not_found',
      'model',
    ]);
    const denied = await app.t.graphql(
      CREATE_PROVIDER,
      { projectId: mine.projectId, input: { name: 'x', baseUrl: provider.url } },
      { apiKey: mine.apiKey },
    );
    expect(denied.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const badUrl = await app.t.graphql(CREATE_PROVIDER, {
      projectId: mine.projectId,
      input: { name: 'x', baseUrl: 'ftp://nope' },
    });
    expect(badUrl.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
