import { z } from 'zod';
import type { ServiceContext } from '../../context.js';
import { queryRaw } from '../../db/raw-sql.js';
import { InvalidRequestError } from '../../errors.js';
import { Prisma } from '../../generated/prisma/client.js';
import { parseInput } from '../common/validation.js';
import { requireAdmin } from './admin-access.js';

export const USAGE_KINDS = ['completions', 'embeddings'] as const;
export const BUCKET_WIDTHS = ['1m', '1h', '1d'] as const;
export const USAGE_GROUPS = ['project_id', 'api_key_id', 'model'] as const;

type BucketWidth = (typeof BUCKET_WIDTHS)[number];

/** Seconds per bucket, and how many buckets a page holds by default and at most (OpenAI's). */
const WIDTHS: Record<BucketWidth, { seconds: number; default: number; max: number }> = {
  '1m': { seconds: 60, default: 60, max: 1440 },
  '1h': { seconds: 3600, default: 24, max: 168 },
  '1d': { seconds: 86_400, default: 7, max: 31 },
};

const usageQuerySchema = z.object({
  kind: z.enum(USAGE_KINDS),
  /** Unix seconds, inclusive: the first bucket starts here. */
  startTime: z.number().int().min(0),
  /** Unix seconds, exclusive (Default: now). */
  endTime: z.number().int().min(0).nullish(),
  bucketWidth: z.enum(BUCKET_WIDTHS).nullish(),
  groupBy: z.array(z.enum(USAGE_GROUPS)).nullish(),
  projectIds: z.array(z.string()).nullish(),
  apiKeyIds: z.array(z.string()).nullish(),
  models: z.array(z.string()).nullish(),
  limit: z.number().int().min(1).nullish(),
  /** The `next_page` of the previous page: the start of its next bucket. */
  page: z.string().regex(/^\d+$/, 'Expected the next_page of a previous page.').nullish(),
});

/** `bucketWidth` is checked here, so a bad width is OpenAI's 400 on `bucket_width`. */
export type UsageQuery = Omit<z.input<typeof usageQuerySchema>, 'bucketWidth'> & {
  bucketWidth?: string | null;
};

export interface UsageResult {
  projectId: string | null;
  apiKeyId: string | null;
  model: string | null;
  inputTokens: number;
  inputCachedTokens: number;
  outputTokens: number;
  numModelRequests: number;
}

export interface UsageBucket {
  /** Unix seconds. */
  startTime: number;
  endTime: number;
  results: UsageResult[];
}

export interface UsagePage {
  buckets: UsageBucket[];
  hasMore: boolean;
  nextPage: string | null;
}

const GROUP_COLUMNS = { project_id: 'project_id', api_key_id: 'api_key_id', model: 'model' };

function inList(column: string, values: string[] | null | undefined): Prisma.Sql {
  return values && values.length > 0
    ? Prisma.sql`AND ${Prisma.raw(column)} IN (${Prisma.join(values)})`
    : Prisma.empty;
}

/** The buckets one page covers: `from` to `until`, aligned on `startTime`. */
export interface BucketWindow {
  startTime: number;
  from: number;
  until: number;
  endTime: number;
  seconds: number;
}

/** The page's window, or null when it is empty. `page` is the start of its first bucket. */
export function bucketWindow(
  query: { startTime: number; endTime?: number | null; page?: string | null },
  seconds: number,
  limit: number,
): BucketWindow | null {
  const endTime = query.endTime ?? Math.ceil(Date.now() / 1000);
  const from = query.page ? Number(query.page) : query.startTime;
  const until = Math.min(endTime, from + limit * seconds);
  return from < until ? { startTime: query.startTime, from, until, endTime, seconds } : null;
}

/**
 * The window of a usage page (`/organization/usage/*`): `bucketWidth` (Default: 1d) and `limit`
 * buckets within OpenAI's bounds for that width, else a 400 on `limit`. Null when empty.
 */
export function usageWindow(query: {
  startTime: number;
  endTime?: number | null;
  bucketWidth?: BucketWidth | null;
  limit?: number | null;
  page?: string | null;
}): BucketWindow | null {
  const width = WIDTHS[query.bucketWidth ?? '1d'];
  const limit = query.limit ?? width.default;
  if (limit > width.max) {
    throw new InvalidRequestError(
      `Invalid 'limit': at most ${width.max} buckets of ${query.bucketWidth ?? '1d'}.`,
      { param: 'limit' },
    );
  }
  return bucketWindow(query, width.seconds, limit);
}

export interface UsageRow {
  bucket: number;
  kind: string;
  project_id?: string;
  api_key_id?: string | null;
  model?: string;
  input_tokens: number;
  input_cached_tokens: number;
  output_tokens: number;
  requests: number;
}

/** Sums of `usage_records` per bucket of the window, kind and the given groups. */
export function usageRows(
  ctx: ServiceContext,
  window: BucketWindow,
  filter: {
    kinds: readonly string[];
    groupBy: readonly (typeof USAGE_GROUPS)[number][];
    projectIds?: string[] | null;
    apiKeyIds?: string[] | null;
    models?: string[] | null;
  },
): Promise<UsageRow[]> {
  const groups = [...new Set(filter.groupBy)].map((group) => GROUP_COLUMNS[group]);
  // Fixed column names only (from GROUP_COLUMNS), never the caller's text.
  const groupSql = Prisma.raw(groups.map((column) => `, ${column}`).join(''));
  return queryRaw<UsageRow>(
    ctx.db,
    Prisma.sql`
    SELECT floor((extract(epoch FROM created_at) - ${window.startTime}::float8) / ${window.seconds}::float8)::int AS bucket,
           kind ${groupSql},
           sum(input_tokens)::int AS input_tokens, sum(input_cached_tokens)::int AS input_cached_tokens,
           sum(output_tokens)::int AS output_tokens, sum(requests)::int AS requests
      FROM usage_records
     WHERE kind IN (${Prisma.join([...filter.kinds])})
       AND created_at >= to_timestamp(${window.from}::float8) AT TIME ZONE 'UTC'
       AND created_at < to_timestamp(${window.until}::float8) AT TIME ZONE 'UTC'
       ${inList('project_id', filter.projectIds)} ${inList('api_key_id', filter.apiKeyIds)}
       ${inList('model', filter.models)}
     GROUP BY bucket, kind ${groupSql}
     ORDER BY bucket, kind ${groupSql}`,
  );
}

/** Every bucket of the window, empty ones too, with `results` of its rows; and the next page. */
export function pageOfBuckets<T>(
  window: BucketWindow,
  resultsOf: (bucket: number) => T[],
): {
  buckets: { startTime: number; endTime: number; results: T[] }[];
  hasMore: boolean;
  nextPage: string | null;
} {
  const buckets: { startTime: number; endTime: number; results: T[] }[] = [];
  for (let start = window.from; start < window.until; start += window.seconds) {
    const index = Math.floor((start - window.startTime) / window.seconds);
    buckets.push({ startTime: start, endTime: start + window.seconds, results: resultsOf(index) });
  }
  const hasMore = window.until < window.endTime;
  return { buckets, hasMore, nextPage: hasMore ? String(window.until) : null };
}

/**
 * Usage in OpenAI's buckets: every bucket of the page, empty ones too, each with one result per
 * group (one in all without `groupBy`). Buckets are aligned on `startTime`.
 */
export async function queryUsage(ctx: ServiceContext, input: UsageQuery): Promise<UsagePage> {
  requireAdmin(ctx);
  const query = parseInput(usageQuerySchema, input);
  const window = usageWindow(query);
  if (!window) {
    return { buckets: [], hasMore: false, nextPage: null };
  }
  const rows = await usageRows(ctx, window, {
    ...query,
    kinds: [query.kind],
    groupBy: query.groupBy ?? [],
  });
  return pageOfBuckets(window, (index) =>
    rows
      .filter((row) => row.bucket === index)
      .map((row) => ({
        projectId: row.project_id ?? null,
        apiKeyId: row.api_key_id ?? null,
        model: row.model ?? null,
        inputTokens: row.input_tokens,
        inputCachedTokens: row.input_cached_tokens,
        outputTokens: row.output_tokens,
        numModelRequests: row.requests,
      })),
  );
}
