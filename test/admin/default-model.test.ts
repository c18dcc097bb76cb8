import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import { type AppWithUpstream, useAppWithUpstream } from '../setup/app-with-upstream.js';
import { expectResponsesSpec } from '../setup/openapi.js';

let app: AppWithUpstream;
useAppWithUpstream({}, (started) => {
  app = started;
});

const SET_DEFAULT = `mutation ($id: ID!, $model: String) {
  updateDefaultModel(projectId: $id, model: $model) { id defaultModel allowedModels }
}`;
const SET_ALLOWED = `mutation ($id: ID!, $models: [String!]!) {
  updateAllowedModels(projectId: $id, models: $models) { allowedModels }
}`;

interface ProjectModels {
  id: string;
  defaultModel: string | null;
  allowedModels: string[];
}

async function setDefault(projectId: string, model: string | null, apiKey?: string) {
  return app.t.graphql<{ updateDefaultModel: ProjectModels }>(
    SET_DEFAULT,
    { id: projectId, model },
    apiKey === undefined ? {} : { apiKey },
  );
}

async function defaultModelOf(projectId: string): Promise<string | null | undefined> {
  const read = await app.t.graphql<{ project: { defaultModel: string | null } }>(
    `query ($id: ID!) { project(id: $id) { defaultModel } }`,
    { id: projectId },
  );
  return read.data?.project.defaultModel;
}

async function auditedModels(projectId: string): Promise<unknown[]> {
  const log = await app.t.graphql<{
    auditLogEntries: { nodes: { targetId: string; details: { model: unknown } }[] };
  }>(
    `{ auditLogEntries(first: 100, order: asc, actions: ["project.default_model_updated"]) {
      nodes { targetId details }
    } }`,
  );
  return (log.data?.auditLogEntries.nodes ?? [])
    .filter((entry) => entry.targetId === projectId)
    .map((entry) => entry.details.model);
}

/** A response created without `model`, which OpenAI's spec (and the SDK) lets a caller omit. */
function createWithoutModel(client: OpenAI) {
  return client.responses.create({ input: 'hi' });
}

describe('a project’s default model', () => {
  it('is set and cleared over GraphQL by admin keys, each change audited', async () => {
    const mine = await app.t.createOtherProject();
    expect(await defaultModelOf(mine.projectId)).toBeNull();

    const set = await setDefault(mine.projectId, 'gpt-team-default');
    expect(set.errors).toBeUndefined();
    expect(set.data?.updateDefaultModel).toEqual({
      id: mine.projectId,
      defaultModel: 'gpt-team-default',
      allowedModels: [],
    });
    expect(await defaultModelOf(mine.projectId)).toBe('gpt-team-default');

    const cleared = await setDefault(mine.projectId, null);
    expect(cleared.data?.updateDefaultModel.defaultModel).toBeNull();
    expect(await defaultModelOf(mine.projectId)).toBeNull();
    expect(await auditedModels(mine.projectId)).toEqual(['gpt-team-default', null]);

    // A project key may not configure its own project; bad names and projects are refused.
    const denied = await setDefault(mine.projectId, 'gpt-4o', mine.apiKey);
    expect(denied.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    for (const model of ['', 'm'.repeat(257)]) {
      const bad = await setDefault(mine.projectId, model);
      expect(bad.errors?.[0]?.extensions).toMatchObject({
        code: 'INVALID_REQUEST',
        param: 'model',
      });
    }
    const unknown = await setDefault('proj_doesnotexist', 'gpt-4o');
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(await defaultModelOf(mine.projectId)).toBeNull();
    expect(await auditedModels(mine.projectId)).toEqual(['gpt-team-default', null]);
  });

  it('runs a response created without a model on it, upstream and in the stored object', async () => {
    const mine = await app.t.createOtherProject();
    expect((await setDefault(mine.projectId, 'gpt-team-default')).errors).toBeUndefined();
    const client = app.t.client(mine.apiKey);

    app.upstream.script({ text: 'hello from the default' });
    const before = app.upstream.requests.length;
    const response = await createWithoutModel(client);
    expectResponsesSpec('Response', response);
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('hello from the default');
    expect(response.model).toBe('gpt-team-default');
    const sent = app.upstream.requests.slice(before);
    expect(sent.map((request) => request.body.model)).toEqual(['gpt-team-default']);
    const stored = await client.responses.retrieve(response.id);
    expectResponsesSpec('Response', stored);
    expect(stored.model).toBe('gpt-team-default');

    // Streamed, the events carry it from the first.
    app.upstream.script({ text: 'streamed' });
    const models: string[] = [];
    for await (const event of await client.responses.create({ input: 'hi', stream: true })) {
      expectResponsesSpec('ResponseStreamEvent', event);
      if (event.type === 'response.created' || event.type === 'response.completed') {
        models.push(event.response.model);
      }
    }
    expect(models).toEqual(['gpt-team-default', 'gpt-team-default']);
    expect(app.upstream.requests.at(-1)?.body.model).toBe('gpt-team-default');

    // A model the request names still wins over the default.
    app.upstream.script({ text: 'named' });
    const named = await client.responses.create({ model: 'gpt-named', input: 'hi' });
    expect(named.model).toBe('gpt-named');
    expect(app.upstream.requests.at(-1)?.body.model).toBe('gpt-named');
  });

  it('leaves a request without a model and without a default to OpenAI’s 400', async () => {
    const other = await app.t.createOtherProject();
    const client = app.t.client(other.apiKey);
    const before = app.upstream.requests.length;
    const refused = await apiError(createWithoutModel(client));
    expectResponsesSpec('ErrorResponse', { error: refused.error });
    expect(refused.status).toBe(400);
    expect(refused.error).toEqual({
      message: "Missing required parameter: 'model'.",
      type: 'invalid_request_error',
      param: 'model',
      code: 'missing_required_parameter',
    });
    // A streamed create is refused the same way, before anything is written or sent.
    const streamed = await apiError(client.responses.create({ input: 'hi', stream: true }));
    expect([streamed.status, streamed.code, streamed.param]).toEqual([
      400,
      'missing_required_parameter',
      'model',
    ]);
    expect(app.upstream.requests.length).toBe(before);
    expect(await app.t.deps.db.response.count({ where: { projectId: other.projectId } })).toBe(0);

    // Counting input tokens needs no model at all (OpenAI's spec makes it optional there).
    const counted = await client.responses.inputTokens.count({ input: 'hi' });
    expectResponsesSpec('TokenCountsResource', counted);
    expect(counted.input_tokens).toBeGreaterThan(0);
  });

  it('must be in the allow-list, and a later allow-list refuses requests relying on it', async () => {
    const mine = await app.t.createOtherProject();
    expect(
      (await app.t.graphql(SET_ALLOWED, { id: mine.projectId, models: ['gpt-4o'] })).errors,
    ).toBeUndefined();
    const outside = await setDefault(mine.projectId, 'gpt-3.5-turbo');
    expect(outside.data).toBeNull();
    expect(outside.errors?.[0]?.message).toBe(
      "The model 'gpt-3.5-turbo' is not in the project's allowed models.",
    );
    expect(outside.errors?.[0]?.extensions).toMatchObject({
      code: 'INVALID_REQUEST',
      param: 'model',
    });
    expect(await defaultModelOf(mine.projectId)).toBeNull();
    expect(await auditedModels(mine.projectId)).toEqual([]);

    const inside = await setDefault(mine.projectId, 'gpt-4o');
    expect(inside.data?.updateDefaultModel.defaultModel).toBe('gpt-4o');

    // The allow-list changes under the default: relying on it is refused as naming it is.
    expect(
      (await app.t.graphql(SET_ALLOWED, { id: mine.projectId, models: ['gpt-4.1'] })).errors,
    ).toBeUndefined();
    const client = app.t.client(mine.apiKey);
    const before = app.upstream.requests.length;
    const relying = await apiError(createWithoutModel(client));
    const naming = await apiError(client.responses.create({ model: 'gpt-4o', input: 'hi' }));
    expectResponsesSpec('ErrorResponse', { error: relying.error });
    expect(relying.status).toBe(404);
    expect(relying.error).toEqual({
      message: "The model 'gpt-4o' does not exist or you do not have access to it.",
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_found',
    });
    expect([naming.status, naming.error]).toEqual([relying.status, relying.error]);
    expect(app.upstream.requests.length).toBe(before);
  });
});
