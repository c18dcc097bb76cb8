/**
 * The hostile requests of the fuzz bench (bench/fuzz.ts): what the fuzzing sent, each a
 * function of a seeded random source so that a run can be repeated.
 */

import type { Random } from './stats.js';

/** One request: over fetch, or raw bytes over a socket (what fetch cannot send). */
export type FuzzRequest =
  | {
      kind: 'http';
      method: string;
      path: string;
      headers: Record<string, string>;
      body?: string | Blob;
    }
  | { kind: 'raw'; bytes: string };

export interface FuzzCase {
  name: string;
  build(random: Random, key: string): FuzzRequest;
}

const between = (random: Random, low: number, high: number) =>
  low + Math.floor(random() * (high - low + 1));

function json(path: string, key: string, body: string, method = 'POST'): FuzzRequest {
  return {
    kind: 'http',
    method,
    path,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  };
}

function graphql(key: string, body: string): FuzzRequest {
  return json('/graphql', key, body);
}

const nestedJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const nestedArray = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

export const FUZZ_CASES: FuzzCase[] = [
  {
    name: 'REST body nested 1,000–5,000 deep',
    build: (random, key) =>
      json(
        '/v1/assistants',
        key,
        `{"model":"m","metadata":${nestedJson(between(random, 1000, 5000))}}`,
      ),
  },
  {
    name: 'REST body of 1–15 MB',
    build: (random, key) =>
      json(
        '/v1/threads',
        key,
        JSON.stringify({ metadata: { note: 'x'.repeat(between(random, 1, 15) * 1024 * 1024) } }),
      ),
  },
  {
    name: 'REST array of 100,000 small objects',
    build: (_random, key) =>
      json(
        '/v1/threads',
        key,
        JSON.stringify({
          messages: Array.from({ length: 100_000 }, () => ({ role: 'user', content: 'x' })),
        }),
      ),
  },
  {
    name: 'REST not JSON',
    build: (random, key) =>
      json('/v1/assistants', key, '{"model": '.repeat(between(random, 1, 20000))),
  },
  {
    name: 'REST multipart upload of 1–8 MB',
    build: (random, key) => {
      const boundary = 'fuzzboundary';
      const size = between(random, 1, 8) * 1024 * 1024;
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="fuzz.txt"\r\n` +
            'Content-Type: text/plain\r\n\r\n',
        ),
        Buffer.alloc(size, 0x61),
        Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n`),
        Buffer.from(random() < 0.5 ? 'assistants' : 'nonsense'),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return {
        kind: 'http',
        method: 'POST',
        path: '/v1/files',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        body: new Blob([body]),
      };
    },
  },
  {
    name: 'GraphQL selection nested 1,000–5,000 deep',
    build: (random, key) => {
      const depth = between(random, 1000, 5000);
      return graphql(
        key,
        JSON.stringify({ query: `{${' a {'.repeat(depth)} b${' }'.repeat(depth)} }` }),
      );
    },
  },
  {
    name: 'GraphQL list argument nested 1,000–5,000 deep',
    build: (random, key) =>
      graphql(
        key,
        JSON.stringify({
          query: `{ nodes(ids: ${nestedArray(between(random, 1000, 5000))}) { id } }`,
        }),
      ),
  },
  {
    name: 'GraphQL 5,000 aliases',
    build: (_random, key) =>
      graphql(
        key,
        JSON.stringify({
          query: `{ ${Array.from({ length: 5000 }, (_, i) => `a${i}: threads(first: 100) { nodes { id } }`).join(' ')} }`,
        }),
      ),
  },
  {
    name: 'GraphQL 30 aliases of 100 threads with 100 messages',
    build: (_random, key) =>
      graphql(
        key,
        JSON.stringify({
          query: `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: threads(first: 100) { nodes { id messages(first: 100) { nodes { id } } } }`).join(' ')} }`,
        }),
      ),
  },
  {
    name: 'GraphQL JSON variable nested 1,000–5,000 deep',
    build: (random, key) =>
      graphql(
        key,
        `{"query":"mutation ($m: JSON) { createThread(input: { metadata: $m }) { id } }","variables":{"m":${nestedJson(between(random, 1000, 5000))}}}`,
      ),
  },
  {
    // Few tokens, so no limit refuses it, and different each time: what a parse cache keeps.
    name: 'GraphQL document with a 0.5–1 MB string, each different',
    build: (random, key) =>
      graphql(
        key,
        JSON.stringify({
          query: `{ thread(id: "thread_${random()
            .toString(36)
            .repeat(between(random, 25_000, 50_000))}") { id } }`,
        }),
      ),
  },
  {
    name: 'GraphQL document of 200,000 tokens',
    build: (_random, key) =>
      graphql(key, JSON.stringify({ query: `{ ${'__typename '.repeat(200_000)}}` })),
  },
  {
    name: 'GraphQL batch of 1,000 operations',
    build: (_random, key) =>
      graphql(
        key,
        JSON.stringify(Array.from({ length: 1000 }, () => ({ query: '{ __typename }' }))),
      ),
  },
  {
    name: 'request line in absolute form, odd hosts',
    build: (random) => ({
      kind: 'raw',
      bytes:
        random() < 0.5
          ? 'GET http://evil.example/v1/models HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n'
          : `GET http://[${'f'.repeat(between(random, 1, 4000))}/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    }),
  },
  {
    name: 'GET of unknown paths and ids',
    build: (random, key) => ({
      kind: 'http',
      method: 'GET',
      path: `/v1/threads/thread_${'z'.repeat(between(random, 1, 20000))}/messages?limit=100&after=${'%'.repeat(between(random, 1, 50))}`,
      headers: { authorization: `Bearer ${key}` },
    }),
  },
];
