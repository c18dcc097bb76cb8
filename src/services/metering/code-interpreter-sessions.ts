import type { ServiceContext } from '../../context.js';
import { queryRaw } from '../../db/raw-sql.js';
import { Prisma } from '../../generated/prisma/client.js';

/**
 * Meters the sandbox session of a run, for the run's project and key, when its first
 * code_interpreter call starts one. A run counts one session however many calls it makes and
 * whichever worker runs it: the unique index on the run makes a second record a no-op.
 */
export async function recordCodeInterpreterSession(
  ctx: ServiceContext,
  runId: string,
): Promise<void> {
  await queryRaw(
    ctx.db,
    Prisma.sql`
    INSERT INTO usage_records (project_id, api_key_id, run_id, kind, model, requests, created_at)
    VALUES (${ctx.actor.projectId}, ${ctx.actor.apiKeyId}, ${runId}, 'code_interpreter_sessions',
            '', 1, ${new Date()}::timestamp(3))
    ON CONFLICT (run_id) WHERE kind = 'code_interpreter_sessions' DO NOTHING`,
  );
}

/**
 * Meters a response's use of its container's sandbox session, for the response's project and
 * key, when its first code_interpreter call runs: one per response that ran code, as a run
 * counts one (the session itself may carry over between responses on the container).
 */
export async function recordResponseCodeInterpreterSession(
  ctx: ServiceContext,
  responseId: string,
): Promise<void> {
  await queryRaw(
    ctx.db,
    Prisma.sql`
    INSERT INTO usage_records (project_id, api_key_id, response_id, kind, model, requests, created_at)
    VALUES (${ctx.actor.projectId}, ${ctx.actor.apiKeyId}, ${responseId}, 'code_interpreter_sessions',
            '', 1, ${new Date()}::timestamp(3))
    ON CONFLICT (response_id) WHERE kind = 'code_interpreter_sessions' DO NOTHING`,
  );
}
