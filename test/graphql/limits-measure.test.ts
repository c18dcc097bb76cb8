// The limits' measures on documents, without a server: the REST shim's operations fit the
// defaults, and connections count as the pages they ask for.
import { type DocumentNode, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as operations from '../../compat/generated/operations.js';
import { parseEnv } from '../../src/env.js';
import { GRAPHIQL_DEFAULT_QUERY } from '../../src/graphql/graphiql-default-query.js';
import {
  checkDocument,
  checkExecution,
  graphqlLimitsFrom,
} from '../../src/graphql/limits/operation-limits.js';
import { getSchema } from '../../src/graphql/schema.js';

const defaults = graphqlLimitsFrom(parseEnv({}));

const schema = getSchema();

function codes(errors: { extensions: Record<string, unknown> }[]) {
  return errors.map((error) => error.extensions.code);
}

describe('the default limits', () => {
  it('hold every REST shim operation, at OpenAI’s largest page of 100', () => {
    const documents = Object.entries(operations) as [string, DocumentNode][];
    expect(documents.length).toBeGreaterThan(40);
    for (const [name, document] of documents) {
      expect([name, checkDocument(schema, document, defaults)]).toEqual([name, []]);
      for (const page of [{ first: 100 }, { last: 100 }]) {
        expect([name, checkExecution(schema, document, null, page, defaults)]).toEqual([name, []]);
      }
    }
  });

  it('refuse a list of 100 in a list of 100, and hold GraphiQL’s default query', () => {
    const nested = parse(
      'query { threads(first: 100) { nodes { messages(first: 100) { nodes { id } } } } }',
    );
    const [error, ...others] = checkDocument(schema, nested, defaults);
    expect(others).toEqual([]);
    // 1 + 100 × (nodes + messages: 1 + 100 × (nodes + id)).
    expect(error?.message).toMatch(/^The anonymous operation may cost 20201; the limit is 10000/);
    expect(error?.extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', limit: 10_000 });
    const graphiql = parse(GRAPHIQL_DEFAULT_QUERY);
    expect(validate(schema, graphiql)).toEqual([]);
    expect(checkDocument(schema, graphiql, defaults)).toEqual([]);
  });
});

describe('list sizes', () => {
  const limits = { ...defaults, maxCost: 100 };

  it('count a connection as its first or last, and 20 without either', () => {
    // 1 + n × (nodes + id).
    const cost = (query: string) => checkDocument(schema, parse(query), limits);
    expect(cost('{ threads(first: 49) { nodes { id } } }')).toEqual([]);
    expect(codes(cost('{ threads(first: 50) { nodes { id } } }'))).toEqual(['COST_LIMIT_EXCEEDED']);
    expect(codes(cost('{ threads(last: 50) { nodes { id } } }'))).toEqual(['COST_LIMIT_EXCEEDED']);
    // Without a size: 1 + 20 × 2 = 41; with five fields, 1 + 20 × 6.
    expect(cost('{ threads { nodes { id } } }')).toEqual([]);
    expect(codes(cost('{ threads { nodes { id createdAt metadata id: id } } }'))).toEqual([
      'COST_LIMIT_EXCEEDED',
    ]);
  });

  it('given by variables count with their values, when the operation runs', () => {
    const document = parse('query Threads($n: Int = 10) { threads(first: $n) { nodes { id } } }');
    // Any value may come: validation leaves the cost to execution.
    expect(checkDocument(schema, document, limits)).toEqual([]);
    expect(checkExecution(schema, document, null, {}, limits)).toEqual([]);
    expect(checkExecution(schema, document, null, { n: 49 }, limits)).toEqual([]);
    expect(codes(checkExecution(schema, document, 'Threads', { n: 50 }, limits))).toEqual([
      'COST_LIMIT_EXCEEDED',
    ]);
  });
});
