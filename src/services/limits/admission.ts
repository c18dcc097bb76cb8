import type { ServiceContext } from '../../context.js';
import type { Db } from '../../db/db.js';
import { queryRaw } from '../../db/raw-sql.js';
import { NotFoundError, RateLimitError } from '../../errors.js';
import { Prisma } from '../../generated/prisma/client.js';
import { spentBudget } from './quota.js';
import { DEFAULT_LIMIT_MODEL } from './rate-limits.js';

interface LimitRow {
  limit_model: string | null;
  max_requests: number | null;
  max_tokens: number | null;
  window_start: Date;
  reset_seconds: number;
  minute_tokens: number;
  allowed_models: string[] | null;
}

/** OpenAI's duration format of `x-ratelimit-reset-*` (`1s`, `59.5s`). */
function duration(seconds: number): string {
  return `${Number(seconds.toFixed(3))}s`;
}

/**
 * The project's limit for `model` (its own entry, else the `*` default) in the current minute
 * window, with the tokens the model used in it. Windows are the database's minutes, so every
 * server instance counts in the same one.
 */
async function currentLimit(ctx: ServiceContext, model: string): Promise<LimitRow> {
  const { projectId } = ctx.actor;
  const [row] = await queryRaw<LimitRow>(
    ctx.db,
    Prisma.sql`
    WITH clock AS (SELECT now() AT TIME ZONE 'UTC' AS at)
    SELECT l.model AS limit_model,
           l.max_requests_per_1_minute AS max_requests,
           l.max_tokens_per_1_minute AS max_tokens,
           date_trunc('minute', clock.at)::timestamp(3) AS window_start,
           extract(epoch FROM date_trunc('minute', clock.at) + interval '1 minute' - clock.at)::float8
             AS reset_seconds,
           CASE WHEN l.max_tokens_per_1_minute > 0 THEN (
             SELECT coalesce(sum(u.input_tokens + u.output_tokens), 0)::float8 FROM usage_records u
              WHERE u.project_id = ${projectId} AND u.model = ${model}
                AND u.created_at >= date_trunc('minute', clock.at))
           ELSE 0 END AS minute_tokens,
           (SELECT allowed_models FROM projects WHERE id = ${projectId}) AS allowed_models
      FROM clock
      LEFT JOIN LATERAL (
        SELECT * FROM project_rate_limits
         WHERE project_id = ${projectId} AND model IN (${model}, ${DEFAULT_LIMIT_MODEL})
         ORDER BY model = ${DEFAULT_LIMIT_MODEL} LIMIT 1) l ON true`,
  );
  if (!row) {
    throw new Error('the limit query returned no row');
  }
  return row;
}

/**
 * The two statements that count one request of the project's `model` in the window, unless the
 * window is full or `gate` (a boolean SQL expression) is false, for a caller's statement (as
 * CTEs: PostgreSQL allows data-modifying statements only at a WITH's top level). The count's
 * `RETURNING requests` is the count, no row when not counted.
 */
export function countRequestSql(
  { projectId, model }: { projectId: string; model: string },
  windowStart: Date,
  max: number,
  gate: Prisma.Sql = Prisma.sql`true`,
): { prune: Prisma.Sql; count: Prisma.Sql } {
  return {
    // Past windows go, but never with a wait: an admission still in the previous minute holds
    // its row until it commits, and waiting for it here (holding this window's row) while it
    // waits to prune a row this statement took deadlocks. A skipped row goes next time.
    prune: Prisma.sql`
      DELETE FROM rate_limit_windows
       WHERE ctid IN (
         SELECT ctid FROM rate_limit_windows
          WHERE project_id = ${projectId} AND model = ${model}
            AND window_start < ${windowStart}::timestamp(3)
            AND ${gate}
            FOR UPDATE SKIP LOCKED)`,
    count: Prisma.sql`
      INSERT INTO rate_limit_windows (project_id, model, window_start, requests)
      SELECT ${projectId}, ${model}, ${windowStart}::timestamp(3), 1 WHERE ${gate}
      ON CONFLICT (project_id, model, window_start)
        DO UPDATE SET requests = rate_limit_windows.requests + 1
        WHERE rate_limit_windows.requests < ${max}
      RETURNING requests`,
  };
}

/**
 * Counts one request of the project's `model` in the window, unless the window is full: one
 * atomic statement, so two servers admitting at once never both take the last request. Returns
 * the count, or null. Exported for the concurrency test.
 */
export async function countRequest(
  db: Db,
  ids: { projectId: string; model: string },
  windowStart: Date,
  max: number,
): Promise<number | null> {
  const { prune, count } = countRequestSql(ids, windowStart, max);
  const [row] = await queryRaw<{ requests: number }>(
    db,
    Prisma.sql`WITH pruned AS (${prune}) ${count}`,
  );
  return row?.requests ?? null;
}

function setHeaders(ctx: ServiceContext, headers: Record<string, string>): void {
  if (ctx.responseHeaders) {
    Object.assign(ctx.responseHeaders, headers);
  }
}

function exceeded(
  ctx: ServiceContext,
  model: string,
  kind: 'requests' | 'tokens',
  limit: number,
  resetSeconds: number,
): RateLimitError {
  const unit = kind === 'requests' ? 'requests per min (RPM)' : 'tokens per min (TPM)';
  return new RateLimitError(
    `Rate limit reached for ${model} in project ${ctx.actor.projectId} on ${unit}: Limit ${limit}, Used ${limit}, Requested 1. Please try again in ${duration(resetSeconds)}.`,
    { type: kind, openaiCode: 'rate_limit_exceeded' },
  );
}

function refuseSpentBudget(ctx: ServiceContext, spent: string | null): void {
  if (spent !== null) {
    // Retrying cannot help until an admin acts: tell the SDK not to.
    setHeaders(ctx, { 'x-should-retry': 'false' });
    throw new RateLimitError(spent, {
      type: 'insufficient_quota',
      openaiCode: 'insufficient_quota',
    });
  }
}

function isModelAllowed(limit: LimitRow, model: string): boolean {
  const allowed = limit.allowed_models ?? [];
  return allowed.length === 0 || allowed.includes(model);
}

function refuseModelNotAllowed(limit: LimitRow, model: string): void {
  if (!isModelAllowed(limit, model)) {
    throw new NotFoundError(
      `The model '${model}' does not exist or you do not have access to it.`,
      { param: 'model', openaiCode: 'model_not_found' },
    );
  }
}

/** The window's request limit (0: none applies, nothing is counted). */
function requestLimit(limit: LimitRow): number {
  return limit.limit_model === null ? 0 : (limit.max_requests ?? 0);
}

function tokensSpent(limit: LimitRow): boolean {
  const maxTokens = limit.limit_model === null ? 0 : (limit.max_tokens ?? 0);
  return maxTokens > 0 && limit.minute_tokens >= maxTokens;
}

/**
 * The rate limit's answer once the request was counted (`count`: its number in the window, null
 * when the window was full; ignored without a request limit): the `x-ratelimit-*` headers, and
 * a 429 when the requests or the tokens of the minute are spent.
 */
function settleRateLimit(
  ctx: ServiceContext,
  model: string,
  limit: LimitRow,
  count: number | null,
): void {
  if (limit.limit_model === null) {
    return;
  }
  const reset = duration(limit.reset_seconds);
  const retryAfter = String(Math.max(1, Math.ceil(limit.reset_seconds)));
  const maxTokens = limit.max_tokens ?? 0;
  if (maxTokens > 0) {
    setHeaders(ctx, {
      'x-ratelimit-limit-tokens': String(maxTokens),
      'x-ratelimit-remaining-tokens': String(Math.max(0, maxTokens - limit.minute_tokens)),
      'x-ratelimit-reset-tokens': reset,
    });
  }
  const maxRequests = requestLimit(limit);
  if (maxRequests > 0) {
    setHeaders(ctx, {
      'x-ratelimit-limit-requests': String(maxRequests),
      'x-ratelimit-remaining-requests': String(maxRequests - (count ?? maxRequests)),
      'x-ratelimit-reset-requests': reset,
    });
    if (count === null) {
      setHeaders(ctx, { 'retry-after': retryAfter });
      throw exceeded(ctx, model, 'requests', maxRequests, limit.reset_seconds);
    }
  }
  if (tokensSpent(limit)) {
    setHeaders(ctx, { 'retry-after': retryAfter });
    throw exceeded(ctx, model, 'tokens', maxTokens, limit.reset_seconds);
  }
}

/**
 * Lets a request that starts model work (a run, a thread and run, tool outputs) through the
 * project's budget, its allow-list of models and its rate limit for `model`, or throws a 429 in OpenAI's words. Call it
 * inside the request's transaction: a request that fails afterwards is not counted. Adds
 * OpenAI's `x-ratelimit-*` headers (and `retry-after` when refused) to the response.
 */
export async function admitModelWork(ctx: ServiceContext, model: string): Promise<void> {
  refuseSpentBudget(ctx, await spentBudget(ctx, ctx.actor.projectId));
  const limit = await currentLimit(ctx, model);
  refuseModelNotAllowed(limit, model);
  const maxRequests = requestLimit(limit);
  const count =
    maxRequests > 0
      ? await countRequest(
          ctx.db,
          { projectId: ctx.actor.projectId, model },
          limit.window_start,
          maxRequests,
        )
      : null;
  settleRateLimit(ctx, model, limit, count);
}

/** An admission decided but for its request count, which the caller's own statement takes. */
export interface PendingAdmission {
  /**
   * What to count (`countRequestSql`), null when no request limit applies.
   */
  count: { projectId: string; model: string; windowStart: Date; max: number } | null;
  /** Once the statement counted (null: the window was full): headers, or the 429. */
  settle(count: number | null): void;
}

/**
 * admitModelWork's reads (budget and limit, side by side, outside any transaction: they take no
 * lock there either) for a caller that counts the request in its own statement. Null when the
 * request would be refused before or without its count (budget spent, model not allowed,
 * tokens of the minute spent): admitModelWork inside the caller's transaction then answers, in
 * the order of the checks before it.
 */
export async function prepareAdmission(
  ctx: ServiceContext,
  /** A promise when the model is still being read (the run's assistant's): the budget is not. */
  modelRead: string | Promise<string>,
): Promise<PendingAdmission | null> {
  const { projectId } = ctx.actor;
  const [spent, [model, limit]] = await Promise.all([
    spentBudget(ctx, projectId),
    (async () => {
      const known = await modelRead;
      return [known, await currentLimit(ctx, known)] as const;
    })(),
  ]);
  if (spent !== null || !isModelAllowed(limit, model) || tokensSpent(limit)) {
    return null;
  }
  const max = requestLimit(limit);
  return {
    count: max > 0 ? { projectId, model, windowStart: limit.window_start, max } : null,
    settle: (count) => settleRateLimit(ctx, model, limit, count),
  };
}
