import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/app.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';
import { expectSpec } from '../setup/openapi.js';
import { apiError, FILE_SEARCH_CONTENT, type RunFixtures, runFixtures } from './run-fixtures.js';

let t: TestApp;
let upstream: FakeUpstream;
let f: RunFixtures;

useAppWithUpstream({}, (app) => {
  ({ t, upstream } = app);
  f = runFixtures(t, upstream);
});

describe('listing runs', () => {
  it('lists newest first, pages with limit and after, and auto-paginates, every item spec-valid', async () => {
    const { assistant, thread } = await f.assistantAndThread();
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      ids.push((await f.completedRun(thread.id, assistant.id, `answer ${index}`)).id);
    }
    const [oldest, middle, newest] = ids;

    const page = await t.openai.beta.threads.runs.list(thread.id);
    for (const run of page.data) {
      expectSpec('RunObject', run);
    }
    expect(page.data.map((run) => run.id)).toEqual([newest, middle, oldest]);
    expect(page.has_more).toBe(false);
    expect(page.data[0]).toEqual(
      await t.openai.beta.threads.runs.retrieve(newest ?? '', { thread_id: thread.id }),
    );

    const envelope = await f.rawList(`/threads/${thread.id}/runs?limit=2`, 'ListRunsResponse');
    expect(envelope).toMatchObject({
      object: 'list',
      first_id: newest,
      last_id: middle,
      has_more: true,
    });

    const ascending = await t.openai.beta.threads.runs.list(thread.id, { order: 'asc', limit: 2 });
    expect(ascending.data.map((run) => run.id)).toEqual([oldest, middle]);
    expect(ascending.has_more).toBe(true);
    const rest = await t.openai.beta.threads.runs.list(thread.id, {
      order: 'asc',
      after: middle,
    });
    expect(rest.data.map((run) => run.id)).toEqual([newest]);
    expect(rest.has_more).toBe(false);
    const older = await t.openai.beta.threads.runs.list(thread.id, { limit: 1, after: newest });
    expect(older.data.map((run) => run.id)).toEqual([middle]);
    expect(older.has_more).toBe(true);

    const walked: string[] = [];
    for await (const run of t.openai.beta.threads.runs.list(thread.id, { limit: 1 })) {
      expectSpec('RunObject', run);
      walked.push(run.id);
    }
    expect(walked).toEqual([newest, middle, oldest]);
  });

  it('lists no runs of a fresh thread, as an empty spec-valid page', async () => {
    const thread = await t.openai.beta.threads.create();
    const body = await f.rawList(`/threads/${thread.id}/runs`, 'ListRunsResponse');
    expect(body).toEqual({
      object: 'list',
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
  });
});

describe('reading and updating a run', () => {
  it('does not find a run through another thread of the same project', async () => {
    const { assistant, thread } = await f.assistantAndThread();
    const run = await f.completedRun(thread.id, assistant.id);
    const other = await t.openai.beta.threads.create();
    const error = await apiError(
      t.openai.beta.threads.runs.retrieve(run.id, { thread_id: other.id }),
    );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.message).toBe(`404 No run found with id '${run.id}'.`);
    const steps = await apiError(
      t.openai.beta.threads.runs.steps.list(run.id, { thread_id: other.id }),
    );
    expect(steps.status).toBe(404);
  });

  it('updates metadata in any status: running, cancelled and completed', async () => {
    const { assistant, thread } = await f.assistantAndThread();
    upstream.script({ text: ['partial '], hang: true });
    const requestsBefore = upstream.requests.length;
    const running = await t.openai.beta.threads.runs.create(thread.id, {
      assistant_id: assistant.id,
      metadata: { stage: 'created' },
    });
    await upstream.waitForRequest(requestsBefore + 1);

    const whileRunning = await t.openai.beta.threads.runs.update(running.id, {
      thread_id: thread.id,
      metadata: { stage: 'running' },
    });
    expectSpec('RunObject', whileRunning);
    expect(whileRunning).toMatchObject({ status: 'in_progress', metadata: { stage: 'running' } });

    await t.openai.beta.threads.runs.cancel(running.id, { thread_id: thread.id });
    const cancelled = await t.openai.beta.threads.runs.poll(running.id, { thread_id: thread.id });
    expect(cancelled.status).toBe('cancelled');
    const afterCancel = await t.openai.beta.threads.runs.update(running.id, {
      thread_id: thread.id,
      metadata: { stage: 'cancelled' },
    });
    expectSpec('RunObject', afterCancel);
    expect(afterCancel).toEqual({ ...cancelled, metadata: { stage: 'cancelled' } });

    const completed = await f.completedRun(thread.id, assistant.id);
    const updated = await t.openai.beta.threads.runs.update(completed.id, {
      thread_id: thread.id,
      metadata: { reviewed: 'yes' },
    });
    expectSpec('RunObject', updated);
    expect(updated).toEqual({ ...completed, metadata: { reviewed: 'yes' } });
    expect(
      await t.openai.beta.threads.runs.retrieve(completed.id, { thread_id: thread.id }),
    ).toEqual(updated);

    const tooLong = await apiError(
      t.openai.beta.threads.runs.update(completed.id, {
        thread_id: thread.id,
        metadata: { reviewed: 'x'.repeat(513) },
      }),
    );
    expect(tooLong).toMatchObject({
      status: 400,
      param: 'metadata.reviewed',
      code: 'string_above_max_length',
    });
  });
});

describe('run steps', () => {
  it('pages a run’s steps and retrieves one with the file_search content include', async () => {
    const { thread, run } = await f.pausedRun('call_oslo');
    upstream.script({ text: 'Sunny in Oslo.' });
    const done = await t.openai.beta.threads.runs.submitToolOutputsAndPoll(run.id, {
      thread_id: thread.id,
      tool_outputs: [{ tool_call_id: 'call_oslo', output: 'sunny' }],
    });
    expect(done.status).toBe('completed');

    const first = await t.openai.beta.threads.runs.steps.list(run.id, {
      thread_id: thread.id,
      order: 'asc',
      limit: 1,
    });
    expect(first.data.map((step) => step.type)).toEqual(['tool_calls']);
    expect(first.has_more).toBe(true);
    const second = await t.openai.beta.threads.runs.steps.list(run.id, {
      thread_id: thread.id,
      order: 'asc',
      limit: 1,
      after: first.data[0]?.id,
    });
    expect(second.data.map((step) => step.type)).toEqual(['message_creation']);
    expect(second.has_more).toBe(false);

    const walked: OpenAI.Beta.Threads.Runs.RunStep[] = [];
    for await (const step of t.openai.beta.threads.runs.steps.list(run.id, {
      thread_id: thread.id,
      limit: 1,
      include: [FILE_SEARCH_CONTENT],
    })) {
      expectSpec('RunStepObject', step);
      walked.push(step);
    }
    expect(walked.map((step) => step.id)).toEqual([second.data[0]?.id, first.data[0]?.id]);

    const query = `include%5B%5D=${encodeURIComponent(FILE_SEARCH_CONTENT)}`;
    const envelope = await f.rawList(
      `/threads/${thread.id}/runs/${run.id}/steps?${query}`,
      'ListRunStepsResponse',
    );
    expect(envelope.data.map((step) => step.id)).toEqual(walked.map((step) => step.id));

    const toolStep = first.data[0];
    const retrieved = await t.openai.beta.threads.runs.steps.retrieve(toolStep?.id ?? '', {
      thread_id: thread.id,
      run_id: run.id,
      include: [FILE_SEARCH_CONTENT],
    });
    expectSpec('RunStepObject', retrieved);
    expect(retrieved).toEqual(toolStep);
    expect(retrieved.step_details).toEqual({
      type: 'tool_calls',
      tool_calls: [
        {
          id: 'call_oslo',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Oslo"}', output: 'sunny' },
        },
      ],
    });

    const missing = await apiError(
      t.openai.beta.threads.runs.steps.retrieve('step_missing', {
        thread_id: thread.id,
        run_id: run.id,
      }),
    );
    expect(missing.status).toBe(404);
  });
});

describe('creating runs', () => {
  it('accepts the file_search content include on createRun and refuses any other value, creating no run', async () => {
    const { assistant, thread } = await f.assistantAndThread();
    const response = await t.rest(
      `/threads/${thread.id}/runs?include%5B%5D=${encodeURIComponent('step_details.other')}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ assistant_id: assistant.id }),
      },
    );
    const body = (await response.json()) as { error: { param: string | null; code: string } };
    expect(response.status).toBe(400);
    expectSpec('ErrorResponse', body);
    expect(body.error).toMatchObject({ param: 'include[0]', code: 'invalid_value' });
    expect((await t.openai.beta.threads.runs.list(thread.id)).data).toEqual([]);

    upstream.script({ text: 'ok' });
    const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
      include: [FILE_SEARCH_CONTENT],
    });
    expect(run.status).toBe('completed');
  });

  it('adds additional_messages to the thread and appends additional_instructions to the system message', async () => {
    const { assistant, thread } = await f.assistantAndThread();
    upstream.script({ text: 'Bonjour.' });
    const requestsBefore = upstream.requests.length;
    const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
      additional_instructions: 'Answer in French.',
      additional_messages: [
        { role: 'user', content: 'And in French?', metadata: { extra: '1' } },
        { role: 'user', content: [{ type: 'text', text: 'Please.' }] },
      ],
    });
    expectSpec('RunObject', run);
    expect(run.status).toBe('completed');
    expect(run.instructions).toBe('You are terse.\n\nAnswer in French.');

    expect(upstream.requests[requestsBefore]?.body.messages).toEqual([
      { role: 'system', content: 'You are terse.\n\nAnswer in French.' },
      { role: 'user', content: [{ type: 'text', text: 'Say hello' }] },
      { role: 'user', content: [{ type: 'text', text: 'And in French?' }] },
      { role: 'user', content: [{ type: 'text', text: 'Please.' }] },
    ]);

    const messages = await t.openai.beta.threads.messages.list(thread.id, { order: 'asc' });
    for (const message of messages.data) {
      expectSpec('MessageObject', message);
    }
    expect(
      messages.data.map((m) => [
        m.role,
        m.run_id,
        m.content[0]?.type === 'text' ? m.content[0].text.value : null,
      ]),
    ).toEqual([
      ['user', null, 'Say hello'],
      ['user', null, 'And in French?'],
      ['user', null, 'Please.'],
      ['assistant', run.id, 'Bonjour.'],
    ]);
    expect(messages.data[1]?.metadata).toEqual({ extra: '1' });
  });

  it('refuses an invalid additional message by its param, adding no message and no run', async () => {
    const { assistant, thread } = await f.assistantAndThread();
    const error = await apiError(
      t.openai.beta.threads.runs.create(thread.id, {
        assistant_id: assistant.id,
        additional_messages: [
          { role: 'user', content: 'fine' },
          { role: 'user', content: [{ type: 'image_file', image_file: { file_id: 'file-nope' } }] },
        ],
      }),
    );
    expect(error).toMatchObject({
      status: 400,
      param: 'additional_messages[1].content[0].image_file.file_id',
    });
    const messages = await t.openai.beta.threads.messages.list(thread.id);
    expect(messages.data.map((m) => m.role)).toEqual(['user']);
    expect((await t.openai.beta.threads.runs.list(thread.id)).data).toEqual([]);
  });

  it('sends the model override and a json_schema response_format to the upstream', async () => {
    const { assistant, thread } = await f.assistantAndThread();
    const schema = {
      type: 'object',
      properties: { greeting: { type: 'string' } },
      required: ['greeting'],
    };
    upstream.script({ text: '{"greeting":"hi"}' });
    const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
      model: 'gpt-4o-mini',
      response_format: { type: 'json_schema', json_schema: { name: 'greeting', schema } },
    });
    expectSpec('RunObject', run);
    expect(run).toMatchObject({
      status: 'completed',
      model: 'gpt-4o-mini',
      response_format: { type: 'json_schema', json_schema: { name: 'greeting', schema } },
    });
    expect(upstream.requests.at(-1)?.body).toMatchObject({
      model: 'gpt-4o-mini',
      response_format: { type: 'json_schema', json_schema: { name: 'greeting', schema } },
    });
  });

  it('sends an image_url part to the upstream as a multimodal part', async () => {
    const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
    const thread = await t.openai.beta.threads.create({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            {
              type: 'image_url',
              image_url: { url: 'https://example.com/cat.png', detail: 'high' },
            },
          ],
        },
      ],
    });
    upstream.script({ text: 'A cat.' });
    const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
    });
    expect(run.status).toBe('completed');
    expect(upstream.requests.at(-1)?.body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this picture?' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } },
        ],
      },
    ]);
  });

  it('answers invalid stream: true requests with a JSON 400 before any event, creating nothing', async () => {
    const { assistant, thread } = await f.assistantAndThread();
    const runsBefore = await t.deps.db.run.count();
    const threadsBefore = await t.deps.db.thread.count();
    const post = (path: string, body: Record<string, unknown>) =>
      t.rest(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ assistant_id: assistant.id, stream: true, ...body }),
      });

    const onThread = await post(`/threads/${thread.id}/runs`, { max_prompt_tokens: 100 });
    expect(onThread.status).toBe(400);
    expect(onThread.headers.get('content-type')).toContain('application/json');
    const onThreadBody = (await onThread.json()) as { error: { param: string | null } };
    expectSpec('ErrorResponse', onThreadBody);
    expect(onThreadBody.error.param).toBe('max_prompt_tokens');

    const withThread = await post('/threads/runs', {
      thread: {
        messages: [
          { role: 'user', content: 'fine' },
          { role: 'user', content: [] },
        ],
      },
    });
    expect(withThread.status).toBe(400);
    expect(withThread.headers.get('content-type')).toContain('application/json');
    const withThreadBody = (await withThread.json()) as { error: { param: string | null } };
    expectSpec('ErrorResponse', withThreadBody);
    expect(withThreadBody.error.param).toBe('thread.messages[1].content');

    expect(await t.deps.db.run.count()).toBe(runsBefore);
    expect(await t.deps.db.thread.count()).toBe(threadsBefore);
    expect(await t.deps.db.message.count({ where: { threadId: thread.id } })).toBe(1);
  });

  it('answers run routes on a deleted thread with 404 naming the thread', async () => {
    const { assistant, thread } = await f.assistantAndThread();
    const run = await f.completedRun(thread.id, assistant.id);
    await t.openai.beta.threads.delete(thread.id);
    const expected = `404 No thread found with id '${thread.id}'.`;
    const attempts: [string, () => Promise<unknown>][] = [
      [
        'create',
        () => t.openai.beta.threads.runs.create(thread.id, { assistant_id: assistant.id }),
      ],
      ['list', () => t.openai.beta.threads.runs.list(thread.id)],
      ['retrieve', () => t.openai.beta.threads.runs.retrieve(run.id, { thread_id: thread.id })],
      [
        'update',
        () =>
          t.openai.beta.threads.runs.update(run.id, { thread_id: thread.id, metadata: { a: 'b' } }),
      ],
      ['cancel', () => t.openai.beta.threads.runs.cancel(run.id, { thread_id: thread.id })],
      ['steps', () => t.openai.beta.threads.runs.steps.list(run.id, { thread_id: thread.id })],
    ];
    for (const [what, attempt] of attempts) {
      const error = await apiError(attempt());
      expect(error, what).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error.message, what).toBe(expected);
    }
  });
});

describe('tenancy of runs', () => {
  it('hides a run from another project: retrieve, list, cancel, submit and steps are 404s', async () => {
    const { thread, run } = await f.pausedRun('call_private');
    const other = t.client((await t.createOtherProject()).apiKey);

    const attempts: [string, () => Promise<unknown>][] = [
      ['retrieve', () => other.beta.threads.runs.retrieve(run.id, { thread_id: thread.id })],
      ['list', () => other.beta.threads.runs.list(thread.id)],
      ['cancel', () => other.beta.threads.runs.cancel(run.id, { thread_id: thread.id })],
      [
        'submitToolOutputs',
        () =>
          other.beta.threads.runs.submitToolOutputs(run.id, {
            thread_id: thread.id,
            tool_outputs: [{ tool_call_id: 'call_private', output: 'stolen' }],
          }),
      ],
      ['steps', () => other.beta.threads.runs.steps.list(run.id, { thread_id: thread.id })],
      [
        'create',
        () => other.beta.threads.runs.create(thread.id, { assistant_id: run.assistant_id }),
      ],
    ];
    for (const [what, attempt] of attempts) {
      const error = await apiError(attempt());
      expect(error, what).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error.message, what).not.toContain(run.id);
    }

    const untouched = await t.openai.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
    expect(untouched.status).toBe('requires_action');
    upstream.script({ text: 'Sunny.' });
    const done = await t.openai.beta.threads.runs.submitToolOutputsAndPoll(run.id, {
      thread_id: thread.id,
      tool_outputs: [{ tool_call_id: 'call_private', output: 'sunny' }],
    });
    expect(done.status).toBe('completed');
    const [toolStep] = (
      await t.openai.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc' })
    ).data;
    expect(toolStep?.step_details).toMatchObject({
      tool_calls: [{ id: 'call_private', function: { output: 'sunny' } }],
    });
  });
});
