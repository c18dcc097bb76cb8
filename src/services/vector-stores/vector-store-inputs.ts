import { z } from 'zod';
import { AUTO_CHUNKING, type StaticChunking } from '../../ingestion/chunking-strategy.js';

/**
 * `expires_after` of a vector store: OpenAI supports one anchor, `last_active_at`, and 1–365
 * days after it.
 */
export const expiresAfterSchema = z.object({
  anchor: z.literal('last_active_at'),
  days: z.number().int().min(1).max(365),
});

export type ExpiresAfter = z.infer<typeof expiresAfterSchema>;

/**
 * Vector-store file `attributes` (OpenAI's `VectorStoreFileAttributes`): at most 16 keys of at
 * most 64 characters; each value a string of at most 512 characters, a number or a boolean.
 * Filters in searches compare against these.
 */
export const attributesSchema = z.unknown().pipe(
  z
    .record(
      z.string().max(64),
      z
        .union([z.string(), z.number(), z.boolean()], {
          error: 'Expected a string, a number or a boolean.',
        })
        // After the union, so an over-long string is reported as such, not as "no union matched".
        .refine((value) => typeof value !== 'string' || value.length <= 512, {
          message: 'string too long. Expected a string with maximum length 512.',
          params: { openaiCode: 'string_above_max_length' },
        }),
    )
    .refine((value) => Object.keys(value).length <= 16, {
      message: 'Object has too many properties. Expected an object with at most 16 properties.',
      params: { openaiCode: 'object_above_max_properties' },
    }),
);

export type Attributes = z.infer<typeof attributesSchema>;

/**
 * `attributes` as stored: their shape, without the request limits (keys, lengths) they were
 * written under. Search filters read them for every file of the searched stores.
 */
export const storedAttributesSchema: z.ZodType<Attributes> = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean()]),
);

/** How many days a store made by a thread's `vector_stores` helper lives unused (OpenAI's). */
export const THREAD_HELPER_EXPIRY_DAYS = 7;

/** What a vector-store file stores and reports: always the effective static strategy. */
export interface ChunkingStrategy {
  type: 'static';
  static: StaticChunking;
}

/** `chunking_strategy` as stored: always the effective static strategy. */
export const storedChunkingStrategySchema: z.ZodType<ChunkingStrategy> = z.object({
  type: z.literal('static'),
  static: z.object({ maxChunkSizeTokens: z.number(), chunkOverlapTokens: z.number() }),
});

const staticChunkingSchema = z
  .object({
    maxChunkSizeTokens: z.number().int().min(100).max(4096),
    chunkOverlapTokens: z.number().int().min(0),
  })
  .refine((value) => value.chunkOverlapTokens <= value.maxChunkSizeTokens / 2, {
    message: 'must not exceed half of max_chunk_size_tokens.',
    path: ['chunkOverlapTokens'],
  });

/**
 * A request's `chunking_strategy`: `auto`, or `static` with its bounds (size 100–4096 tokens,
 * overlap at most half of it). One object shape rather than a union, so GraphQL's input type maps
 * onto it. Parses to the stored static form: `auto` is recorded and reported as 800/400, as
 * OpenAI does (the ingestion job reads it back with `effectiveChunking`).
 */
export const chunkingStrategyInputSchema = z
  .object({
    type: z.enum(['auto', 'static']),
    static: staticChunkingSchema.nullish(),
  })
  .refine((value) => value.type !== 'static' || value.static, {
    message: 'Missing required parameter.',
    path: ['static'],
    params: { openaiCode: 'missing_required_parameter' },
  })
  .transform(
    (value): ChunkingStrategy => ({
      type: 'static',
      static: value.type === 'static' && value.static ? value.static : { ...AUTO_CHUNKING },
    }),
  );

/** The strategy to record for a file: the one given, else `auto`. */
export function resolveChunkingStrategy(
  strategy: ChunkingStrategy | null | undefined,
): ChunkingStrategy {
  return strategy ?? { type: 'static', static: { ...AUTO_CHUNKING } };
}
