// The console's operations against the real schema and the default document limits: each one
// validates and fits, at the page sizes it asks for, so no screen of the console can be refused.
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/env.js';
import { checkDocument, graphqlLimitsFrom } from '../../src/graphql/limits/operation-limits.js';
import { getSchema } from '../../src/graphql/schema.js';
import * as generated from '../../web/src/generated/graphql.js';

const defaults = graphqlLimitsFrom(parseEnv({}));
const schema = getSchema();

const operations: [string, string][] = Object.entries(generated).flatMap(([name, value]) =>
  name.endsWith('Document') && value instanceof generated.TypedDocumentString
    ? [[name, value.toString()] as [string, string]]
    : [],
);

describe('the console’s operations', () => {
  it('are all found', () => {
    expect(operations.map(([name]) => name)).toEqual(
      expect.arrayContaining(['ThreadDocument', 'RunEventsDocument', 'UploadFileDocument']),
    );
    expect(operations.length).toBeGreaterThan(20);
  });

  it.each(operations)(
    '%s validates against schema.graphql and fits the default limits',
    (_name, document) => {
      const parsed = parse(document);
      expect(validate(schema, parsed)).toEqual([]);
      expect(checkDocument(schema, parsed, defaults)).toEqual([]);
    },
  );

  it('would be refused if the thread screen asked for much larger pages (the check measures)', () => {
    const larger = parse(
      generated.ThreadDocument.toString().replace('runs(first: 5)', 'runs(first: 100)'),
    );
    expect(checkDocument(schema, larger, defaults).map((error) => error.extensions.code)).toEqual([
      'COST_LIMIT_EXCEEDED',
    ]);
  });
});
