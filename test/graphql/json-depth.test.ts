import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';

let t: TestApp;
useTestApp({ worker: false }, (app) => {
  t = app;
});

/** `{ "a": { "a": … "x" } }` with `depth` levels of objects (the outermost being the first). */
function nestedJson(depth: number): unknown {
  let value: unknown = 'x';
  for (let level = 0; level < depth; level += 1) {
    value = { a: value };
  }
  return value;
}

/** The same value as a GraphQL literal: `{ a: { a: … "x" } }`. */
function nestedLiteral(depth: number): string {
  return `${'{ a: '.repeat(depth)}"x"${' }'.repeat(depth)}`;
}

const CREATE = 'mutation ($input: CreateAssistantInput!) { createAssistant(input: $input) { id } }';

function functionTool(parameters: unknown) {
  return { type: 'function', function: { name: 'deep', parameters } };
}

describe('JSON values nested deeper than 100 levels', () => {
  it('are refused as BAD_USER_INPUT in a variable (a function’s parameters), writing nothing', async () => {
    const response = await t.graphql(CREATE, {
      input: { model: 'm', tools: [functionTool(nestedJson(150))] },
    });
    expect(response.status).toBe(400);
    expect(response.data ?? null).toBeNull();
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('JSON nested deeper than 100 levels is not supported.'),
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      }),
    ]);
    const listed = await t.openai.beta.assistants.list();
    expect(listed.data).toEqual([]);
  });

  it('are refused the same at any depth, even far past the database’s own limit', async () => {
    for (const depth of [101, 129, 5_000]) {
      // Written by hand: JSON.stringify would overflow the test's own stack at 5,000 levels.
      const metadata = `${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`;
      const response = await fetch(`${t.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.apiKey}` },
        body: `{"query":${JSON.stringify(CREATE)},"variables":{"input":{"model":"m","metadata":${metadata}}}}`,
      });
      const body = (await response.json()) as {
        errors?: { message: string; extensions?: { code?: string } }[];
      };
      expect(response.status, String(depth)).toBe(400);
      expect(body.errors?.[0]?.extensions?.code, String(depth)).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0]?.message, String(depth)).toContain('100 levels');
    }
  });

  it('are refused in a literal of the document too', async () => {
    const response = await t.graphql(
      `mutation { createAssistant(input: { model: "m", tools: [{ type: function, function: { name: "deep", parameters: ${nestedLiteral(150)} } }] }) { id } }`,
    );
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toContain(
      'JSON nested deeper than 100 levels is not supported.',
    );
  });

  it('are accepted up to 100 levels: a deep JSON Schema is stored and read back whole', async () => {
    const parameters = nestedJson(100);
    const response = await t.graphql<{ createAssistant: { id: string } }>(CREATE, {
      input: { model: 'm', tools: [functionTool(parameters)] },
    });
    expect(response.errors).toBeUndefined();
    const id = response.data?.createAssistant.id ?? '';
    const read = await t.openai.beta.assistants.retrieve(id);
    expect(read.tools).toEqual([
      { type: 'function', function: expect.objectContaining({ name: 'deep', parameters }) },
    ]);
  });
});
