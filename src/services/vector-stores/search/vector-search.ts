import { z } from 'zod';
import type { ServiceContext } from '../../../context.js';
import { EmbeddingError } from '../../../models/embedder.js';
import type { VectorMatch } from '../../../retrieval/vector-index.js';
import { parseJsonColumn } from '../../common/json-column.js';
import { parseInput } from '../../common/validation.js';
import { recordEmbeddingUsage } from '../../metering/embedding-usage.js';
import { assertVectorStoreUsable, touchVectorStores } from '../vector-store-activity.js';
import { storedAttributesSchema } from '../vector-store-inputs.js';
import { type AttributeFilter, attributeFilterSchema, matchesFilter } from './attribute-filter.js';
import { keywordSearch } from './keyword-search.js';
import { rewriteQuery } from './search-query.js';

const searchInputSchema = z.object({
  query: z.union([z.string().trim().min(1), z.array(z.string().trim().min(1)).min(1).max(10)], {
    error: 'Expected a non-empty string or a non-empty array of non-empty strings.',
  }),
  rewriteQuery: z.boolean().nullish(),
  maxNumResults: z.number().int().min(1).max(50).nullish(),
  filters: attributeFilterSchema.nullish(),
  rankingOptions: z
    .object({
      // `default-2024-11-15` (search endpoint) and `default_2024_08_21` (file_search tool) name
      // OpenAI's rerankers; there is no separate reranking stage here, so all rank alike.
      ranker: z
        .string()
        .pipe(z.enum(['none', 'auto', 'default-2024-11-15', 'default_2024_08_21']))
        .nullish(),
      scoreThreshold: z.number().min(0).max(1).nullish(),
    })
    .nullish(),
});

export type SearchVectorStoresInput = z.input<typeof searchInputSchema> & {
  vectorStoreIds: string[];
};

export interface VectorSearchResult {
  vectorStoreId: string;
  fileId: string;
  filename: string;
  /** In [0, 1], higher is better. */
  score: number;
  attributes: Record<string, string | number | boolean> | null;
  content: { type: 'text'; text: string }[];
  /** The chunk's id (a decimal string), for citations. */
  chunkId: string;
}

export interface VectorSearchPage {
  /** The queries actually searched (rewritten when `rewriteQuery` was set). */
  searchQuery: string[];
  data: VectorSearchResult[];
}

/** Candidates taken from each ranking before fusion (several times what is returned). */
function candidateCount(maxNumResults: number): number {
  return Math.min(200, Math.max(50, maxNumResults * 4));
}

/**
 * Hybrid fusion of normalised scores, a probabilistic OR: 1 − (1 − vector)(1 − keyword), with
 * vector = max(0, cosine). A chunk strong in either ranking scores high, one strong in both
 * higher, and the result stays in [0, 1] so `score_threshold` keeps one meaning.
 */
function fuse(vector: number, keyword: number): number {
  return 1 - (1 - Math.max(0, vector)) * (1 - keyword);
}

async function allowedFiles(
  ctx: ServiceContext,
  vectorStoreIds: string[],
  filter: AttributeFilter | null | undefined,
): Promise<Map<string, Set<string>> | null> {
  if (!filter) {
    return null;
  }
  const rows = await ctx.db.vectorStoreFile.findMany({
    where: {
      vectorStoreId: { in: vectorStoreIds },
      projectId: ctx.actor.projectId,
      status: 'completed',
    },
    select: { vectorStoreId: true, fileId: true, attributes: true },
  });
  const allowed = new Map<string, Set<string>>(vectorStoreIds.map((id) => [id, new Set()]));
  for (const row of rows) {
    const attributes = parseJsonColumn(storedAttributesSchema.nullable(), row.attributes, {
      table: 'vector_store_files',
      id: `${row.vectorStoreId}/${row.fileId}`,
      column: 'attributes',
    });
    if (matchesFilter(attributes, filter)) {
      allowed.get(row.vectorStoreId)?.add(row.fileId);
    }
  }
  return allowed;
}

/** The query's vector, or null for keyword-only search (no model, or the model failed). */
async function queryVector(ctx: ServiceContext, text: string): Promise<Float32Array | null> {
  const { embedder } = ctx.retrieval;
  if (!embedder) {
    return null;
  }
  try {
    const embedded = await embedder.embed([text]);
    // One insert per search query: a search is read-only, so there is no transaction to join.
    // A run's search that is repeated (its step retried after a takeover) called the upstream
    // again, and is counted again, as that call was paid for.
    await recordEmbeddingUsage(ctx, embedder.model, embedded);
    return embedded.vectors[0] ?? null;
  } catch (error) {
    if (!(error instanceof EmbeddingError)) {
      throw error;
    }
    // A search still answers, from full text, rather than failing the caller (or its run).
    ctx.logger.warn({ err: error }, 'query embedding failed; searching by keywords only');
    return null;
  }
}

/** Fused scores by chunk for one query. */
async function scoreQuery(
  ctx: ServiceContext,
  scope: { vectorStoreIds: string[]; allowed: Map<string, Set<string>> | null; limit: number },
  text: string,
): Promise<Map<bigint, number>> {
  const base = {
    projectId: ctx.actor.projectId,
    vectorStoreIds: scope.vectorStoreIds,
    allowedFiles: scope.allowed,
    text,
  };
  const nearestMatches = async (): Promise<VectorMatch[]> => {
    const { embedder, vectorIndex } = ctx.retrieval;
    const vector = await queryVector(ctx, text);
    if (!vector || !embedder) {
      return [];
    }
    return vectorIndex.nearest(ctx.db, {
      vectorStoreIds: scope.vectorStoreIds,
      allowedFiles: scope.allowed,
      model: embedder.model,
      vector,
      limit: scope.limit,
    });
  };
  // Concurrently: the in-process vector scan runs while PostgreSQL ranks the full text.
  const [keywordMatches, nearest] = await Promise.all([
    keywordSearch(ctx.db, { ...base, limit: scope.limit }),
    nearestMatches(),
  ]);
  const keyword = new Map(keywordMatches.map((match) => [match.chunkId, match.score]));
  if (nearest.length === 0) {
    return keyword;
  }
  const similarity = new Map(nearest.map((match) => [match.chunkId, match.similarity]));
  // Vector candidates outside the keyword top list may still contain query terms: score them.
  const unscored = nearest.map((match) => match.chunkId).filter((id) => !keyword.has(id));
  if (unscored.length > 0) {
    const late = await keywordSearch(ctx.db, {
      ...base,
      limit: unscored.length,
      onlyChunkIds: unscored,
    });
    for (const match of late) {
      keyword.set(match.chunkId, match.score);
    }
  }
  // Keyword candidates outside the vector top list are scored with their keyword score alone:
  // their similarity is below every vector candidate's, and usually near zero.
  const fused = new Map<bigint, number>();
  for (const id of new Set([...keyword.keys(), ...similarity.keys()])) {
    fused.set(id, fuse(similarity.get(id) ?? 0, keyword.get(id) ?? 0));
  }
  return fused;
}

/**
 * Searches the chunks of the given vector stores (of the caller's project; others' ids match
 * nothing): full-text ranking always, vector similarity too when an embedding model is
 * configured, fused into one score in [0, 1]. Results are chunks, best first (ties by chunk
 * order), at most `maxNumResults` (Default: 10), none under `rankingOptions.scoreThreshold`
 * (Default: 0). `filters` apply to the files' attributes. An array `query` searches each
 * query and keeps each chunk's best score.
 */
export async function runVectorSearch(
  ctx: ServiceContext,
  input: SearchVectorStoresInput,
): Promise<VectorSearchPage> {
  const { vectorStoreIds, ...rest } = input;
  const data = parseInput(searchInputSchema, rest);
  const queries = (typeof data.query === 'string' ? [data.query] : data.query).map((query) =>
    data.rewriteQuery ? rewriteQuery(query) : query,
  );
  const maxNumResults = data.maxNumResults ?? 10;
  const threshold = data.rankingOptions?.scoreThreshold ?? 0;
  const stores = [...new Set(vectorStoreIds)];
  if (stores.length === 0) {
    return { searchQuery: queries, data: [] };
  }
  const allowed = await allowedFiles(ctx, stores, data.filters);
  const scope = { vectorStoreIds: stores, allowed, limit: candidateCount(maxNumResults) };
  const best = new Map<bigint, number>();
  for (const query of queries) {
    for (const [id, score] of await scoreQuery(ctx, scope, query)) {
      best.set(id, Math.max(score, best.get(id) ?? 0));
    }
  }
  const ranked = [...best]
    .filter(([, score]) => score > 0 && score >= threshold)
    .sort(([idA, a], [idB, b]) => b - a || (idA < idB ? -1 : idA > idB ? 1 : 0))
    .slice(0, maxNumResults);
  return { searchQuery: queries, data: await loadResults(ctx, ranked) };
}

interface ResultRow {
  id: bigint;
  text: string;
  vector_store_id: string;
  file_id: string;
  attributes: VectorSearchResult['attributes'];
  filename: string;
}

async function loadResults(
  ctx: ServiceContext,
  ranked: [bigint, number][],
): Promise<VectorSearchResult[]> {
  if (ranked.length === 0) {
    return [];
  }
  // One join (Prisma's nested select costs a query per relation level).
  const rows = await ctx.db.$queryRaw<ResultRow[]>`
    SELECT c.id, c.text, c.vector_store_id, c.file_id, vsf.attributes, f.filename
    FROM vector_store_chunks AS c
    JOIN vector_store_files AS vsf
      ON vsf.vector_store_id = c.vector_store_id AND vsf.file_id = c.file_id
    JOIN files AS f ON f.id = c.file_id
    WHERE c.id = ANY(${ranked.map(([id]) => id)}::bigint[])
      AND c.project_id = ${ctx.actor.projectId}`;
  const byId = new Map(rows.map((row) => [row.id, row]));
  // A chunk deleted between ranking and reading (file detached meanwhile) is simply left out.
  return ranked.flatMap(([id, score]) => {
    const row = byId.get(id);
    if (!row) {
      return [];
    }
    return [
      {
        vectorStoreId: row.vector_store_id,
        fileId: row.file_id,
        filename: row.filename,
        score: Math.min(1, Math.max(0, score)),
        attributes: row.attributes,
        content: [{ type: 'text' as const, text: row.text }],
        chunkId: id.toString(),
      },
    ];
  });
}

/** For file_search in runs: the ranked results of `runVectorSearch`. */
export async function searchVectorStores(
  ctx: ServiceContext,
  input: SearchVectorStoresInput,
): Promise<VectorSearchResult[]> {
  return (await runVectorSearch(ctx, input)).data;
}

/**
 * `POST /vector_stores/{id}/search`: 404 for an unknown store, 400 for an expired one; a search
 * counts as activity (`last_active_at`, and the expiry it anchors).
 */
export async function searchVectorStore(
  ctx: ServiceContext,
  vectorStoreId: string,
  input: Omit<SearchVectorStoresInput, 'vectorStoreIds'>,
): Promise<VectorSearchPage> {
  await assertVectorStoreUsable(ctx, vectorStoreId);
  const page = await runVectorSearch(ctx, { ...input, vectorStoreIds: [vectorStoreId] });
  await touchVectorStores(ctx, [vectorStoreId]);
  return page;
}
