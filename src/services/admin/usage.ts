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

/**
 * Usage in OpenAI's buckets: every bucket of the page, empty ones too, each with one result per
 * group (one in all without `groupBy`). Buckets are aligned on `startTime`.
 */
export async function queryUsage(ctx: ServiceContext, input: UsageQuery): Promise<UsagePage> {
  requireAdmin(ctx);
  const query = parseInput(usageQuerySchema, input);
  const width = WIDTHS[query.bucketWidth ?? '1d'];
  const limit = query.limit ?? width.default;
  if (limit > width.max) {
    throw new InvalidRequestError(
      `Invalid 'limit': at most ${width.max} buckets of ${query.bucketWidth ?? '1d'}.`,
      { param: 'limit' },
    );
  }
  const endTime = query.endTime ?? Math.ceil(Date.now() / 1000);
  const from = query.page ? Number(query.page) : query.startTime;
  const until = Math.min(endTime, from + limit * width.seconds);
  if (from >= until) {
    return { buckets: [], hasMore: false, nextPage: null };
  }
  const groups = [...new Set(query.groupBy ?? [])].map((group) => GROUP_COLUMNS[group]);
  // Fixed column names only (from GROUP_COLUMNS), never the caller's text.
  const groupSql = Prisma.raw(groups.map((column) => `, ${column}`).join(''));
  const rows = await queryRaw<{
    bucket: number;
    project_id?: string;
    api_key_id?: string | null;
    model?: string;
    input_tokens: number;
    input_cached_tokens: number;
    output_tokens: number;
    requests: number;
  }>(
    ctx.db,
    Prisma.sql`
    SELECT floor((extract(epoch FROM created_at) - ${query.startTime}::float8) / ${width.seconds}::float8)::int AS bucket
           ${groupSql},
           sum(input_tokens)::int AS input_tokens, sum(input_cached_tokens)::int AS input_cached_tokens,
           sum(output_tokens)::int AS output_tokens, sum(requests)::int AS requests
      FROM usage_records
     WHERE kind = ${query.kind}
       AND created_at >= to_timestamp(${from}::float8) AT TIME ZONE 'UTC'
       AND created_at < to_timestamp(${until}::float8) AT TIME ZONE 'UTC'
       ${inList('project_id', query.projectIds)} ${inList('api_key_id', query.apiKeyIds)}
       ${inList('model', query.models)}
     GROUP BY bucket ${groupSql}
     ORDER BY bucket ${groupSql}`,
  );
  const buckets: UsageBucket[] = [];
  for (let start = from; start < until; start += width.seconds) {
    const index = Math.floor((start - query.startTime) / width.seconds);
    buckets.push({
      startTime: start,
      endTime: start + width.seconds,
      results: rows
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
    });
  }
  const hasMore = until < endTime;
  return { buckets, hasMore, nextPage: hasMore ? String(until) : null };
}
