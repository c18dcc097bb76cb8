import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';
import { restErrorOf } from '../setup/rest-error.js';

let t: TestApp;
useTestApp({}, (app) => {
  t = app;
});

/** `levels` arrays, one inside the other. */
const nestedArrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
/** `levels` objects, one inside the other, around a number. */
const nestedObjects = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

const post = (body: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
});

describe('deeply nested JSON', () => {
  it('is refused with a 400 naming the field, however deep, in renamed and opaque fields alike', async () => {
    const cases: [string, string][] = [
      [`{"model":"m","tools":${nestedArrays(100_000)}}`, 'tools'],
      [`{"model":${nestedArrays(3_000)}}`, 'model'],
      [`{"model":"m","metadata":${nestedObjects(3_000)}}`, 'metadata'],
      [`{"model":"m","tools":[${nestedObjects(3_000)}]}`, 'tools'],
      [
        `{"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"x","schema":${nestedObjects(3_000)}}}}`,
        'response_format',
      ],
      // One level too many: the body and 100 objects in it.
      [`{"model":"m","unknown_field":${nestedObjects(100)}}`, 'unknown_field'],
    ];
    for (const [body, param] of cases) {
      const { status, body: error } = await restErrorOf(t, '/assistants', post(body));
      expect(status, body.slice(0, 60)).toBe(400);
      expect(error.error).toEqual({
        message: `Invalid '${param}': JSON nested deeper than 100 levels is not supported.`,
        type: 'invalid_request_error',
        param,
        code: 'invalid_value',
      });
    }
    expect((await t.openai.beta.assistants.list()).data).toEqual([]);
  });

  it('is accepted up to 100 levels, the body being the first', async () => {
    // The body, tools, the tool, function and parameters are 5 levels; each wrap adds 2.
    let parameters: Record<string, unknown> = { type: 'object', required: ['inner'] };
    for (let wrap = 0; wrap < 47; wrap += 1) {
      parameters = { type: 'object', properties: { inner: parameters } };
    }
    const body = {
      model: 'm',
      tools: [{ type: 'function' as const, function: { name: 'deep', parameters } }],
    };
    expect(depthOf(body)).toBe(100);
    const assistant = await t.openai.beta.assistants.create(body);
    expect(assistant.tools).toMatchObject(body.tools);
    await t.openai.beta.assistants.delete(assistant.id);
  });
});

/** How many objects and arrays deep `value` is (a scalar is 0). */
function depthOf(value: unknown): number {
  return value !== null && typeof value === 'object'
    ? 1 + Math.max(0, ...Object.values(value).map(depthOf))
    : 0;
}

/** Sends `request` on a raw socket; resolves with the status and whatever came back. */
function rawRequest(port: number, request: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('end', () => resolve({ status: Number(text.split(' ')[1]), text }));
    socket.on('error', reject);
    socket.write(request);
  });
}

function get(target: string, host: string): string {
  return `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${t.apiKey}\r\nConnection: close\r\n\r\n`;
}

/** What no error body may show: a stack trace or a path of the server's files. */
const INTERNALS = /\n\s+at |node_modules|\/work\/|\.[jt]s:\d/;

describe('the request target', () => {
  it('is taken as its path in absolute form, for REST and GraphQL alike', async () => {
    const host = `127.0.0.1:${t.port}`;
    const rest = await rawRequest(t.port, get(`http://${host}/v1/assistants`, host));
    expect(rest.status, rest.text).toBe(200);
    expect(rest.text).toContain('"object":"list"');
    const graphql = await rawRequest(
      t.port,
      get(`http://${host}/graphql?query=%7B__typename%7D`, host),
    );
    expect(graphql.status).toBe(200);
    expect(graphql.text).toContain('{"data":{"__typename":"Query"}}');
    const elsewhere = await rawRequest(t.port, get('http://other.example/nothing', host));
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.text).not.toMatch(INTERNALS);
  });

  it('is refused with a 400 when it is not a URL of ours, without showing the server’s internals', async () => {
    const host = `127.0.0.1:${t.port}`;
    const cases: [string, string][] = [
      ['http://host:99999/v1/assistants', host],
      ['http://[::1/v1/assistants', host],
      ['http://host:abc/graphql', host],
      ['ftp://host/v1/assistants', host],
      ['*', host],
      ['/graphql?query=%7B__typename%7D', 'bad host:1'],
      ['/v1/assistants', 'bad host:1'],
    ];
    for (const [target, hostHeader] of cases) {
      const { status, text } = await rawRequest(t.port, get(target, hostHeader));
      expect(status, `${target} (Host: ${hostHeader})`).toBe(400);
      expect(text, target).not.toMatch(INTERNALS);
      expect(text, target).toContain('"type":"invalid_request_error"');
    }
  });
});
