import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import { InvalidRequestError, NotFoundError } from '../../src/errors.js';
import {
  runVectorSearch,
  type SearchVectorStoresInput,
  searchVectorStore,
} from '../../src/services/vector-stores/search/vector-search.js';
import { deleteVectorStoreFile } from '../../src/services/vector-stores/vector-store-files.js';
import { startTestApp, type TestApp } from '../setup/app.js';
import { type FakeUpstream, startFakeUpstream } from '../setup/fake-upstream.js';
import { addFile, newVectorStore, serviceContext } from './retrieval-fixtures.js';

let upstream: FakeUpstream;
/** Keyword-only: no embedding model. */
let plain: TestApp;
/** Hybrid: the fake upstream's deterministic bag-of-words embeddings. */
let hybrid: TestApp;
let plainCtx: ServiceContext;
let hybridCtx: ServiceContext;

const DOCS = {
  'postgres.md':
    'PostgreSQL LISTEN/NOTIFY delivers notifications between connections. A NOTIFY sent ' +
    'inside a transaction arrives when it commits.',
  'bread.txt': 'Preheat the oven. Bake the bread for forty minutes until the crust is golden.',
  'garden.txt': 'Water the tomatoes every morning. Tomatoes need sun, warmth and rich soil.',
  'mixed.txt': 'Tomatoes and bread make a fine lunch; bake the bread first.',
};

async function seed(ctx: ServiceContext): Promise<{ store: string; ids: Record<string, string> }> {
  const store = await newVectorStore(ctx);
  const ids: Record<string, string> = {};
  for (const [name, text] of Object.entries(DOCS)) {
    const { fileId, outcome } = await addFile(ctx, store, name, text);
    expect(outcome.status).toBe('completed');
    ids[name] = fileId;
  }
  return { store, ids };
}

let plainStore: string;
let hybridStore: string;

beforeAll(async () => {
  upstream = await startFakeUpstream({ embeddingDimensions: 128 });
  [plain, hybrid] = await Promise.all([
    startTestApp({}, { worker: false }),
    startTestApp({ LLM_BASE_URL: upstream.url, EMBEDDING_MODEL: 'fake-embed' }, { worker: false }),
  ]);
  plainCtx = await serviceContext(plain);
  hybridCtx = await serviceContext(hybrid);
  plainStore = (await seed(plainCtx)).store;
  hybridStore = (await seed(hybridCtx)).store;
});

afterAll(async () => {
  await plain?.close();
  await hybrid?.close();
  await upstream?.close();
});

function search(
  ctx: ServiceContext,
  store: string,
  input: Omit<SearchVectorStoresInput, 'vectorStoreIds'>,
) {
  return runVectorSearch(ctx, { ...input, vectorStoreIds: [store] });
}

function names(results: { filename: string }[]): string[] {
  return results.map((result) => result.filename);
}

function expectRanked(results: { score: number }[]): void {
  for (const [index, result] of results.entries()) {
    expect(result.score).toBeGreaterThan(0);
    expect(result.score).toBeLessThanOrEqual(1);
    expect(result.score).toBeLessThanOrEqual(results[index - 1]?.score ?? 1);
  }
}

describe('keyword search', () => {
  it('ranks the chunk holding the query’s words first, scores in (0, 1]', async () => {
    const { data, searchQuery } = await search(plainCtx, plainStore, { query: 'bake bread' });
    expect(searchQuery).toEqual(['bake bread']);
    expect(names(data)).toEqual(['mixed.txt', 'bread.txt']);
    expectRanked(data);
    expect(data[0]).toMatchObject({
      content: [{ type: 'text', text: DOCS['mixed.txt'] }],
      attributes: {},
    });
  });

  it('matches stems and single words of slash-joined tokens such as LISTEN/NOTIFY', async () => {
    for (const query of ['notify', 'LISTEN/NOTIFY', 'How are notifications delivered?']) {
      const { data } = await search(plainCtx, plainStore, { query });
      expect(names(data), query).toEqual(['postgres.md']);
    }
    const { data } = await search(plainCtx, plainStore, { query: 'tomato' });
    expect(names(data)).toEqual(['garden.txt', 'mixed.txt']);
  });

  it('scores a chunk with more of the query’s words higher', async () => {
    const { data } = await search(plainCtx, plainStore, { query: 'tomatoes soil sun' });
    expect(names(data)).toEqual(['garden.txt', 'mixed.txt']);
    const [garden, mixed] = data;
    expect(garden?.score ?? 0).toBeGreaterThan(2 * (mixed?.score ?? 1));
  });

  it('finds nothing for unknown words or stop words only', async () => {
    expect((await search(plainCtx, plainStore, { query: 'zeppelin' })).data).toEqual([]);
    expect((await search(plainCtx, plainStore, { query: 'the and of' })).data).toEqual([]);
  });

  it('honours max_num_results and score_threshold', async () => {
    const all = (await search(plainCtx, plainStore, { query: 'bread tomatoes notify' })).data;
    expect(all.length).toBe(4);
    const top = (
      await search(plainCtx, plainStore, { query: 'bread tomatoes notify', maxNumResults: 2 })
    ).data;
    expect(top).toEqual(all.slice(0, 2));
    const cut = ((all[0]?.score ?? 0) + (all.at(-1)?.score ?? 0)) / 2;
    const above = await search(plainCtx, plainStore, {
      query: 'bread tomatoes notify',
      rankingOptions: { ranker: 'auto', scoreThreshold: cut },
    });
    const expected = all.filter((result) => result.score >= cut);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.length);
    expect(above.data).toEqual(expected);
    const none = await search(plainCtx, plainStore, {
      query: 'bread',
      rankingOptions: { scoreThreshold: 1 },
    });
    expect(none.data).toEqual([]);
  });

  it('searches several queries, keeping each chunk’s best score', async () => {
    const { data, searchQuery } = await search(plainCtx, plainStore, {
      query: ['notify', 'soil'],
    });
    expect(searchQuery).toEqual(['notify', 'soil']);
    expect(new Set(names(data))).toEqual(new Set(['postgres.md', 'garden.txt']));
  });

  it('rewrites the query when asked, and reports the query it searched', async () => {
    const { data, searchQuery } = await search(plainCtx, plainStore, {
      query: 'What is the best way to bake bread?',
      rewriteQuery: true,
    });
    expect(searchQuery).toEqual(['best way bake bread']);
    expect(names(data)).toEqual(['mixed.txt', 'bread.txt']);
  });
});

describe('hybrid search (keyword + vectors)', () => {
  it('finds chunks by vector similarity where full text has nothing to match', async () => {
    const store = await newVectorStore(hybridCtx);
    await addFile(hybridCtx, store, 'quote.txt', 'Where were you when it was over');
    await addFile(hybridCtx, store, 'other.txt', 'Completely unrelated sentence about trains');
    // Only stop words: full-text search ignores them, embeddings do not.
    const { data } = await search(hybridCtx, store, { query: 'where were you' });
    expect(names(data)).toEqual(['quote.txt']);
    expect(data[0]?.score).toBeGreaterThan(0.5);
    const plainResult = await search(plainCtx, plainStore, { query: 'where were you' });
    expect(plainResult.data).toEqual([]);
  });

  it('scores an exact match 1 and fuses both signals above either alone', async () => {
    const store = await newVectorStore(hybridCtx);
    await addFile(hybridCtx, store, 'exact.txt', 'golden crust');
    const { data } = await search(hybridCtx, store, { query: 'golden crust' });
    expect(data[0]?.score).toBeCloseTo(1, 5);
    // The same corpus, same query: the hybrid score of a keyword hit exceeds its keyword score.
    const keyword = await search(plainCtx, plainStore, { query: 'bake bread' });
    const fused = await search(hybridCtx, hybridStore, { query: 'bake bread' });
    expect(names(fused.data).slice(0, 2)).toEqual(names(keyword.data));
    expect(fused.data[0]?.score ?? 0).toBeGreaterThan(keyword.data[0]?.score ?? 1);
    expectRanked(fused.data);
  });

  it('sees files added or removed since its vectors were cached', async () => {
    const store = await newVectorStore(hybridCtx);
    await addFile(hybridCtx, store, 'first.txt', 'who are they');
    expect(names((await search(hybridCtx, store, { query: 'who are they' })).data)).toEqual([
      'first.txt',
    ]);
    const second = await addFile(hybridCtx, store, 'second.txt', 'who are we');
    expect(names((await search(hybridCtx, store, { query: 'who are we' })).data)[0]).toBe(
      'second.txt',
    );
    await deleteVectorStoreFile(hybridCtx, store, second.fileId);
    expect(names((await search(hybridCtx, store, { query: 'who are we' })).data)).toEqual([
      'first.txt',
    ]);
  });
});

describe('attribute filters', () => {
  let store: string;
  beforeAll(async () => {
    store = await newVectorStore(plainCtx);
    const text = 'Quarterly report on widget sales.';
    await addFile(plainCtx, store, 'a.txt', text, {
      attributes: { author: 'ann', year: 2023, draft: false, region: 'eu' },
    });
    await addFile(plainCtx, store, 'b.txt', text, {
      attributes: { author: 'bob', year: 2024, draft: true },
    });
    await addFile(plainCtx, store, 'c.txt', text, { attributes: { author: 'cy', year: 2025 } });
  });

  async function filtered(filters: unknown): Promise<string[]> {
    const { data } = await search(plainCtx, store, { query: 'widget report', filters });
    return names(data).sort();
  }

  it('compares with eq, ne, gt, gte, lt, lte, in and nin', async () => {
    expect(await filtered({ type: 'eq', key: 'author', value: 'ann' })).toEqual(['a.txt']);
    expect(await filtered({ type: 'ne', key: 'author', value: 'ann' })).toEqual(['b.txt', 'c.txt']);
    expect(await filtered({ type: 'gt', key: 'year', value: 2023 })).toEqual(['b.txt', 'c.txt']);
    expect(await filtered({ type: 'gte', key: 'year', value: 2024 })).toEqual(['b.txt', 'c.txt']);
    expect(await filtered({ type: 'lt', key: 'year', value: 2024 })).toEqual(['a.txt']);
    expect(await filtered({ type: 'lte', key: 'year', value: 2024 })).toEqual(['a.txt', 'b.txt']);
    expect(await filtered({ type: 'eq', key: 'draft', value: true })).toEqual(['b.txt']);
    expect(await filtered({ type: 'in', key: 'author', value: ['ann', 'cy'] })).toEqual([
      'a.txt',
      'c.txt',
    ]);
    expect(await filtered({ type: 'nin', key: 'year', value: [2023, 2025] })).toEqual(['b.txt']);
  });

  it('treats a missing attribute as equal to nothing, and never mixes types', async () => {
    expect(await filtered({ type: 'eq', key: 'region', value: 'eu' })).toEqual(['a.txt']);
    expect(await filtered({ type: 'ne', key: 'region', value: 'eu' })).toEqual(['b.txt', 'c.txt']);
    expect(await filtered({ type: 'gt', key: 'region', value: 'a' })).toEqual(['a.txt']);
    expect(await filtered({ type: 'eq', key: 'year', value: '2023' })).toEqual([]);
    expect(await filtered({ type: 'gt', key: 'author', value: 5 })).toEqual([]);
  });

  it('combines filters with and/or, nested', async () => {
    expect(
      await filtered({
        type: 'or',
        filters: [
          { type: 'eq', key: 'author', value: 'ann' },
          {
            type: 'and',
            filters: [
              { type: 'gte', key: 'year', value: 2024 },
              { type: 'ne', key: 'draft', value: true },
            ],
          },
        ],
      }),
    ).toEqual(['a.txt', 'c.txt']);
  });

  it('rejects malformed filters with a 400 naming the field', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ type: 'like', key: 'a', value: 'x' }, 'filters.type', /Invalid discriminator value/],
      [{ type: 'eq', key: 'a' }, 'filters.value', /Expected a string, a number, a boolean/],
      [{ type: 'eq', key: 'a', value: { x: 1 } }, 'filters.value', /Expected a string/],
      [{ type: 'in', key: 'a', value: 'x' }, 'filters.value', /'in' compares against an array/],
      [{ type: 'eq', key: 'a', value: [1] }, 'filters.value', /single string, number or boolean/],
      [{ type: 'and', filters: [] }, 'filters.filters', /too small|at least/i],
      [
        { type: 'and', filters: [{ type: 'eq', key: 'a', value: 1, extra: true }] },
        'filters.filters.0',
        /Unrecognized key/,
      ],
      ['author = ann', 'filters', /expected object/i],
    ];
    for (const [filters, param, message] of cases) {
      const error = await search(plainCtx, store, { query: 'widget', filters }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, JSON.stringify(filters)).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).param, JSON.stringify(filters)).toBe(param);
      expect((error as InvalidRequestError).message, JSON.stringify(filters)).toMatch(message);
    }
  });
});

describe('search requests', () => {
  it('rejects bad queries and options with 400s', async () => {
    const cases: [Omit<SearchVectorStoresInput, 'vectorStoreIds'>, string][] = [
      [{ query: '' }, 'query'],
      [{ query: [] }, 'query'],
      [{ query: 'x', maxNumResults: 0 }, 'maxNumResults'],
      [{ query: 'x', maxNumResults: 51 }, 'maxNumResults'],
      [{ query: 'x', rankingOptions: { scoreThreshold: 1.5 } }, 'rankingOptions.scoreThreshold'],
      [{ query: 'x', rankingOptions: { ranker: 'best' } }, 'rankingOptions.ranker'],
    ];
    for (const [input, param] of cases) {
      const error = await search(plainCtx, plainStore, input).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, JSON.stringify(input)).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).param).toBe(param);
    }
  });

  it('never searches another project’s store', async () => {
    const other = await plain.createOtherProject();
    const otherCtx = await serviceContext(plain, other.apiKey);
    await expect(searchVectorStore(otherCtx, plainStore, { query: 'bread' })).rejects.toThrow(
      NotFoundError,
    );
    // The run tool's entry point: foreign ids simply match nothing.
    expect((await search(otherCtx, plainStore, { query: 'bread' })).data).toEqual([]);
  });

  it('marks the store active', async () => {
    const before = await plain.deps.db.vectorStore.findUniqueOrThrow({ where: { id: plainStore } });
    await searchVectorStore(plainCtx, plainStore, { query: 'bread' });
    const after = await plain.deps.db.vectorStore.findUniqueOrThrow({ where: { id: plainStore } });
    expect(after.lastActiveAt?.getTime()).toBeGreaterThan(before.lastActiveAt?.getTime() ?? 0);
  });
});
