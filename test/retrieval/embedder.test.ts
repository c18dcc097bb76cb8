import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from '../../src/env.js';
import { EmbeddingError } from '../../src/models/embedder.js';
import { createEmbedderFromEnv } from '../../src/retrieval/retrieval.js';
import { type FakeUpstream, startFakeUpstream } from '../setup/fake-upstream.js';

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream({ embeddingDimensions: 32 });
});
afterAll(async () => {
  await upstream?.close();
});

describe('the embedder from the environment', () => {
  it('is absent without EMBEDDING_MODEL (keyword-only search)', () => {
    expect(createEmbedderFromEnv(parseEnv({ LLM_BASE_URL: upstream.url }))).toBeNull();
  });

  it('refuses a model with nowhere to send it, naming the variables', () => {
    expect(() => createEmbedderFromEnv(parseEnv({ EMBEDDING_MODEL: 'm' }))).toThrow(EnvError);
    expect(() => createEmbedderFromEnv(parseEnv({ EMBEDDING_MODEL: 'm' }))).toThrow(
      /EMBEDDING_BASE_URL nor LLM_BASE_URL/,
    );
  });

  it('defaults to the run upstream and its key, in batches, vectors normalised and in order', async () => {
    const embedder = createEmbedderFromEnv(
      parseEnv({
        EMBEDDING_MODEL: 'embed-small',
        LLM_BASE_URL: upstream.url,
        LLM_API_KEY: 'sk-upstream',
        EMBEDDING_BATCH_SIZE: '2',
      }),
    );
    if (!embedder) {
      throw new Error('expected an embedder');
    }
    const before = upstream.embeddingRequests.length;
    const { vectors, inputTokens, requests } = await embedder.embed([
      'alpha beta',
      'gamma',
      'alpha beta',
      'delta',
    ]);
    // The fake counts a token per word, as each of the two requests' usage says.
    expect({ inputTokens, requests }).toEqual({ inputTokens: 6, requests: 2 });
    const sent = upstream.embeddingRequests.slice(before);
    expect(sent.map((request) => request.body.input)).toEqual([
      ['alpha beta', 'gamma'],
      ['alpha beta', 'delta'],
    ]);
    expect(sent.every((request) => request.headers.authorization === 'Bearer sk-upstream')).toBe(
      true,
    );
    expect(sent[0]?.body.model).toBe('embed-small');
    expect(vectors).toHaveLength(4);
    expect(vectors[0]).toEqual(vectors[2]);
    expect(vectors[0]).not.toEqual(vectors[1]);
    for (const vector of vectors) {
      expect(vector).toHaveLength(32);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    }
  });

  it('uses EMBEDDING_BASE_URL and EMBEDDING_API_KEY over the run upstream’s', async () => {
    const embedder = createEmbedderFromEnv(
      parseEnv({
        EMBEDDING_MODEL: 'embed-small',
        LLM_BASE_URL: 'http://127.0.0.1:9/v1',
        LLM_API_KEY: 'sk-chat',
        EMBEDDING_BASE_URL: upstream.url,
        EMBEDDING_API_KEY: 'sk-embed',
      }),
    );
    const before = upstream.embeddingRequests.length;
    await embedder?.embed(['x']);
    expect(upstream.embeddingRequests.slice(before)[0]?.headers.authorization).toBe(
      'Bearer sk-embed',
    );
  });

  it('reports upstream refusals as EmbeddingError with the upstream’s reason', async () => {
    const embedder = createEmbedderFromEnv(
      parseEnv({
        EMBEDDING_MODEL: 'embed-small',
        LLM_BASE_URL: upstream.url,
        LLM_MAX_RETRIES: '0',
      }),
    );
    // The fake refuses empty inputs, as OpenAI does.
    const error = await embedder?.embed(['']).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmbeddingError);
    expect((error as EmbeddingError).message).toMatch(
      /^The embedding model 'embed-small' failed \(400: /,
    );
  });
});
