import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';

const MAX = 256 * 1024;
const BUDGET = 512 * 1024;
const BETA = { 'openai-beta': 'assistants=v2' };

/** An assistant body of about `bytes` bytes. */
const assistantBody = (bytes: number) =>
  JSON.stringify({ model: 'gpt-4o', instructions: 'x'.repeat(bytes) });

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function answerOf(req: ClientRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
  });
}

/**
 * A POST whose body is written by the caller: `declared` bytes announced in `content-length`,
 * or chunked when null. Lets a test hold a body half-sent.
 */
function openPost(t: TestApp, path: string, declared: number | null) {
  const req = request(`${t.baseUrl}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${t.apiKey}`,
      'content-type': 'application/json',
      ...BETA,
      ...(declared === null ? {} : { 'content-length': String(declared) }),
    },
  });
  return { req, answer: answerOf(req) };
}

describe('JSON body limits over real HTTP', () => {
  let t: TestApp;
  useTestApp(
    {
      env: {
        JSON_BODY_MAX_BYTES: String(MAX),
        JSON_BODY_BUDGET_BYTES: String(BUDGET),
        FILE_MAX_BYTES: String(4 * MAX),
        UPLOAD_PART_MAX_BYTES: String(4 * MAX),
      },
      worker: false,
    },
    (started) => {
      t = started;
    },
  );

  it('answers a REST body over JSON_BODY_MAX_BYTES 413 in the envelope and writes nothing', async () => {
    const response = await t.rest('/assistants', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: assistantBody(MAX + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: {
        message: `Request body too large: the maximum request body size is ${MAX} bytes.`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    expect((await t.openai.beta.assistants.list()).data).toEqual([]);
  });

  it('refuses a chunked body once it passes the limit, and the connection still answers', async () => {
    const { req, answer } = openPost(t, '/v1/assistants', null);
    // Written in pieces with no declared length: the limit is found while reading.
    for (let sent = 0; sent <= MAX; sent += 16 * 1024) {
      req.write('x'.repeat(16 * 1024));
    }
    req.end();
    const refused = await answer;
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body).error.message).toContain(`${MAX} bytes`);
    expect((await t.openai.beta.assistants.list()).data).toEqual([]);
  });

  it('answers a GraphQL body over the limit 413 with PAYLOAD_TOO_LARGE before anything runs', async () => {
    const response = await fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'mutation ($i: String) { createAssistant(input: { model: "gpt-4o", instructions: $i }) { id } }',
        variables: { i: 'x'.repeat(MAX) },
      }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await t.openai.beta.assistants.list()).data).toEqual([]);
  });

  it('refuses REST bodies of more than 100,000 JSON values with 400 before GraphQL sees them', async () => {
    const response = await t.rest('/threads', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // About 200 KB: under the size limit, but each value costs far more than its bytes.
      body: JSON.stringify({ metadata: {}, messages: [Array.from({ length: 100_001 }, () => 0)] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { param: 'messages', code: 'invalid_value', type: 'invalid_request_error' },
    });
  });

  it('answers bodies beyond the in-flight budget with a retryable 503 and frees it after', async () => {
    const size = Buffer.byteLength(assistantBody(200_000));
    // Two bodies declared and half-sent hold nearly the whole budget.
    const held = [openPost(t, '/v1/assistants', size), openPost(t, '/v1/assistants', size)];
    const body = assistantBody(200_000);
    for (const { req } of held) {
      req.write(body.slice(0, 1024));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));

    const rest = await t.rest('/assistants', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: assistantBody(200_000),
    });
    expect(rest.status).toBe(503);
    expect(rest.headers.get('retry-after')).toBe('1');
    expect(await rest.json()).toEqual({
      error: {
        message:
          'The server is currently overloaded with large requests. Please retry your request after a brief wait.',
        type: 'server_error',
        param: null,
        code: null,
      },
    });
    const graphql = await fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(MAX / 2) }),
    });
    expect(graphql.status).toBe(503);
    expect(
      ((await graphql.json()) as { errors: { extensions: { code: string } }[] }).errors[0]
        ?.extensions.code,
    ).toBe('SERVICE_UNAVAILABLE');
    // Small bodies still fit beside them.
    expect((await t.openai.beta.assistants.list()).data).toEqual([]);

    // The admitted bodies complete, and what they held is free again.
    for (const { req } of held) {
      req.end(body.slice(1024));
    }
    for (const { answer } of held) {
      expect((await answer).status).toBe(200);
    }
    const after = await t.rest('/assistants', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: assistantBody(200_000),
    });
    expect(after.status).toBe(200);
    expect((await t.openai.beta.assistants.list()).data).toHaveLength(3);
  });

  it('leaves uploads larger than the JSON limit to their own limits, on REST and GraphQL', async () => {
    const bytes = Buffer.alloc(3 * MAX, 0x61);
    const file = await t.openai.files.create({
      file: await toFile(bytes, 'big.txt'),
      purpose: 'assistants',
    });
    expect(file.bytes).toBe(bytes.length);

    const upload = await t.openai.uploads.create({
      filename: 'parts.txt',
      purpose: 'assistants',
      bytes: bytes.length,
      mime_type: 'text/plain',
    });
    const part = await t.openai.uploads.parts.create(upload.id, {
      data: await toFile(bytes, 'part'),
    });
    const completed = await t.openai.uploads.complete(upload.id, { part_ids: [part.id] });
    expect(completed.file?.bytes).toBe(bytes.length);

    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query: 'mutation ($f: Upload!) { uploadFile(file: $f, purpose: "assistants") { bytes } }',
        variables: { f: null },
      }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.f'] }));
    form.append('0', new Blob([bytes]), 'graphql.txt');
    const response = await fetch(`${t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.apiKey}` },
      body: form,
    });
    expect(await response.json()).toEqual({ data: { uploadFile: { bytes: bytes.length } } });
  });
});
