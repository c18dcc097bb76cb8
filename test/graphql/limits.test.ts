import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';

let t: TestApp;
useTestApp({ worker: false }, (app) => {
  t = app;
});

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const JSON_MEDIA = 'application/json';

interface Refusal {
  message: string;
  extensions?: { code?: string; limit?: number };
}

interface Answer {
  status: number;
  contentType: string | null;
  body: { data?: unknown; errors?: Refusal[] } | { data?: unknown; errors?: Refusal[] }[];
}

/** POSTs a body as is to `app`'s /graphql, accepting one media type. */
async function post(app: TestApp, body: unknown, accept = GRAPHQL_RESPONSE): Promise<Answer> {
  const response = await fetch(`${app.baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept,
      authorization: `Bearer ${app.apiKey}`,
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: (await response.json()) as Answer['body'],
  };
}

/**
 * Asserts the GraphQL-over-HTTP answer to a document refused before execution: with
 * `application/graphql-response+json`, a 4xx (400, as for validation errors) and no `data`;
 * with `application/json`, 200 and the same errors. Returns the first error.
 */
async function expectRefused(query: string, code: string, variables?: Record<string, unknown>) {
  const strict = await post(t, { query, variables });
  expect(strict.status).toBe(400);
  expect(strict.contentType).toMatch(/^application\/graphql-response\+json/);
  const legacy = await post(t, { query, variables }, JSON_MEDIA);
  expect(legacy.status).toBe(200);
  for (const { body } of [strict, legacy]) {
    expect(body).not.toBeInstanceOf(Array);
    expect(body).not.toHaveProperty('data');
    expect(Array.isArray(body) ? undefined : body.errors?.[0]?.extensions?.code).toBe(code);
  }
  const [error] = Array.isArray(strict.body) ? [] : (strict.body.errors ?? []);
  if (!error) {
    throw new Error('expected an error');
  }
  return error;
}

/** `{ a { a { … { b } } } }`, `depth` fields deep (the schema need not have them). */
function nested(depth: number): string {
  return `{ ${'a { '.repeat(depth - 1)}b${' }'.repeat(depth - 1)} }`;
}

/** `count` aliased createAssistant mutations: each would write a row if it ran. */
function aliasedCreates(count: number): string {
  const creates = Array.from(
    { length: count },
    (_, index) => `a${index}: createAssistant(input: { model: "m" }) { id }`,
  );
  return `mutation { ${creates.join(' ')} }`;
}

describe('GraphQL limits over HTTP', () => {
  it('refuses an operation deeper than 20 fields with DEPTH_LIMIT_EXCEEDED', async () => {
    // Introspection nests as deep as asked (`ofType`), so the document is otherwise valid.
    const query = `query Deep { __schema { types { ${'ofType { '.repeat(18)}name${' }'.repeat(18)} } } }`;
    const error = await expectRefused(query, 'DEPTH_LIMIT_EXCEEDED');
    expect(error.message).toBe("Operation 'Deep' is 21 fields deep; the limit is 20.");
    expect(error.extensions?.limit).toBe(20);
  });

  it('answers a 3,000-deep selection with DEPTH_LIMIT_EXCEEDED before parsing it, not a 500', async () => {
    const error = await expectRefused(nested(3000), 'DEPTH_LIMIT_EXCEEDED');
    expect(error.message).toBe(
      'The document nests more than 256 levels deep; operations may nest fields 20 deep.',
    );
    // The same for values nested in an argument, which the parser reads recursively too.
    const list = `{ assistants(after: ${'['.repeat(3000)}"x"${']'.repeat(3000)}) { pageInfo { hasNextPage } } }`;
    await expectRefused(list, 'DEPTH_LIMIT_EXCEEDED');
  });

  it('follows fragments: a long chain of them is too deep, however shallow each is', async () => {
    const links = Array.from(
      { length: 800 },
      (_, index) =>
        `fragment F${index} on Query { a { ${index < 799 ? `...F${index + 1}` : 'b'} } }`,
    );
    const error = await expectRefused(`{ ...F0 } ${links.join(' ')}`, 'DEPTH_LIMIT_EXCEEDED');
    expect(error.message).toBe('The anonymous operation is 801 fields deep; the limit is 20.');
  });

  it('leaves fragment cycles to validation, which refuses them without looping', async () => {
    const response = await post(t, {
      query: '{ ...A } fragment A on Query { a: __typename ...B } fragment B on Query { ...A }',
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      errors: [
        {
          message: 'Cannot spread fragment "A" within itself via "B".',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
  });

  it('refuses more than 30 aliases with ALIAS_LIMIT_EXCEEDED, before any of them runs', async () => {
    const before = await t.deps.db.assistant.count();
    const error = await expectRefused(aliasedCreates(31), 'ALIAS_LIMIT_EXCEEDED');
    expect(error.message).toBe('The anonymous operation has 31 aliases; the limit is 30.');
    expect(await t.deps.db.assistant.count()).toBe(before);
  });

  it('refuses a 2,000-alias document at once, with nothing executed', async () => {
    const before = await t.deps.db.assistant.count();
    const started = performance.now();
    // 28,000 tokens: the token limit refuses it before it is even parsed.
    await expectRefused(aliasedCreates(2000), 'TOKEN_LIMIT_EXCEEDED');
    // Executed, it took seconds (a 5,000-alias one stalled the server for 9.6 s); refused, the
    // two requests take milliseconds. The bound is loose for a loaded machine.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await t.deps.db.assistant.count()).toBe(before);
  });

  it('counts aliases in fragments once per spread', async () => {
    const fields = Array.from({ length: 10 }, (_, index) => `a${index}: __typename`).join(' ');
    const query = `query Spread { ...F ...F ...F ...F } fragment F on Query { ${fields} }`;
    const error = await expectRefused(query, 'ALIAS_LIMIT_EXCEEDED');
    expect(error.message).toBe("Operation 'Spread' has 40 aliases; the limit is 30.");
  });

  it('refuses more than 50 directives with DIRECTIVE_LIMIT_EXCEEDED', async () => {
    const query = `{ __typename ${'@include(if: true) '.repeat(51)}}`;
    const error = await expectRefused(query, 'DIRECTIVE_LIMIT_EXCEEDED');
    expect(error.message).toBe('The anonymous operation has 51 directives; the limit is 50.');
  });

  it('refuses a document of more than 10,000 tokens with TOKEN_LIMIT_EXCEEDED', async () => {
    // `{`, 9,999 names, `}`: 10,001 tokens.
    const error = await expectRefused(`{ ${'__typename '.repeat(9999)}}`, 'TOKEN_LIMIT_EXCEEDED');
    expect(error.message).toBe('The document has more than 10000 tokens, the limit.');
    expect(error.extensions?.limit).toBe(10_000);
  });

  it('refuses an operation whose lists may return over 10,000 fields with COST_LIMIT_EXCEEDED', async () => {
    // 1 + 10,000 × (nodes + 4 fields, + pageInfo + endCursor): files takes pages of up to
    // 10,000. The connection's whole selection counts per item, pageInfo too (an overestimate).
    const query =
      'query Files { files(first: 10000) { nodes { id filename bytes purpose } pageInfo { endCursor } } }';
    const error = await expectRefused(query, 'COST_LIMIT_EXCEEDED');
    expect(error.message).toMatch(/^Operation 'Files' may cost 70001; the limit is 10000 \(/);
    expect(error.extensions?.limit).toBe(10_000);
  });

  it('counts a list sized by a variable with the value sent, before executing', async () => {
    const query = 'query ($n: Int) { files(first: $n) { nodes { id filename bytes purpose } } }';
    const error = await expectRefused(query, 'COST_LIMIT_EXCEEDED', { n: 5000 });
    expect(error.message).toMatch(/^The anonymous operation may cost 25001; the limit is 10000/);
    const small = await post(t, { query, variables: { n: 10 } });
    expect(small).toMatchObject({ status: 200, body: { data: { files: { nodes: [] } } } });
    // Absent, the list counts as the default page (20 items): 1 + 20 × 5.
    expect((await post(t, { query })).status).toBe(200);
  });

  it('runs ordinary operations within the defaults: GraphiQL’s introspection, a full page', async () => {
    const introspection = await post(t, {
      query: getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
      }),
    });
    expect(introspection.status).toBe(200);
    expect(introspection.body).toHaveProperty('data.__schema.queryType.name', 'Query');
    const page = await t.graphql(
      '{ assistants(first: 100) { nodes { id name model tools { type } metadata } pageInfo { hasNextPage } } }',
    );
    expect(page).toMatchObject({
      status: 200,
      data: { assistants: { pageInfo: { hasNextPage: false } } },
    });
  });
});

describe('batched requests', () => {
  const operation = { query: '{ __typename }' };

  it('runs a batch of up to 10 operations, answering an array', async () => {
    const response = await post(
      t,
      Array.from({ length: 10 }, () => operation),
      JSON_MEDIA,
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual(
      Array.from({ length: 10 }, () => ({ data: { __typename: 'Query' } })),
    );
  });

  it('refuses a batch of 11 whole with BATCH_LIMIT_EXCEEDED (413)', async () => {
    const before = await t.deps.db.assistant.count();
    const creates = Array.from({ length: 11 }, () => ({
      query: 'mutation { createAssistant(input: { model: "m" }) { id } }',
    }));
    const response = await post(t, creates);
    expect(response.status).toBe(413);
    expect(response.body).toEqual({
      errors: [
        {
          message: 'A batch may hold at most 10 operations; this one has 11.',
          extensions: { code: 'BATCH_LIMIT_EXCEEDED', limit: 10 },
        },
      ],
    });
    expect(await t.deps.db.assistant.count()).toBe(before);
  });

  it('checks each operation of a batch against the limits on its own', async () => {
    const response = await post(t, [operation, { query: nested(21) }], JSON_MEDIA);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject([
      { data: { __typename: 'Query' } },
      { errors: [{ extensions: { code: 'DEPTH_LIMIT_EXCEEDED' } }] },
    ]);
  });
});

describe('limits from the environment', () => {
  let tight: TestApp;
  useTestApp(
    {
      worker: false,
      env: {
        GRAPHQL_MAX_DEPTH: '2',
        GRAPHQL_MAX_ALIASES: '1',
        GRAPHQL_MAX_DIRECTIVES: '0',
        GRAPHQL_MAX_TOKENS: '100',
        GRAPHQL_MAX_COST: '30',
        GRAPHQL_MAX_BATCH: '0',
      },
    },
    (app) => {
      tight = app;
    },
  );

  it('replace the defaults', async () => {
    const codes = async (body: unknown) => {
      const { body: answer } = await post(tight, body);
      return Array.isArray(answer) ? [] : answer.errors?.map((error) => error.extensions);
    };
    expect(await codes({ query: '{ assistants { __typename } }' })).toBeUndefined();
    expect(await codes({ query: '{ assistants(first: 1) { nodes { id } } }' })).toEqual([
      { code: 'DEPTH_LIMIT_EXCEEDED', limit: 2 },
    ]);
    expect(await codes({ query: '{ a: __typename b: __typename }' })).toEqual([
      { code: 'ALIAS_LIMIT_EXCEEDED', limit: 1 },
    ]);
    expect(await codes({ query: '{ __typename @skip(if: false) }' })).toEqual([
      { code: 'DIRECTIVE_LIMIT_EXCEEDED', limit: 0 },
    ]);
    expect(await codes({ query: `{ ${'__typename '.repeat(99)}}` })).toEqual([
      { code: 'TOKEN_LIMIT_EXCEEDED', limit: 100 },
    ]);
    // 1 + 20 × (two fields): over 30 at the default page size, under it with first: 1.
    expect(await codes({ query: '{ assistants { __typename t: __typename } }' })).toEqual([
      { code: 'COST_LIMIT_EXCEEDED', limit: 30 },
    ]);
    expect(
      await codes({ query: '{ assistants(first: 1) { __typename t: __typename } }' }),
    ).toBeUndefined();
    expect(await codes([{ query: '{ __typename }' }])).toEqual([
      { code: 'BATCH_LIMIT_EXCEEDED', limit: 0 },
    ]);
  });
});
