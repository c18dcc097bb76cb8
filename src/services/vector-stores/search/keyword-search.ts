import type { Db } from '../../../db/db.js';
import { Prisma } from '../../../generated/prisma/client.js';

/** A chunk's full-text score for one query, in [0, 1). */
export interface KeywordMatch {
  chunkId: bigint;
  score: number;
}

export interface KeywordQuery {
  projectId: string;
  vectorStoreIds: string[];
  /** Per store, the files whose chunks may match (attribute filters); null: all. */
  allowedFiles: Map<string, Set<string>> | null;
  text: string;
  limit: number;
  /** Score only these chunks (those vector search found), instead of searching the stores. */
  onlyChunkIds?: bigint[];
}

/**
 * ts_rank's ceiling: each query term contributes up to the weight of unlabelled positions (0.1),
 * saturating with its frequency (one occurrence gives 0.061), and the sum is divided by the
 * number of query terms.
 */
const RANK_CEILING = 0.1;

function allowedFilesClause(allowed: Map<string, Set<string>> | null): Prisma.Sql {
  if (!allowed) {
    return Prisma.empty;
  }
  const stores = [...allowed].flatMap(([store, files]) => [...files].map(() => store));
  const files = [...allowed].flatMap(([, files]) => [...files]);
  return Prisma.sql`AND (c.vector_store_id, c.file_id) IN
    (SELECT * FROM unnest(${stores}::text[], ${files}::text[]))`;
}

/**
 * Full-text search over chunks. The query is parsed like the indexed text (same `translate`,
 * 'english' configuration), and its lexemes are OR-ed, so a question matches chunks that hold
 * some of its words rather than only those that hold all of them. Score, in [0, 1]:
 * ts_rank / 0.1, which is the average over the query's distinct terms of a per-term score
 * saturating with frequency (0 absent, 0.61 once, → 1 often): a chunk holding every term once
 * scores 0.61, one holding half of them 0.30. One ranking call per matching row (no cover
 * density, no subqueries) keeps a query matching all 10,000 chunks of a store in tens of ms.
 * A query of stop words only matches nothing.
 */
export async function keywordSearch(db: Db, query: KeywordQuery): Promise<KeywordMatch[]> {
  const idFilter = query.onlyChunkIds
    ? Prisma.sql`AND c.id = ANY(${query.onlyChunkIds}::bigint[])`
    : Prisma.empty;
  const rows = await db.$queryRaw<{ id: bigint; score: number }[]>`
    WITH parsed AS (
      SELECT tsvector_to_array(
        to_tsvector('english'::regconfig, translate(${query.text}, '/\\.@:', '     '))
      ) AS lexemes
    ), q AS (
      SELECT CASE WHEN cardinality(lexemes) = 0 THEN NULL ELSE
          array_to_string(ARRAY(SELECT quote_literal(l) FROM unnest(lexemes) AS l), ' | ')::tsquery
        END AS query
      FROM parsed
    )
    SELECT c.id, least(1, ts_rank(c.tsv, q.query)::float8 / ${RANK_CEILING}::float8) AS score
    FROM vector_store_chunks AS c, q
    WHERE c.project_id = ${query.projectId}
      AND c.vector_store_id = ANY(${query.vectorStoreIds}::text[])
      AND c.tsv @@ q.query
      ${allowedFilesClause(query.allowedFiles)}
      ${idFilter}
    ORDER BY score DESC, c.id
    LIMIT ${query.limit}`;
  return rows.map((row) => ({ chunkId: row.id, score: row.score }));
}
