import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';
import { jsonPost, restErrorOf } from '../setup/rest-error.js';

let t: TestApp;
useTestApp({}, (app) => {
  t = app;
});

/** The error body of a JSON POST that must be refused with 400. */
async function refusal(path: string, body: unknown) {
  const { status, body: error } = await restErrorOf(t, path, jsonPost(body));
  expect(status, JSON.stringify(body)).toBe(400);
  expect(error.error.type).toBe('invalid_request_error');
  // Nothing of GraphQL's vocabulary reaches a REST caller.
  expect(error.error.message).not.toMatch(/enum|Float|Int |String cannot|Boolean|Expected type "/);
  return { message: error.error.message, param: error.error.param, code: error.error.code };
}

describe('REST input errors speak of the caller’s own fields, in OpenAI’s words', () => {
  it('names the supported values of an enum', async () => {
    const thread = await t.openai.beta.threads.create();
    expect(
      await refusal(`/threads/${thread.id}/messages`, { role: 'system', content: 'x' }),
    ).toEqual({
      message: "Invalid value: 'system'. Supported values are: 'assistant' and 'user'.",
      param: 'role',
      code: 'invalid_value',
    });
    expect(await refusal('/assistants', { model: 'm', tools: [{ type: 'browser' }] })).toEqual({
      message:
        "Invalid value: 'browser'. Supported values are: 'code_interpreter', 'file_search', and 'function'.",
      param: 'tools[0].type',
      code: 'invalid_value',
    });
    expect(
      await refusal(`/threads/${thread.id}/messages`, { role: 5, content: 'x' }),
    ).toMatchObject({
      message: "Invalid type for 'role': expected a string, but got an integer instead.",
      code: 'invalid_type',
    });
  });

  it('says which type a scalar field expected and which it got', async () => {
    const thread = await t.openai.beta.threads.create();
    const assistant = await t.openai.beta.assistants.create({ model: 'm' });
    const runs = `/threads/${thread.id}/runs`;
    const run = (fields: Record<string, unknown>) => ({ assistant_id: assistant.id, ...fields });
    const cases: [string, Record<string, unknown>, string, string][] = [
      [
        '/assistants',
        { model: 'm', temperature: 'hot' },
        'temperature',
        'a decimal, but got a string',
      ],
      ['/assistants', { model: 'm', top_p: true }, 'top_p', 'a decimal, but got a boolean'],
      ['/assistants', { model: 'm', name: 5 }, 'name', 'a string, but got an integer'],
      [
        '/assistants',
        { model: 'm', description: 1.5 },
        'description',
        'a string, but got a decimal',
      ],
      [runs, run({ max_prompt_tokens: 1.5 }), 'max_prompt_tokens', 'an integer, but got a decimal'],
      [
        runs,
        run({ max_prompt_tokens: '1000' }),
        'max_prompt_tokens',
        'an integer, but got a string',
      ],
      [
        runs,
        run({ parallel_tool_calls: 'yes' }),
        'parallel_tool_calls',
        'a boolean, but got a string',
      ],
      [
        runs,
        run({ truncation_strategy: 'auto' }),
        'truncation_strategy',
        'an object, but got a string',
      ],
    ];
    for (const [path, body, param, expected] of cases) {
      expect(await refusal(path, body), param).toEqual({
        message: `Invalid type for '${param}': expected ${expected} instead.`,
        param,
        code: 'invalid_type',
      });
    }
  });

  it('refuses a string tool_choice OpenAI does not know as tool_choice itself', async () => {
    const thread = await t.openai.beta.threads.create();
    const assistant = await t.openai.beta.assistants.create({ model: 'm' });
    for (const toolChoice of ['bogus', 'function']) {
      expect(
        await refusal(`/threads/${thread.id}/runs`, {
          assistant_id: assistant.id,
          tool_choice: toolChoice,
        }),
      ).toEqual({
        message: `Invalid value: '${toolChoice}'. Supported values are: 'none', 'auto', and 'required'.`,
        param: 'tool_choice',
        code: 'invalid_value',
      });
    }
    // The object form keeps its own param.
    expect(
      await refusal(`/threads/${thread.id}/runs`, {
        assistant_id: assistant.id,
        tool_choice: { type: 'bogus' },
      }),
    ).toMatchObject({ param: 'tool_choice.type', code: 'invalid_value' });
  });

  it('names a missing required field as the caller would write it', async () => {
    const thread = await t.openai.beta.threads.create();
    expect(await refusal('/assistants', { name: 'no model' })).toEqual({
      message: "Missing required parameter: 'model'.",
      param: 'model',
      code: 'missing_required_parameter',
    });
    const assistant = await t.openai.beta.assistants.create({ model: 'm' });
    const run = (body: Record<string, unknown>) =>
      refusal(`/threads/${thread.id}/runs`, { assistant_id: assistant.id, ...body });
    expect(await run({ tool_choice: { type: 'function' } })).toMatchObject({
      param: 'tool_choice.function',
      code: 'missing_required_parameter',
    });
    expect(await run({ truncation_strategy: {} })).toMatchObject({
      param: 'truncation_strategy.type',
      code: 'missing_required_parameter',
    });
    expect(await run({ response_format: { type: 'json_schema' } })).toMatchObject({
      param: 'response_format.json_schema',
      code: 'missing_required_parameter',
    });
    expect(await refusal('/threads', { messages: [{ content: 'who said this?' }] })).toEqual({
      message: "Missing required parameter: 'messages[0].role'.",
      param: 'messages[0].role',
      code: 'missing_required_parameter',
    });
  });
});
