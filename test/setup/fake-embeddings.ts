import type { EmbeddingRequestBody } from './fake-upstream.js';

/** What /v1/embeddings answers: the body, or why the request is invalid. */
export type EmbeddingsResult =
  | { body: Record<string, unknown> }
  | { invalid: string; param: string };

/** OpenAI's `/embeddings` response for a request, with deterministic vectors. */
export function embeddingsResponse(
  body: EmbeddingRequestBody,
  defaultDimensions: number,
): EmbeddingsResult {
  const dimensions = body.dimensions ?? defaultDimensions;
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 8192) {
    return { invalid: `Invalid 'dimensions': ${String(body.dimensions)}.`, param: 'dimensions' };
  }
  const input: unknown = body.input;
  // One string, one token array, or a list of either.
  const inputs: unknown[] =
    typeof input === 'string' ||
    (Array.isArray(input) && input.every((item) => typeof item === 'number'))
      ? [input]
      : Array.isArray(input)
        ? input
        : [];
  const tokens = inputs.map((item) =>
    typeof item === 'string' ? words(item) : Array.isArray(item) ? item.map(String) : [],
  );
  if (tokens.length === 0 || tokens.some((list) => list.length === 0)) {
    return {
      invalid: "'$.input' is invalid: expected non-empty strings or token arrays.",
      param: 'input',
    };
  }
  const data = tokens.map((list, index) => {
    const vector = embed(list, dimensions);
    const embedding =
      body.encoding_format === 'base64'
        ? Buffer.from(vector.buffer).toString('base64')
        : Array.from(vector);
    return { object: 'embedding', index, embedding };
  });
  const promptTokens = tokens.reduce((sum, list) => sum + list.length, 0);
  const usage = { prompt_tokens: promptTokens, total_tokens: promptTokens };
  return { body: { object: 'list', data, model: body.model, usage } };
}

/**
 * Hashed bag of words, L2-normalised: texts sharing words have a high cosine similarity and the
 * same text always gets the same vector, so retrieval tests can reason about rankings.
 */
function embed(tokens: string[], dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  for (const token of tokens) {
    const hash = fnv1a(token);
    const slot = hash % dimensions;
    vector[slot] = (vector[slot] ?? 0) + (hash >>> 31 === 1 ? -1 : 1);
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash;
}

/** Lower-cased words, as the fake counts tokens. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
