import type { PrismaClient } from '../db/prisma.js';
import { type Env, EnvError } from '../env.js';
import type { Logger } from '../logger.js';
import { createOpenAIEmbedder, type Embedder } from '../models/embedder.js';
import { createInProcessVectorIndex } from './in-process-vector-index.js';
import { createPgvectorIndex, enablePgvector } from './pgvector-index.js';
import type { VectorIndex } from './vector-index.js';

/** What ingestion and search need beyond the database. */
export interface Retrieval {
  /** Null without `EMBEDDING_MODEL`: chunks get no vectors and search is keyword-only. */
  embedder: Embedder | null;
  vectorIndex: VectorIndex;
}

/**
 * The embedder from `EMBEDDING_*` (base URL and key default to the run upstream's), or null
 * without `EMBEDDING_MODEL`. Throws `EnvError` for a model with nowhere to send it.
 */
export function createEmbedderFromEnv(env: Env): Embedder | null {
  if (!env.EMBEDDING_MODEL) {
    return null;
  }
  const baseURL = env.EMBEDDING_BASE_URL ?? env.LLM_BASE_URL;
  if (!baseURL) {
    throw new EnvError(
      'Invalid configuration:\n  EMBEDDING_MODEL: set, but neither EMBEDDING_BASE_URL nor LLM_BASE_URL is',
    );
  }
  const apiKey = env.EMBEDDING_API_KEY ?? env.LLM_API_KEY;
  return createOpenAIEmbedder({
    baseURL,
    ...(apiKey ? { apiKey } : {}),
    model: env.EMBEDDING_MODEL,
    batchSize: env.EMBEDDING_BATCH_SIZE,
    maxRetries: env.LLM_MAX_RETRIES,
  });
}

/**
 * Where vectors are searched: pgvector when the database has it (only tried when there is an
 * embedder, since without one there are no vectors), else in process. Never throws.
 */
export async function createRetrieval(
  env: Env,
  embedder: Embedder | null,
  db: PrismaClient,
  logger: Logger,
): Promise<Retrieval> {
  const usePgvector = embedder !== null && (await enablePgvector(db, logger));
  const vectorIndex = usePgvector
    ? createPgvectorIndex()
    : createInProcessVectorIndex({ maxCachedFloats: env.VECTOR_CACHE_MB * 262_144 });
  if (embedder) {
    logger.info({ model: embedder.model, vectorIndex: vectorIndex.kind }, 'embeddings enabled');
  }
  return { embedder, vectorIndex };
}
