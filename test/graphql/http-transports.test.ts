import { describe, expect, it } from 'vitest';
import { GRAPHIQL_DEFAULT_QUERY } from '../../src/graphql/graphiql-default-query.js';
import { type TestApp, useTestApp } from '../setup/app.js';

let t: TestApp;
useTestApp({ worker: false }, (app) => {
  t = app;
});

interface SseEvent {
  event: string;
  data: string;
}

/** Splits an SSE body into its events, skipping comment-only blocks (yoga's `:` keep-alive). */
function parseSse(body: string): SseEvent[] {
  return body
    .split('\n\n')
    .map((block) => block.split('\n').filter((line) => line !== '' && !line.startsWith(':')))
    .filter((lines) => lines.length > 0)
    .map((lines) => ({
      event:
        lines
          .find((line) => line.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message',
      data: lines
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('\n'),
    }));
}

function postSse(query: string, apiKey: string | null): Promise<Response> {
  return fetch(`${t.baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(apiKey === null ? {} : { authorization: `Bearer ${apiKey}` }),
    },
    body: JSON.stringify({ query }),
  });
}

describe('GraphQL over server-sent events', () => {
  it('streams a query’s result as one `next` event followed by `complete`', async () => {
    const other = await t.createOtherProject();
    const created = await t.client(other.apiKey).beta.assistants.create({
      model: 'gpt-4o',
      name: 'streamed',
    });
    const response = await postSse('{ assistants { nodes { id name } } }', other.apiKey);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await response.text());
    expect(events.map((event) => event.event)).toEqual(['next', 'complete']);
    expect(JSON.parse(events[0]?.data ?? '')).toEqual({
      data: { assistants: { nodes: [{ id: created.id, name: 'streamed' }] } },
    });
  });

  it('streams the UNAUTHENTICATED error, with status 401, to a request without a key', async () => {
    const response = await postSse('{ assistants { nodes { id } } }', null);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await response.text());
    expect(events.map((event) => event.event)).toEqual(['next', 'complete']);
    const payload = JSON.parse(events[0]?.data ?? '') as {
      data?: unknown;
      errors: { message: string; extensions: { code: string } }[];
    };
    expect(payload.data).toBeUndefined();
    expect(payload.errors).toHaveLength(1);
    expect(payload.errors[0]?.message).toContain("You didn't provide an API key");
    expect(payload.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('GraphQL over GET', () => {
  it('answers a query sent as URL parameters', async () => {
    const url = new URL(`${t.baseUrl}/graphql`);
    url.searchParams.set(
      'query',
      'query ($first: Int) { assistants(first: $first) { pageInfo { hasNextPage } } }',
    );
    url.searchParams.set('variables', JSON.stringify({ first: 1 }));
    const response = await fetch(url, {
      headers: { accept: 'application/json', authorization: `Bearer ${t.apiKey}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: { assistants: { pageInfo: { hasNextPage: false } } },
    });
  });

  it('refuses a mutation over GET, so a link or an image cannot write', async () => {
    const before = await t.deps.db.assistant.count();
    const url = new URL(`${t.baseUrl}/graphql`);
    url.searchParams.set('query', 'mutation { createAssistant(input: { model: "m" }) { id } }');
    const response = await fetch(url, {
      headers: { accept: 'application/json', authorization: `Bearer ${t.apiKey}` },
    });
    expect(response.status).toBe(405);
    expect(await t.deps.db.assistant.count()).toBe(before);
  });
});

describe('GraphiQL', () => {
  it('serves the GraphiQL page to a browser asking for HTML', async () => {
    const response = await fetch(`${t.baseUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toMatch(/graphiql/i);
    expect(html).toContain('<title>Assistants API</title>');
  });

  it('opens with the Authorization header ready for a key, and a query of the graph', async () => {
    const response = await fetch(`${t.baseUrl}/graphql`, { headers: { accept: 'text/html' } });
    const html = await response.text();
    // The page hands its options to GraphiQL as JSON: each string appears JSON-encoded.
    expect(html).toContain(`"headers":${JSON.stringify('{"Authorization": "Bearer "}')}`);
    expect(html).toContain(`"defaultQuery":${JSON.stringify(GRAPHIQL_DEFAULT_QUERY)}`);
    expect(GRAPHIQL_DEFAULT_QUERY).toContain('query ThreadWithMessagesAndRuns {');
  });
});

describe('text PostgreSQL cannot store', () => {
  it('is refused as INVALID_REQUEST naming the field, not an internal error', async () => {
    const created = await t.graphql(
      'mutation ($input: CreateAssistantInput!) { createAssistant(input: $input) { id } }',
      { input: { model: 'm', metadata: { note: 'a\u0000b' } } },
    );
    expect(created.errors?.[0]?.extensions).toMatchObject({
      code: 'INVALID_REQUEST',
      param: 'metadata.note',
    });
    const read = await t.graphql('query ($id: ID!) { thread(id: $id) { id } }', {
      id: 'thread_\u0000',
    });
    expect(read.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_REQUEST', param: 'id' });
  });
});
