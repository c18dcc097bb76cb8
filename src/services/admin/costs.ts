import { z } from 'zod';
import type { ServiceContext } from '../../context.js';
import { parseInput } from '../common/validation.js';
import { requireAdmin } from './admin-access.js';
import { bucketWindow, pageOfBuckets, type UsageRow, usageRows } from './usage.js';

export const COST_GROUPS = ['project_id', 'line_item', 'api_key_id'] as const;

const DAY_SECONDS = 86_400;

const costsQuerySchema = z.object({
  startTime: z.number().int().min(0),
  endTime: z.number().int().min(0).nullish(),
  /** OpenAI's costs come in days only. */
  bucketWidth: z.enum(['1d']).nullish(),
  groupBy: z.array(z.enum(COST_GROUPS)).nullish(),
  projectIds: z.array(z.string()).nullish(),
  apiKeyIds: z.array(z.string()).nullish(),
  /** Buckets per page: 1 to 180, 7 by default (OpenAI's). */
  limit: z.number().int().min(1).max(180).nullish(),
  page: z.string().regex(/^\d+$/, 'Expected the next_page of a previous page.').nullish(),
});

export type CostsQuery = Omit<z.input<typeof costsQuerySchema>, 'bucketWidth'> & {
  bucketWidth?: string | null;
};

export interface CostResult {
  projectId: string | null;
  apiKeyId: string | null;
  /** `<model>, input` or `<model>, output` when grouped by line item. */
  lineItem: string | null;
  /** The line item's tokens when grouped by line item. */
  quantity: number | null;
  /** US dollars. */
  amount: number;
}

interface Line {
  lineItem: string;
  tokens: number;
  /** USD per 1M tokens. */
  price: number;
}

function linesOf(ctx: ServiceContext, row: UsageRow): Line[] {
  const model = row.model ?? '';
  const price = ctx.settings.modelPrices[model];
  return [
    { lineItem: `${model}, input`, tokens: row.input_tokens, price: price?.input ?? 0 },
    { lineItem: `${model}, output`, tokens: row.output_tokens, price: price?.output ?? 0 },
  ].filter((line) => line.tokens > 0);
}

/**
 * Costs in OpenAI's daily buckets: the metered tokens (completions and embeddings) times the
 * model's price from `MODEL_PRICES_FILE`; a model without a price costs 0. One result per group
 * of a bucket with usage (one in all without `groupBy`).
 */
export async function queryCosts(ctx: ServiceContext, input: CostsQuery) {
  requireAdmin(ctx);
  const query = parseInput(costsQuerySchema, input);
  const window = bucketWindow(query, DAY_SECONDS, query.limit ?? 7);
  if (!window) {
    return { buckets: [], hasMore: false, nextPage: null };
  }
  const groupBy = new Set(query.groupBy ?? []);
  const rows = await usageRows(ctx, window, {
    kinds: ['completions', 'embeddings'],
    // Always by model, to price each model's tokens.
    groupBy: [
      'model',
      ...(groupBy.has('project_id') ? (['project_id'] as const) : []),
      ...(groupBy.has('api_key_id') ? (['api_key_id'] as const) : []),
    ],
    projectIds: query.projectIds,
    apiKeyIds: query.apiKeyIds,
  });
  return pageOfBuckets(window, (index) => {
    const results = new Map<string, CostResult>();
    for (const row of rows.filter((candidate) => candidate.bucket === index)) {
      for (const line of linesOf(ctx, row)) {
        const lineItem = groupBy.has('line_item') ? line.lineItem : null;
        const projectId = row.project_id ?? null;
        const apiKeyId = row.api_key_id ?? null;
        const key = JSON.stringify([projectId, apiKeyId, lineItem]);
        const result = results.get(key) ?? {
          projectId,
          apiKeyId,
          lineItem,
          quantity: null,
          amount: 0,
        };
        result.amount += (line.tokens * line.price) / 1_000_000;
        if (lineItem !== null) {
          result.quantity = (result.quantity ?? 0) + line.tokens;
        }
        results.set(key, result);
      }
    }
    return [...results.values()];
  });
}
