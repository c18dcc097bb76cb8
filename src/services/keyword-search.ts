import type { Db } from '../context.js';
import { Prisma } from '../generated/prisma/client.js';

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

/** How much ts_rank_cd a chunk needs for half the score: about one occurrence of a term. */
const RANK_HALF = 0.1;

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
 * some of its words rather than only those that hold all of them. Score, in [0, 1):
 * coverage × saturation, where coverage is the share of the query's distinct lexemes the chunk
 * contains and saturation is ts_rank_cd / (ts_rank_cd + 0.1) (cover density: frequency and
 * proximity of the terms). A query of stop words only matches nothing.
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
      SELECT lexemes,
        CASE WHEN cardinality(lexemes) = 0 THEN NULL ELSE
          array_to_string(ARRAY(SELECT quote_literal(l) FROM unnest(lexemes) AS l), ' | ')::tsquery
        END AS query
      FROM parsed
    )
    SELECT c.id,
      (SELECT count(*) FROM unnest(q.lexemes) AS l WHERE c.tsv @@ quote_literal(l)::tsquery)::float8
        / cardinality(q.lexemes)
        * ts_rank_cd(c.tsv, q.query) / (ts_rank_cd(c.tsv, q.query) + ${RANK_HALF}) AS score
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
