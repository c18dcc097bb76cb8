import type { Db } from '../../db/db.js';
import { queryRaw } from '../../db/raw-sql.js';
import { Prisma } from '../../generated/prisma/client.js';

/** The first instant of the current calendar month, UTC: budgets are per month. */
function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/**
 * Why the project's budget for this month is spent, in OpenAI's words, or null while it is not
 * (or the project has none). One indexed query; none when no budget is set.
 */
export async function spentBudget(db: Db, projectId: string): Promise<string | null> {
  const [row] = await queryRaw<{ monthly_token_limit: number | null; tokens: number }>(
    db,
    Prisma.sql`
    SELECT b.monthly_token_limit,
           (SELECT coalesce(sum(u.input_tokens + u.output_tokens), 0)::float8
              FROM usage_records u
             WHERE u.project_id = b.project_id
               AND u.created_at >= ${monthStart(new Date())}::timestamp(3)) AS tokens
      FROM project_budgets b
     WHERE b.project_id = ${projectId} AND b.monthly_token_limit IS NOT NULL`,
  );
  if (row?.monthly_token_limit != null && row.tokens >= row.monthly_token_limit) {
    return `You exceeded your current quota: this project's budget of ${row.monthly_token_limit} tokens a month is spent. Ask an admin of this server to raise it.`;
  }
  return null;
}
