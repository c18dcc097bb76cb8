import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import { startTestApp, type TestApp, useTestApp } from '../setup/app.js';
import { jsonPost, restErrorOf } from '../setup/rest-error.js';

let t: TestApp;
useTestApp({}, (app) => {
  t = app;
});

/** A raw request to this file's app (or `app`) that must fail with OpenAI's envelope. */
const restError = (path: string, init: Parameters<TestApp['rest']>[1] = {}, app: TestApp = t) =>
  restErrorOf(app, path, init);

const json = jsonPost;

describe('malformed requests', () => {
  it('answers a body that is not JSON with a 400 envelope', async () => {
    const { status, body } = await restError('/assistants', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model": "gpt-4o",',
    });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: null, code: null });
    expect(body.error.message).toMatch(/^We could not parse the JSON body of your request\./);
  });

  it('answers JSON that is not an object with a 400 envelope', async () => {
    const before = await t.openai.beta.assistants.list();
    for (const payload of ['[{"model": "gpt-4o"}]', 'null', '"gpt-4o"', '42', 'true']) {
      const { status, body } = await restError('/assistants', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
      });
      expect(status, payload).toBe(400);
      expect(body.error.type).toBe('invalid_request_error');
    }
    const after = await t.openai.beta.assistants.list();
    expect(after.data).toEqual(before.data);
  });

  it('refuses text PostgreSQL cannot store (NUL, lone surrogates) with a 400 naming the field', async () => {
    const cases: [string, Parameters<TestApp['rest']>[1], string][] = [
      ['/assistants', json({ model: 'gpt\u0000-4o' }), 'model'],
      ['/assistants', json({ model: 'm', metadata: { note: 'half \ud83d' } }), 'metadata.note'],
      [
        '/threads',
        json({ messages: [{ role: 'user', content: [{ type: 'text', text: '\udc00' }] }] }),
        'messages[0].content[0].text',
      ],
      ['/assistants/asst_%00', {}, 'assistant_id'],
      ['/assistants?after=%00', {}, 'after'],
    ];
    for (const [path, init, param] of cases) {
      const { status, body } = await restError(path, init);
      expect(status, path).toBe(400);
      expect(body.error).toMatchObject({
        type: 'invalid_request_error',
        param,
        code: 'invalid_value',
      });
    }
    // A whole emoji is a surrogate pair, not a lone surrogate.
    const emoji = await t.openai.beta.assistants.create({ model: 'm', name: '🙂' });
    expect(emoji.name).toBe('🙂');
    await t.openai.beta.assistants.delete(emoji.id);
  });

  it('answers an unknown route or method with a 404 envelope naming it', async () => {
    const unknown = await restError('/nothing/here');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toEqual({
      message: 'Invalid URL (GET /v1/nothing/here)',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    const wrongMethod = await restError('/assistants', { method: 'PUT', body: '{}' });
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.body.error.message).toBe('Invalid URL (PUT /v1/assistants)');
  });

  it('never answers a bad input with a 500', async () => {
    const thread = await t.openai.beta.threads.create();
    const cases: [string, Parameters<TestApp['rest']>[1]][] = [
      ['/assistants', json({ model: null })],
      ['/assistants', json({ model: ['gpt-4o'] })],
      ['/assistants', json({ model: 'm', metadata: 'x' })],
      ['/assistants', json({ model: 'm', metadata: [] })],
      ['/assistants', json({ model: 'm', metadata: { a: null } })],
      ['/assistants', json({ model: 'm', metadata: { a: { nested: 'x' } } })],
      ['/assistants', json({ model: 'm', tools: 'code_interpreter' })],
      ['/assistants', json({ model: 'm', tools: [null] })],
      ['/assistants', json({ model: 'm', tools: [{ type: 'function', function: {} }] })],
      ['/assistants', json({ model: 'm', temperature: 'hot' })],
      ['/assistants', json({ model: 'm', response_format: 5 })],
      ['/assistants', json({ model: 'm', response_format: 'yaml' })],
      ['/assistants', json({ model: 'm', response_format: { type: 'json_schema' } })],
      [
        '/assistants',
        json({ model: 'm', tool_resources: { code_interpreter: { file_ids: 'f' } } }),
      ],
      [
        '/assistants',
        json({ model: 'm', tool_resources: { file_search: { vector_store_ids: [1] } } }),
      ],
      ['/assistants', json({ model: 'm\u0000' })],
      ['/assistants', json({ model: 'm', metadata: { key: 'nul\u0000' } })],
      ['/assistants', json({ model: 'm', name: '\ud800' })],
      ['/assistants?limit=abc', {}],
      ['/assistants?limit=-1', {}],
      ['/assistants?limit=99999999999999999999', {}],
      ['/assistants?limit[]=1', {}],
      ['/assistants?order[]=asc', {}],
      ['/assistants?after[x]=1', {}],
      ['/assistants?before=asst_nowhere', {}],
      ['/assistants/%E0%A4%A', {}],
      [`/assistants/${'a'.repeat(5000)}`, {}],
      ['/threads', json({ messages: 'hello' })],
      ['/threads', json({ messages: [null] })],
      ['/threads', json({ messages: [{ role: 'user', content: [null] }] })],
      ['/threads', json({ messages: [{ role: 'user', content: 42 }] })],
      ['/threads', json({ messages: [{ role: 'user', content: 'x', attachments: [{}] }] })],
      ['/threads', json({ tool_resources: 5 })],
      ['/threads', json({ metadata: { ['k'.repeat(65)]: 'v' } })],
      [`/threads/${thread.id}`, json({ messages: [] })],
      [`/threads/${thread.id}/messages`, json({ role: 'user', content: 'x', attachments: [{}] })],
      [
        `/threads/${thread.id}/messages`,
        json({ role: 'user', content: [{ type: 'image_url', image_url: { url: 'not a url' } }] }),
      ],
      [
        `/threads/${thread.id}/messages`,
        json({ role: 'user', content: [{ type: 'image_file', image_file: {} }] }),
      ],
      [`/threads/${thread.id}/messages?run_id[]=run_a`, {}],
      [`/threads/${thread.id}/messages?limit=1.5`, {}],
      [`/threads/${thread.id}/messages/msg_x`, json({ role: 'user' })],
      ['/threads/%ZZ/messages', {}],
      ['/assistants/%00', {}],
      ['/assistants?after=%00', {}],
      [`/threads/${thread.id}/messages?run_id=%00`, {}],
      [`/threads/${thread.id}/messages?before=%ED%A0%80`, {}],
      [`/threads/${thread.id}`, json({ metadata: { 'nul\u0000key': 'v' } })],
      [`/threads/${thread.id}/runs`, json({})],
      [`/threads/${thread.id}/runs`, json({ assistant_id: 'asst_nowhere' })],
      [`/threads/${thread.id}/runs?include[]=nope`, json({ assistant_id: 'asst_nowhere' })],
      [`/threads/${thread.id}/runs/run_nowhere`, {}],
      [`/threads/${thread.id}/runs/run_nowhere/cancel`, { method: 'POST' }],
      ['/threads/runs', json({ thread: 'x' })],
    ];
    const unexpected: string[] = [];
    for (const [path, init] of cases) {
      const { status, body } = await restError(path, init);
      if (status < 400 || status >= 500) {
        const request = `${init?.method ?? 'GET'} ${path.slice(0, 60)} ${String(init?.body ?? '')}`;
        unexpected.push(`${request} → ${status} ${body.error.message}`);
      }
    }
    expect(unexpected).toEqual([]);
    const messages = await t.openai.beta.threads.messages.list(thread.id);
    expect(messages.data).toEqual([]);
  });
});

describe('authentication and the beta header', () => {
  it('answers a request without credentials with 401 and OpenAI’s hint', async () => {
    const withoutKey: Record<string, string>[] = [
      {},
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: 'Bearer' },
    ];
    for (const headers of withoutKey) {
      const { status, body } = await restError('/assistants', { apiKey: null, headers });
      expect(status, JSON.stringify(headers)).toBe(401);
      expect(body.error.type).toBe('invalid_request_error');
      expect(body.error.message).toMatch(/^You didn't provide an API key\./);
    }
  });

  it('answers a wrong key with 401 invalid_api_key, over raw HTTP and the SDK', async () => {
    const raw = await restError('/assistants', { apiKey: 'sk-wrong-key-0123456789' });
    expect(raw.status).toBe(401);
    expect(raw.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      param: null,
    });
    expect(raw.body.error.message).toMatch(/^Incorrect API key provided: /);
    // The key is masked, never echoed back whole.
    expect(raw.body.error.message).not.toContain('sk-wrong-key-0123456789');

    const error = await apiError(t.client('sk-wrong-key-0123456789').beta.threads.create());
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('answers a placeholder or malformed key as an incorrect key, not a missing one', async () => {
    const cases: [string, string][] = [
      ['Bearer <your API key>', 'Incorrect API key provided: <yo***key>.'],
      ['Bearer sk-abc def-123456', 'Incorrect API key provided: sk-***3456.'],
    ];
    for (const [authorization, message] of cases) {
      const { status, body } = await restError('/assistants', {
        apiKey: null,
        headers: { authorization },
      });
      expect(status, authorization).toBe(401);
      expect(body.error, authorization).toEqual({
        message,
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      });
    }
  });

  it('accepts Assistants routes without the OpenAI-Beta header by default', async () => {
    const thread = await t.openai.beta.threads.create();
    for (const path of ['/assistants', `/threads/${thread.id}`, `/threads/${thread.id}/messages`]) {
      const response = await t.rest(path, { beta: false });
      expect(response.status, path).toBe(200);
    }
  });

  it('refuses Assistants routes without the OpenAI-Beta header when REQUIRE_BETA_HEADER is on', async () => {
    const strict = await startTestApp({ REQUIRE_BETA_HEADER: 'true' }, { worker: false });
    try {
      const thread = await strict.openai.beta.threads.create();
      for (const path of [
        '/assistants',
        `/threads/${thread.id}`,
        `/threads/${thread.id}/messages`,
      ]) {
        const { status, body } = await restError(path, { beta: false }, strict);
        expect(status, path).toBe(400);
        expect(body.error).toEqual({
          message:
            "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try again by setting the header 'OpenAI-Beta: assistants=v2'.",
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_beta',
        });
      }
      const v1 = await restError(
        '/assistants',
        { beta: false, headers: { 'openai-beta': 'assistants=v1' } },
        strict,
      );
      expect(v1.body.error.code).toBe('invalid_beta');
      const ok = await strict.rest('/assistants', { headers: { 'openai-beta': 'assistants=v2' } });
      expect(ok.status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('request ids', () => {
  it('sends x-request-id on every response, and the SDK exposes it', async () => {
    const creating = t.openai.beta.assistants.create({ model: 'gpt-4o' });
    const { response, request_id } = await creating.withResponse();
    const created = await creating;
    const header = response.headers.get('x-request-id');
    expect(header).toMatch(/^req_[A-Za-z0-9]{24}$/);
    expect(request_id).toBe(header);
    expect(created._request_id).toBe(header);

    const retrieved = await t.openai.beta.assistants.retrieve(created.id);
    expect(retrieved._request_id).toMatch(/^req_/);
    expect(retrieved._request_id).not.toBe(header);

    const error = await apiError(t.openai.beta.assistants.retrieve('asst_nowhere'));
    expect(error.requestID).toMatch(/^req_[A-Za-z0-9]{24}$/);
    expect(error.requestID).toBe(error.headers?.get('x-request-id'));
  });

  it('keeps a well-formed caller request id and replaces a malformed one', async () => {
    const kept = await t.rest('/assistants', { headers: { 'x-request-id': 'trace-42.a_b' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-42.a_b');
    const replaced = await t.rest('/assistants', { headers: { 'x-request-id': 'has spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^req_/);
  });
});

describe('tenancy', () => {
  it('hides one project’s assistants, threads and messages from another', async () => {
    const a = t.client((await t.createOtherProject()).apiKey);
    const b = t.client((await t.createOtherProject()).apiKey);
    const assistant = await a.beta.assistants.create({ model: 'gpt-4o', name: 'private' });
    const thread = await a.beta.threads.create({ metadata: { owner: 'a' } });
    const message = await a.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: 'secret',
    });
    const mine = await b.beta.assistants.create({ model: 'gpt-4o', name: 'b’s own' });

    const attempts: [string, () => Promise<unknown>, 'assistant' | 'thread'][] = [
      ['retrieve assistant', () => b.beta.assistants.retrieve(assistant.id), 'assistant'],
      [
        'update assistant',
        () => b.beta.assistants.update(assistant.id, { name: 'x' }),
        'assistant',
      ],
      ['delete assistant', () => b.beta.assistants.delete(assistant.id), 'assistant'],
      ['retrieve thread', () => b.beta.threads.retrieve(thread.id), 'thread'],
      ['update thread', () => b.beta.threads.update(thread.id, { metadata: { x: 'b' } }), 'thread'],
      ['delete thread', () => b.beta.threads.delete(thread.id), 'thread'],
      ['list messages', () => b.beta.threads.messages.list(thread.id), 'thread'],
      [
        'create message',
        () => b.beta.threads.messages.create(thread.id, { role: 'user', content: 'x' }),
        'thread',
      ],
      [
        'retrieve message',
        () => b.beta.threads.messages.retrieve(message.id, { thread_id: thread.id }),
        'thread',
      ],
      [
        'update message',
        () => b.beta.threads.messages.update(message.id, { thread_id: thread.id, metadata: {} }),
        'thread',
      ],
      [
        'delete message',
        () => b.beta.threads.messages.delete(message.id, { thread_id: thread.id }),
        'thread',
      ],
    ];
    for (const [label, attempt, kind] of attempts) {
      const error = await apiError(attempt());
      expect(error, label).toBeInstanceOf(OpenAI.NotFoundError);
      const id = kind === 'assistant' ? assistant.id : thread.id;
      expect(error.message, label).toBe(`404 No ${kind} found with id '${id}'.`);
    }

    const bList = await b.beta.assistants.list();
    expect(bList.data.map((item) => item.id)).toEqual([mine.id]);
    expect(await a.beta.assistants.retrieve(assistant.id)).toEqual(assistant);
    expect(await a.beta.threads.retrieve(thread.id)).toEqual(thread);
    const messages = await a.beta.threads.messages.list(thread.id);
    expect(messages.data).toEqual([message]);
  });
});
