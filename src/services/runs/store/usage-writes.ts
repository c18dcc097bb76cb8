import { Prisma } from '../../../generated/prisma/client.js';
import type { Usage } from '../usage.js';

/**
 * The usage record of a step's model call, as one more part of the statement that completes the
 * step: it reads the run from `bumped`, so it is written only when the step is (the lease held),
 * and a run taken over by another worker never counts a call twice.
 */
export function meteredStep(stepId: string, usage: Usage | null | undefined): Prisma.Sql[] {
  if (!usage) {
    return [];
  }
  return [
    Prisma.sql`metered AS (
      INSERT INTO usage_records (project_id, api_key_id, run_id, step_id, kind, model,
                                 input_tokens, input_cached_tokens, output_tokens, requests,
                                 created_at)
      SELECT project_id, api_key_id, id, ${stepId}, 'completions', model,
             ${usage.promptTokens}::int, ${usage.cachedPromptTokens ?? 0}::int,
             ${usage.completionTokens}::int, 1,
             ${new Date()}::timestamp(3)
        FROM bumped
      RETURNING 1)`,
  ];
}
