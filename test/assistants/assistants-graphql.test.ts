import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';
import { dataOf, firstError } from '../setup/graphql-response.js';

let t: TestApp;
useTestApp({ worker: false }, (app) => {
  t = app;
});

const ASSISTANT_FIELDS = `
  id createdAt name description model instructions metadata temperature topP reasoningEffort
  tools {
    type
    function { name description parameters strict }
    fileSearch { maxNumResults rankingOptions { ranker scoreThreshold } }
  }
  responseFormat { type jsonSchema { name description schema strict } }
  toolResources { codeInterpreter { fileIds } fileSearch { vectorStoreIds } }
`;

const CREATE = `mutation Create($input: CreateAssistantInput!) {
  createAssistant(input: $input) { ${ASSISTANT_FIELDS} }
}`;
const GET = `query Get($id: ID!) { assistant(id: $id) { ${ASSISTANT_FIELDS} } }`;
const UPDATE = `mutation Update($id: ID!, $input: UpdateAssistantInput!) {
  updateAssistant(id: $id, input: $input) { ${ASSISTANT_FIELDS} }
}`;
const LIST = `query List($first: Int, $last: Int, $order: SortOrder, $after: String, $before: String) {
  assistants(first: $first, last: $last, order: $order, after: $after, before: $before) {
    edges { cursor node { id name } }
    nodes { id name }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

interface Assistant {
  id: string;
  createdAt: number;
  name: string | null;
  description: string | null;
  model: string;
  instructions: string | null;
  metadata: Record<string, string>;
  temperature: number | null;
  topP: number | null;
  reasoningEffort: string | null;
  tools: unknown[];
  responseFormat: unknown;
  toolResources: unknown;
}

type ListedAssistant = { id: string; name: string | null };

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

interface AssistantConnection {
  edges: { cursor: string; node: ListedAssistant }[];
  nodes: ListedAssistant[];
  pageInfo: PageInfo;
}

/** The connection a page of `nodes` is: each edge's cursor is its node's id. */
function connection(
  nodes: { id: string | undefined; name: string | null }[],
  pageInfo: { [K in keyof PageInfo]: PageInfo[K] | undefined },
) {
  return { edges: nodes.map((node) => ({ cursor: node.id, node })), nodes, pageInfo };
}

async function create(input: Record<string, unknown>, apiKey?: string): Promise<Assistant> {
  const response = await t.graphql<{ createAssistant: Assistant }>(CREATE, { input }, { apiKey });
  return dataOf(response).createAssistant;
}

const weatherParameters = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } },
  required: ['city'],
  additionalProperties: false,
};

describe('assistants over GraphQL', () => {
  it('creates an assistant with every kind of tool, a JSON schema format and metadata', async () => {
    const before = Math.floor(Date.now() / 1000);
    const created = await create({
      model: 'gpt-4o',
      name: 'Forecaster',
      description: 'Tells the weather',
      instructions: 'Answer in Celsius.',
      temperature: 0.4,
      topP: 0.9,
      reasoningEffort: 'low',
      metadata: { team: 'weather', tier: 'gold' },
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: weatherParameters,
            strict: true,
          },
        },
        {
          type: 'file_search',
          fileSearch: { maxNumResults: 7, rankingOptions: { ranker: 'auto', scoreThreshold: 0.5 } },
        },
        { type: 'code_interpreter' },
      ],
      responseFormat: {
        type: 'json_schema',
        jsonSchema: {
          name: 'forecast',
          description: 'A forecast',
          schema: { type: 'object', properties: { celsius: { type: 'number' } } },
          strict: true,
        },
      },
    });
    const after = Math.floor(Date.now() / 1000);

    expect(created.id).toMatch(/^asst_[A-Za-z0-9]{24}$/);
    expect(Number.isInteger(created.createdAt)).toBe(true);
    expect(created.createdAt).toBeGreaterThanOrEqual(before);
    expect(created.createdAt).toBeLessThanOrEqual(after);
    expect(created).toMatchObject({
      name: 'Forecaster',
      description: 'Tells the weather',
      model: 'gpt-4o',
      instructions: 'Answer in Celsius.',
      temperature: 0.4,
      topP: 0.9,
      reasoningEffort: 'low',
      metadata: { team: 'weather', tier: 'gold' },
      toolResources: { codeInterpreter: null, fileSearch: null },
    });
    expect(created.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: weatherParameters,
          strict: true,
        },
        fileSearch: null,
      },
      {
        type: 'file_search',
        function: null,
        fileSearch: { maxNumResults: 7, rankingOptions: { ranker: 'auto', scoreThreshold: 0.5 } },
      },
      { type: 'code_interpreter', function: null, fileSearch: null },
    ]);
    expect(created.responseFormat).toEqual({
      type: 'json_schema',
      jsonSchema: {
        name: 'forecast',
        description: 'A forecast',
        schema: { type: 'object', properties: { celsius: { type: 'number' } } },
        strict: true,
      },
    });

    const fetched = await t.graphql<{ assistant: Assistant }>(GET, { id: created.id });
    expect(dataOf(fetched).assistant).toEqual(created);
  });

  it('defaults optional fields: no tools, auto response format, empty metadata', async () => {
    const created = await create({ model: 'gpt-4o-mini' });
    expect(created).toMatchObject({
      name: null,
      description: null,
      instructions: null,
      temperature: null,
      topP: null,
      reasoningEffort: null,
      tools: [],
      metadata: {},
      responseFormat: { type: 'auto', jsonSchema: null },
    });
  });

  it('pages the list with first, last, order, after and before, reporting the page info', async () => {
    const other = await t.createOtherProject();
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      ids.push((await create({ model: 'gpt-4o', name: `a${index}` }, other.apiKey)).id);
    }
    const list = async (variables: Record<string, unknown>) =>
      dataOf(
        await t.graphql<{ assistants: AssistantConnection }>(LIST, variables, {
          apiKey: other.apiKey,
        }),
      ).assistants;

    const newest = await list({ first: 2 });
    expect(newest).toEqual(
      connection(
        [
          { id: ids[4], name: 'a4' },
          { id: ids[3], name: 'a3' },
        ],
        { hasNextPage: true, hasPreviousPage: false, startCursor: ids[4], endCursor: ids[3] },
      ),
    );

    const next = await list({ first: 2, after: newest.pageInfo.endCursor });
    expect(next.nodes.map((a) => a.id)).toEqual([ids[2], ids[1]]);
    expect(next.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: true,
      startCursor: ids[2],
      endCursor: ids[1],
    });
    const last = await list({ first: 2, after: next.pageInfo.endCursor });
    expect(last).toEqual(
      connection([{ id: ids[0], name: 'a0' }], {
        hasNextPage: false,
        hasPreviousPage: true,
        startCursor: ids[0],
        endCursor: ids[0],
      }),
    );

    const ascending = await list({ order: 'asc', after: ids[1] });
    expect(ascending.nodes.map((a) => a.id)).toEqual(ids.slice(2));
    expect(ascending.pageInfo.hasNextPage).toBe(false);
    const before = await list({ order: 'asc', before: ids[3], last: 2 });
    expect(before.nodes.map((a) => a.id)).toEqual([ids[1], ids[2]]);
    expect(before.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: true,
      startCursor: ids[1],
      endCursor: ids[2],
    });
    const oldest = await list({ order: 'asc', before: ids[2], last: 2 });
    expect(oldest.nodes.map((a) => a.id)).toEqual([ids[0], ids[1]]);
    expect(oldest.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });

    const all = await list({});
    expect(all.nodes.map((a) => a.id)).toEqual([...ids].reverse());
    expect(all.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('reports an empty page with null cursors', async () => {
    const other = await t.createOtherProject();
    const response = await t.graphql<{ assistants: AssistantConnection }>(
      LIST,
      {},
      { apiKey: other.apiKey },
    );
    expect(dataOf(response).assistants).toEqual({
      edges: [],
      nodes: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });

  it('updates only the given fields, and null clears the name', async () => {
    const created = await create({
      model: 'gpt-4o',
      name: 'Before',
      instructions: 'Keep me.',
      temperature: 1,
      metadata: { a: '1' },
      tools: [{ type: 'code_interpreter' }],
    });

    const renamed = dataOf(
      await t.graphql<{ updateAssistant: Assistant }>(UPDATE, {
        id: created.id,
        input: { name: 'After', metadata: { b: '2' } },
      }),
    ).updateAssistant;
    expect(renamed).toEqual({ ...created, name: 'After', metadata: { b: '2' } });

    const cleared = dataOf(
      await t.graphql<{ updateAssistant: Assistant }>(UPDATE, {
        id: created.id,
        input: { name: null, model: 'gpt-4.1' },
      }),
    ).updateAssistant;
    expect(cleared).toEqual({ ...renamed, name: null, model: 'gpt-4.1' });

    const fetched = dataOf(await t.graphql<{ assistant: Assistant }>(GET, { id: created.id }));
    expect(fetched.assistant).toEqual(cleared);
  });

  it('deletes an assistant, after which reading it is NOT_FOUND', async () => {
    const created = await create({ model: 'gpt-4o' });
    const deleted = await t.graphql<{ deleteAssistant: { id: string; deleted: boolean } }>(
      'mutation ($id: ID!) { deleteAssistant(id: $id) { id deleted } }',
      { id: created.id },
    );
    expect(dataOf(deleted).deleteAssistant).toEqual({ id: created.id, deleted: true });

    const fetched = await t.graphql(GET, { id: created.id });
    // Data is present (the lookup is null beside its error), so 200, as GraphQL over HTTP wants.
    expect(fetched.status).toBe(200);
    // A lookup is nullable: the missing assistant is null beside its error.
    expect(fetched.data).toEqual({ assistant: null });
    expect(firstError(fetched)).toMatchObject({
      message: `No assistant found with id '${created.id}'.`,
      path: ['assistant'],
      extensions: { code: 'NOT_FOUND', type: 'invalid_request_error', param: null },
    });

    const again = await t.graphql('mutation ($id: ID!) { deleteAssistant(id: $id) { id } }', {
      id: created.id,
    });
    expect(firstError(again).extensions).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('assistant validation over GraphQL', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    [
      'a metadata value over 512 characters',
      { model: 'm', metadata: { note: 'x'.repeat(513) } },
      'metadata.note',
      'string_above_max_length',
    ],
    [
      'more than 128 tools',
      { model: 'm', tools: Array.from({ length: 129 }, () => ({ type: 'code_interpreter' })) },
      'tools',
      'array_above_max_length',
    ],
    [
      'a function tool without its function',
      { model: 'm', tools: [{ type: 'code_interpreter' }, { type: 'function' }] },
      'tools.1.function',
      'invalid_value',
    ],
    ['temperature 3', { model: 'm', temperature: 3 }, 'temperature', 'decimal_above_max_value'],
  ];

  for (const [what, input, param, openaiCode] of cases) {
    it(`rejects ${what} as INVALID_REQUEST naming ${param}, writing nothing`, async () => {
      const other = await t.createOtherProject();
      const response = await t.graphql(CREATE, { input }, { apiKey: other.apiKey });
      expect(response.status).toBe(400);
      expect(response.data).toBeNull();
      const error = firstError(response);
      expect(error.message).toMatch(new RegExp(`^Invalid '${param.replaceAll('.', '\\.')}': `));
      expect(error.extensions).toEqual({
        code: 'INVALID_REQUEST',
        type: 'invalid_request_error',
        param,
        openaiCode,
      });
      const list = await t.graphql<{ assistants: AssistantConnection }>(
        LIST,
        {},
        { apiKey: other.apiKey },
      );
      expect(dataOf(list).assistants.nodes).toEqual([]);
    });
  }

  it('rejects a function tool without `function` at index 0 with param tools.0.function', async () => {
    const response = await t.graphql(CREATE, {
      input: { model: 'm', tools: [{ type: 'function' }] },
    });
    expect(firstError(response).extensions).toMatchObject({
      code: 'INVALID_REQUEST',
      param: 'tools.0.function',
    });
  });

  it('rejects variables that do not match the schema before running anything', async () => {
    const response = await t.graphql(CREATE, { input: { name: 'no model' } });
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
    expect(firstError(response).message).toContain('"model" of required type "String!"');
  });
});

describe('authentication over GraphQL', () => {
  it('answers a request without a key with 401 UNAUTHENTICATED and a clear message', async () => {
    const response = await t.graphql(LIST, {}, { apiKey: null });
    expect(response.status).toBe(401);
    expect(response.data ?? null).toBeNull();
    const error = firstError(response);
    expect(error.message).not.toBe('Unexpected error.');
    expect(error.message).toContain("You didn't provide an API key");
    expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', openaiCode: null });
  });

  it('answers a request with an unknown key with 401 and a masked key in the message', async () => {
    const response = await t.graphql(LIST, {}, { apiKey: 'sk-wrong-key-0123456789' });
    expect(response.status).toBe(401);
    const error = firstError(response);
    expect(error.message).toBe('Incorrect API key provided: sk-***6789.');
    expect(error.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      openaiCode: 'invalid_api_key',
    });
  });

  it('refuses a mutation without a key and writes nothing', async () => {
    const before = await t.deps.db.assistant.count();
    const response = await t.graphql(CREATE, { input: { model: 'm' } }, { apiKey: null });
    expect(response.status).toBe(401);
    expect(firstError(response).extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await t.deps.db.assistant.count()).toBe(before);
  });
});
