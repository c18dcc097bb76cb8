import OpenAI, { NotFoundError } from 'openai';
import { describe, expect, it } from 'vitest';
import { createTenant } from '../setup/admin-app.js';
import { apiError } from '../setup/api-error.js';
import type { AppWithUpstream } from '../setup/app-with-upstream.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { dataOf, firstError } from '../setup/graphql-response.js';
import { expectResponsesSpec } from '../setup/openapi.js';
import { inOneRateWindow, rateLimitHeaders } from '../setup/rate-window.js';

let app: AppWithUpstream;
useAppWithUpstream({}, (started) => {
  app = started;
});

describe('POST /v1/responses/compact', () => {
  it('has the model summarise the history; the compaction item then stands in for it', async () => {
    const { openai } = app.t;
    app.upstream.script({ text: 'Paris is the capital of France.' });
    const first = await openai.responses.create({
      model: 'gpt-test',
      input: 'What is the capital of France?',
    });

    app.upstream.script({
      text: ['The user asked about France', '; the answer was Paris.'],
      usage: { prompt_tokens: 40, completion_tokens: 9 },
    });
    const compacted = await openai.responses.compact({
      model: 'gpt-test',
      previous_response_id: first.id,
      input: [{ role: 'user', content: 'And of Italy?' }],
    });
    // The spec's CompactResource types `output` as OutputItem, which has no user message, yet
    // says (and its own example shows) that the user messages are kept: the envelope with its
    // compaction item is checked as CompactResource, the kept messages as the item resources they are.
    expectResponsesSpec('CompactResource', {
      ...compacted,
      output: compacted.output.filter((item) => item.type === 'compaction'),
    });
    for (const item of compacted.output) {
      expectResponsesSpec('ItemResource', item);
    }
    expect(compacted.object).toBe('response.compaction');
    expect(compacted.usage).toMatchObject({ input_tokens: 40, output_tokens: 9, total_tokens: 49 });

    // The upstream was shown the whole history, oldest first, then asked for a summary.
    const sent = app.upstream.requests.at(-1)?.body;
    const messages = sent?.messages as { role: string; content: string }[];
    expect(sent?.model).toBe('gpt-test');
    expect(messages.slice(0, 3)).toEqual([
      { role: 'user', content: 'What is the capital of France?' },
      { role: 'assistant', content: 'Paris is the capital of France.' },
      { role: 'user', content: 'And of Italy?' },
    ]);
    expect(messages).toHaveLength(4);
    expect(messages[3]?.role).toBe('system');
    expect(messages[3]?.content).toMatch(/summar/i);

    // Kept: the user messages, then one compaction item whose content is the summary.
    expect(compacted.output.map((item) => item.type)).toEqual(['message', 'message', 'compaction']);
    expect(compacted.output.slice(0, 2)).toMatchObject([
      { role: 'user', content: [{ type: 'input_text', text: 'What is the capital of France?' }] },
      { role: 'user', content: [{ type: 'input_text', text: 'And of Italy?' }] },
    ]);
    const compaction = compacted.output[2];
    expect(compaction).toMatchObject({
      type: 'compaction',
      id: expect.stringMatching(/^cmp_/),
      encrypted_content: 'The user asked about France; the answer was Paris.',
    });

    // Metered as a model call of the key's project.
    const rows = await app.t.deps.db.usageRecord.findMany({
      where: { kind: 'completions', inputTokens: 40, outputTokens: 9 },
    });
    expect(rows).toMatchObject([{ model: 'gpt-test', requests: 1, responseId: null }]);

    // Fed back: the model sees the summary (as context) and the new turn, not the history.
    app.upstream.script({ text: 'Rome.' });
    const next = await openai.responses.create({
      model: 'gpt-test',
      input: [
        ...compacted.output.filter((item) => item.type === 'compaction'),
        { role: 'user', content: 'And of Italy?' },
      ],
    });
    expectResponsesSpec('Response', next);
    expect(next.output_text).toBe('Rome.');
    expect(app.upstream.requests.at(-1)?.body.messages).toEqual([
      {
        role: 'system',
        content:
          'Summary of the earlier conversation:\n\nThe user asked about France; the answer was Paris.',
      },
      { role: 'user', content: 'And of Italy?' },
    ]);
    const items = await openai.responses.inputItems.list(next.id, { order: 'asc' });
    expect(items.data[0]).toMatchObject({
      type: 'compaction',
      encrypted_content: 'The user asked about France; the answer was Paris.',
    });
  });

  it('refuses a missing model or an unknown previous response without calling the model', async () => {
    const { openai } = app.t;
    const requests = app.upstream.requests.length;
    const missing = await app.t.rest('/responses/compact', {
      method: 'POST',
      body: JSON.stringify({ input: 'Hi' }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      error: {
        message: "Missing required parameter: 'model'.",
        type: 'invalid_request_error',
        param: 'model',
        code: 'missing_required_parameter',
      },
    });
    const unknown = await openai.responses
      .compact({ model: 'gpt-test', previous_response_id: 'resp_missing' })
      .catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(unknown).toMatchObject({
      status: 404,
      param: 'previous_response_id',
      error: {
        message: "Previous response with id 'resp_missing' not found.",
        type: 'invalid_request_error',
      },
    });
    await expect(
      openai.responses.compact({ model: 'gpt-test', input: 'Hi', store: true } as never),
    ).rejects.toMatchObject({ status: 400, param: 'store' });
    expect(app.upstream.requests.length).toBe(requests);
  });

  it('answers an upstream failure with a server_error envelope, metering nothing', async () => {
    const before = await app.t.deps.db.usageRecord.count();
    app.upstream.script({ status: 400, error: { message: 'Bad upstream request.' } });
    const failed = await app.t.rest('/responses/compact', {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-test', input: 'Hi' }),
    });
    expect(failed.status).toBe(502);
    const body = (await failed.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('server_error');
    expect(body.error.message).toMatch(/^The model failed to compact the conversation/);
    expect(await app.t.deps.db.usageRecord.count()).toBe(before);
  });
});

const COMPACT = `mutation ($input: CompactResponseInput!) { compactResponse(input: $input) }`;

describe('the compactResponse mutation over GraphQL', () => {
  it('returns the compaction object the REST route serves', async () => {
    app.upstream.script({ text: 'Berlin is the capital of Germany.' });
    const first = await app.t.openai.responses.create({
      model: 'gpt-test',
      input: 'What is the capital of Germany?',
    });
    app.upstream.script({
      text: 'The user asked about Germany; the answer was Berlin.',
      usage: { prompt_tokens: 30, completion_tokens: 11 },
    });
    const result = await app.t.graphql<{ compactResponse: Record<string, unknown> }>(COMPACT, {
      input: {
        model: 'gpt-test',
        previousResponseId: first.id,
        input: [{ role: 'user', content: 'And of Spain?' }],
      },
    });
    const compacted = dataOf(result).compactResponse;
    expect(compacted).toMatchObject({
      id: expect.stringMatching(/^resp_/),
      object: 'response.compaction',
      created_at: expect.any(Number),
      usage: { input_tokens: 30, output_tokens: 11, total_tokens: 41 },
      output: [
        {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: 'What is the capital of Germany?' }],
        },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'And of Spain?' }] },
        {
          type: 'compaction',
          id: expect.stringMatching(/^cmp_/),
          encrypted_content: 'The user asked about Germany; the answer was Berlin.',
        },
      ],
    });
    expect(app.upstream.requests.at(-1)?.body.messages).toHaveLength(4);
  });

  it('answers an unknown previous response with a NOT_FOUND error naming the field', async () => {
    const requests = app.upstream.requests.length;
    const result = await app.t.graphql(COMPACT, {
      input: { model: 'gpt-test', previousResponseId: 'resp_missing', input: 'Hi' },
    });
    expect(result.status).toBe(404);
    expect(result.data).toBeNull();
    expect(firstError(result)).toEqual({
      message: "Previous response with id 'resp_missing' not found.",
      path: ['compactResponse'],
      locations: [{ line: 1, column: 44 }],
      // `http.status` is the response's status (404 above); yoga does not echo it.
      extensions: {
        code: 'NOT_FOUND',
        type: 'invalid_request_error',
        param: 'previousResponseId',
        openaiCode: null,
      },
    });
    expect(app.upstream.requests.length).toBe(requests);
  });
});

const SET_BUDGET = `mutation ($projectId: ID!, $tokens: Int) {
  updateProjectBudget(projectId: $projectId, input: { monthlyTokenLimit: $tokens }) {
    monthlyTokenLimit
  }
}`;

describe('limits on compact', () => {
  const admin = () =>
    new OpenAI({ adminAPIKey: app.t.apiKey, baseURL: `${app.t.baseUrl}/v1`, maxRetries: 0 });

  it('give the compact past the project’s rate limit a 429 with OpenAI’s headers', async () => {
    const tenant = await createTenant(app, admin(), 'compact rate limit');
    await admin().admin.organization.projects.rateLimits.updateRateLimit('rl-compact-limited', {
      project_id: tenant.projectId,
      max_requests_per_1_minute: 2,
    });
    await inOneRateWindow();
    const remaining: (string | undefined)[] = [];
    for (const text of ['one', 'two']) {
      app.upstream.script({ text: `Summary ${text}.` });
      const { response } = await tenant.client.responses
        .compact({ model: 'compact-limited', input: text })
        .withResponse();
      const headers = rateLimitHeaders(response.headers);
      expect(headers['x-ratelimit-limit-requests']).toBe('2');
      expect(headers['x-ratelimit-reset-requests']).toMatch(/^\d+(\.\d+)?s$/);
      remaining.push(headers['x-ratelimit-remaining-requests']);
    }
    expect(remaining).toEqual(['1', '0']);

    const requests = app.upstream.requests.length;
    const error = await apiError(
      tenant.client.responses.compact({ model: 'compact-limited', input: 'three' }),
    );
    expect(error.status).toBe(429);
    expect(error.error).toMatchObject({
      type: 'requests',
      code: 'rate_limit_exceeded',
      param: null,
    });
    expect(error.message).toMatch(/Rate limit reached for compact-limited .* Limit 2/);
    const headers = rateLimitHeaders(error.headers);
    expect(headers).toMatchObject({
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '0',
    });
    expect(Number(headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(headers['retry-after'])).toBeLessThanOrEqual(60);
    // Refused before the model was called; a create on the same model shares the limit.
    expect(app.upstream.requests.length).toBe(requests);
    const create = await apiError(
      tenant.client.responses.create({ model: 'compact-limited', input: 'four' }),
    );
    expect(create.status).toBe(429);
    expect(app.upstream.requests.length).toBe(requests);
  });

  it('refuse a compact with insufficient_quota once the project’s budget is spent', async () => {
    const tenant = await createTenant(app, admin(), 'compact budget');
    await app.t.graphql(SET_BUDGET, { projectId: tenant.projectId, tokens: 40 });
    // The compact's own metered tokens spend the budget.
    app.upstream.script({ text: 'Summary.', usage: { prompt_tokens: 35, completion_tokens: 10 } });
    await tenant.client.responses.compact({ model: 'compact-budget', input: 'Hi' });

    const requests = app.upstream.requests.length;
    const refused = await apiError(
      tenant.client.responses.compact({ model: 'compact-budget', input: 'More' }),
    );
    expect(refused.status).toBe(429);
    expect(refused.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(refused.message).toMatch(/budget of 40 tokens a month is spent/);
    expect(rateLimitHeaders(refused.headers)).toMatchObject({ 'x-should-retry': 'false' });
    const overGraphql = await app.t.graphql(
      COMPACT,
      { input: { model: 'compact-budget', input: 'More' } },
      { apiKey: tenant.client.apiKey },
    );
    expect(overGraphql.status).toBe(429);
    expect(firstError(overGraphql).extensions).toMatchObject({
      code: 'RATE_LIMITED',
      type: 'insufficient_quota',
      openaiCode: 'insufficient_quota',
    });
    expect(app.upstream.requests.length).toBe(requests);

    await app.t.graphql(SET_BUDGET, { projectId: tenant.projectId, tokens: 1000 });
    app.upstream.script({ text: 'Summary again.' });
    const again = await tenant.client.responses.compact({ model: 'compact-budget', input: 'Hi' });
    expect(again.output.at(-1)).toMatchObject({ encrypted_content: 'Summary again.' });
  });
});
