import { z } from 'zod';
import type { ServiceContext } from '../../context.js';
import { queryRaw } from '../../db/raw-sql.js';
import { Prisma } from '../../generated/prisma/client.js';
import { parseInput } from '../common/validation.js';
import { requireAdmin } from './admin-access.js';
import {
  BUCKET_WIDTHS,
  type BucketWindow,
  pageOfBuckets,
  usageRows,
  usageWindow,
} from './usage.js';

/** OpenAI groups the usage of vector stores and code interpreter sessions by project only. */
export const TOOL_USAGE_GROUPS = ['project_id'] as const;

const toolUsageQuerySchema = z.object({
  /** Unix seconds, inclusive: the first bucket starts here. */
  startTime: z.number().int().min(0),
  /** Unix seconds, exclusive (Default: now). */
  endTime: z.number().int().min(0).nullish(),
  bucketWidth: z.enum(BUCKET_WIDTHS).nullish(),
  groupBy: z.array(z.enum(TOOL_USAGE_GROUPS)).nullish(),
  projectIds: z.array(z.string()).nullish(),
  limit: z.number().int().min(1).nullish(),
  page: z.string().regex(/^\d+$/, 'Expected the next_page of a previous page.').nullish(),
});

/** `bucketWidth` is checked here, so a bad width is OpenAI's 400 on `bucket_width`. */
export type ToolUsageQuery = Omit<z.input<typeof toolUsageQuerySchema>, 'bucketWidth'> & {
  bucketWidth?: string | null;
};

export interface VectorStoreUsageResult {
  projectId: string | null;
  usageBytes: number;
}

export interface CodeInterpreterSessionUsageResult {
  projectId: string | null;
  numSessions: number;
}

export interface ToolUsagePage<T> {
  buckets: { startTime: number; endTime: number; results: T[] }[];
  hasMore: boolean;
  nextPage: string | null;
}

const EMPTY = { buckets: [], hasMore: false, nextPage: null };

/**
 * Bytes the projects' vector stores hold at the end of each bucket (now, for a bucket not over
 * yet): the sum of the stored bytes' changes metered before it. A bucket lists the groups that
 * store something then (one result in all without `groupBy`).
 */
async function storedBytes(
  ctx: ServiceContext,
  window: BucketWindow,
  byProject: boolean,
  projectIds: string[] | null | undefined,
): Promise<{ bucket: number; project_id?: string; bytes: number }[]> {
  const first = Math.floor((window.from - window.startTime) / window.seconds);
  const last = Math.ceil((window.until - window.startTime) / window.seconds) - 1;
  // A fixed column name, never the caller's text.
  const group = Prisma.raw(byProject ? ', u.project_id' : '');
  const projects =
    projectIds && projectIds.length > 0
      ? Prisma.sql`AND u.project_id IN (${Prisma.join(projectIds)})`
      : Prisma.empty;
  return queryRaw(
    ctx.db,
    Prisma.sql`
    SELECT b.bucket ${group}, sum(u.usage_bytes)::float8 AS bytes
      FROM generate_series(${first}::int, ${last}::int) AS b(bucket)
      JOIN usage_records u
        ON u.kind = 'vector_stores'
       AND u.created_at < to_timestamp(${window.startTime}::float8 + (b.bucket + 1) * ${window.seconds}::float8) AT TIME ZONE 'UTC'
     WHERE true ${projects}
     GROUP BY b.bucket ${group}
    HAVING sum(u.usage_bytes) <> 0
     ORDER BY b.bucket ${group}`,
  );
}

/** OpenAI's `/organization/usage/vector_stores`: stored bytes per bucket. Admins only. */
export async function queryVectorStoreUsage(
  ctx: ServiceContext,
  input: ToolUsageQuery,
): Promise<ToolUsagePage<VectorStoreUsageResult>> {
  requireAdmin(ctx);
  const query = parseInput(toolUsageQuerySchema, input);
  const window = usageWindow(query);
  if (!window) {
    return EMPTY;
  }
  const byProject = (query.groupBy ?? []).includes('project_id');
  const rows = await storedBytes(ctx, window, byProject, query.projectIds);
  return pageOfBuckets(window, (index) =>
    rows
      .filter((row) => row.bucket === index)
      .map((row) => ({ projectId: row.project_id ?? null, usageBytes: row.bytes })),
  );
}

/**
 * OpenAI's `/organization/usage/code_interpreter_sessions`: the sandbox sessions started in each
 * bucket (one per run that ran code). Admins only.
 */
export async function queryCodeInterpreterSessionUsage(
  ctx: ServiceContext,
  input: ToolUsageQuery,
): Promise<ToolUsagePage<CodeInterpreterSessionUsageResult>> {
  requireAdmin(ctx);
  const query = parseInput(toolUsageQuerySchema, input);
  const window = usageWindow(query);
  if (!window) {
    return EMPTY;
  }
  const rows = await usageRows(ctx, window, {
    kinds: ['code_interpreter_sessions'],
    groupBy: query.groupBy ?? [],
    projectIds: query.projectIds,
  });
  return pageOfBuckets(window, (index) =>
    rows
      .filter((row) => row.bucket === index)
      .map((row) => ({ projectId: row.project_id ?? null, numSessions: row.requests })),
  );
}
