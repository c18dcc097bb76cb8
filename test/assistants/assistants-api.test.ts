import OpenAI, { type APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';
import { expectSpec } from '../setup/openapi.js';

let t: TestApp;
useTestApp({}, (app) => {
  t = app;
});

describe('assistants over the official SDK', () => {
  it('creates an assistant and returns OpenAI’s exact shape', async () => {
    const assistant = await t.openai.beta.assistants.create({
      model: 'gpt-4o',
      name: 'Math tutor',
      instructions: 'Be precise.',
      tools: [
        { type: 'code_interpreter' },
        { type: 'function', function: { name: 'add', parameters: { type: 'object' } } },
      ],
      metadata: { team: 'math' },
    });
    expectSpec('AssistantObject', assistant);
    expect(assistant).toMatchObject({
      object: 'assistant',
      name: 'Math tutor',
      model: 'gpt-4o',
      instructions: 'Be precise.',
      metadata: { team: 'math' },
      response_format: 'auto',
      tool_resources: {},
    });
    expect(assistant.id).toMatch(/^asst_[A-Za-z0-9]{24}$/);
    expect(assistant.tools).toEqual([
      { type: 'code_interpreter' },
      {
        type: 'function',
        function: { name: 'add', parameters: { type: 'object' }, strict: false },
      },
    ]);
  });

  it('retrieves, updates and deletes', async () => {
    const created = await t.openai.beta.assistants.create({ model: 'gpt-4o-mini' });
    const fetched = await t.openai.beta.assistants.retrieve(created.id);
    expectSpec('AssistantObject', fetched);
    expect(fetched).toEqual(created);

    const updated = await t.openai.beta.assistants.update(created.id, {
      name: 'Renamed',
      metadata: { v: '2' },
    });
    expectSpec('AssistantObject', updated);
    expect(updated).toMatchObject({ name: 'Renamed', model: 'gpt-4o-mini', metadata: { v: '2' } });

    const deleted = await t.openai.beta.assistants.delete(created.id);
    expectSpec('DeleteAssistantResponse', deleted);
    expect(deleted).toEqual({ id: created.id, object: 'assistant.deleted', deleted: true });
    await expect(t.openai.beta.assistants.retrieve(created.id)).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  });

  it('answers an unknown id with a typed 404 in OpenAI’s envelope', async () => {
    const error = await t.openai.beta.assistants.retrieve('asst_missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({
      status: 404,
      type: 'invalid_request_error',
      message: "404 No assistant found with id 'asst_missing'.",
    });
    expect((error as APIError).requestID).toMatch(/^req_/);
  });

  it('lists with pagination, and auto-pagination walks every page', async () => {
    const other = await t.createOtherProject();
    const client = t.client(other.apiKey);
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      ids.push((await client.beta.assistants.create({ model: 'gpt-4o', name: `a${index}` })).id);
    }
    const firstPage = await client.beta.assistants.list({ limit: 2 });
    const rawPage = await t.rest('/assistants?limit=2', { apiKey: other.apiKey });
    const rawBody = await rawPage.json();
    expectSpec('ListAssistantsResponse', rawBody);
    expect(rawBody).toMatchObject({
      object: 'list',
      first_id: ids[4],
      last_id: ids[3],
      has_more: true,
    });
    expect(firstPage.data.map((a) => a.id)).toEqual([ids[4], ids[3]]);
    expect(firstPage.has_more).toBe(true);

    const seen: string[] = [];
    for await (const assistant of client.beta.assistants.list({ limit: 2 })) {
      seen.push(assistant.id);
    }
    expect(seen).toEqual([...ids].reverse());

    const ascending = await client.beta.assistants.list({ order: 'asc', after: ids[1] });
    expect(ascending.data.map((a) => a.id)).toEqual(ids.slice(2));
    const before = await client.beta.assistants.list({ order: 'asc', before: ids[3], limit: 2 });
    expect(before.data.map((a) => a.id)).toEqual([ids[1], ids[2]]);
  });

  it('rejects over-limit and malformed fields with OpenAI’s 400s, writing nothing', async () => {
    const other = await t.createOtherProject();
    const client = t.client(other.apiKey);
    const tooManyPairs = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    const cases: [Record<string, unknown>, string | null, string | null][] = [
      [
        { model: 'm', metadata: { note: 'x'.repeat(513) } },
        'metadata.note',
        'string_above_max_length',
      ],
      [{ model: 'm', metadata: tooManyPairs }, 'metadata', 'object_above_max_properties'],
      [
        { model: 'm', metadata: { ['k'.repeat(65)]: 'v' } },
        `metadata.${'k'.repeat(65)}`,
        'string_above_max_length',
      ],
      [{ model: 'm', name: 'n'.repeat(257) }, 'name', 'string_above_max_length'],
      [{ model: 'm', description: 'd'.repeat(513) }, 'description', 'string_above_max_length'],
      [
        { model: 'm', tools: Array.from({ length: 129 }, () => ({ type: 'code_interpreter' })) },
        'tools',
        'array_above_max_length',
      ],
      [{ model: 'm', temperature: 3 }, 'temperature', 'decimal_above_max_value'],
      [{ model: 'm', name: 42 }, 'name', 'invalid_type'],
      [{ model: 'm', tools: [{ type: 'function' }] }, 'tools[0].function', 'invalid_value'],
      [{ model: 'm', tools: [{ type: 'browser' }] }, 'tools[0].type', 'invalid_value'],
      [{ model: 'm', surprise: true }, 'surprise', 'unknown_parameter'],
      [{ name: 'no model' }, 'model', 'missing_required_parameter'],
    ];
    for (const [body, param, code] of cases) {
      const error = await client.beta.assistants
        .create(body as unknown as OpenAI.Beta.AssistantCreateParams)
        .catch((e: unknown) => e);
      expect(error, JSON.stringify(body).slice(0, 80)).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as APIError).param).toBe(param);
      expect((error as APIError).code).toBe(code);
      expect((error as APIError).type).toBe('invalid_request_error');
    }
    const list = await client.beta.assistants.list();
    expect(list.data).toEqual([]);
  });
});
