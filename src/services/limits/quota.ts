import type { Db } from '../../db/db.js';
import { queryRaw } from '../../db/raw-sql.js';
import { Prisma } from '../../generated/prisma/client.js';
import type { ModelPrices } from '../../models/model-prices.js';

/** The first instant of the current calendar month, UTC: budgets are per month. */
function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

interface BudgetRow {
  monthly_token_limit: number | null;
  spend_limit_cents: number | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
}

/** US cents the month's tokens cost at `prices` (USD per 1M tokens; 0 for a model without). */
function costCents(rows: BudgetRow[], prices: ModelPrices): number {
  let usd = 0;
  for (const row of rows) {
    const price = row.model === null ? undefined : prices[row.model];
    usd +=
      (row.input_tokens * (price?.input ?? 0) + row.output_tokens * (price?.output ?? 0)) / 1e6;
  }
  return usd * 100;
}

/**
 * Why the project's budget for this month is spent, in OpenAI's words, or null while it is not
 * (or the project has none): the month's input + output tokens against the token budget, and
 * their cost at MODEL_PRICES_FILE's prices (as `/organization/costs` shows it) against the spend
 * limit in cents. One indexed query; none when no budget is set.
 */
export async function spentBudget(
  ctx: { db: Db; settings: { modelPrices: ModelPrices } },
  projectId: string,
): Promise<string | null> {
  const rows = await queryRaw<BudgetRow>(
    ctx.db,
    Prisma.sql`
    SELECT b.monthly_token_limit, b.spend_limit_cents, u.model,
           coalesce(sum(u.input_tokens), 0)::float8 AS input_tokens,
           coalesce(sum(u.output_tokens), 0)::float8 AS output_tokens
      FROM project_budgets b
      LEFT JOIN usage_records u
        ON u.project_id = b.project_id
       AND u.created_at >= ${monthStart(new Date())}::timestamp(3)
     WHERE b.project_id = ${projectId}
       AND (b.monthly_token_limit IS NOT NULL OR b.spend_limit_cents IS NOT NULL)
     GROUP BY b.monthly_token_limit, b.spend_limit_cents, u.model`,
  );
  const [budget] = rows;
  if (!budget) {
    return null;
  }
  const tokens = rows.reduce((sum, row) => sum + row.input_tokens + row.output_tokens, 0);
  if (budget.monthly_token_limit !== null && tokens >= budget.monthly_token_limit) {
    return `You exceeded your current quota: this project's budget of ${budget.monthly_token_limit} tokens a month is spent. Ask an admin of this server to raise it.`;
  }
  if (
    budget.spend_limit_cents !== null &&
    costCents(rows, ctx.settings.modelPrices) >= budget.spend_limit_cents
  ) {
    const limit = (budget.spend_limit_cents / 100).toFixed(2);
    return `You exceeded your current quota: this project's spend limit of $${limit} a month is spent. Ask an admin of this server to raise it.`;
  }
  return null;
}
