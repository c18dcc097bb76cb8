import type { Db } from '../db/db.js';
import { queryRaw } from '../db/raw-sql.js';
import { Prisma, type ResponseEvent } from '../generated/prisma/client.js';

/** NOTIFY channel announcing new response events; the payload is `<responseId>:<last seq>`. */
export const RESPONSE_EVENTS_CHANNEL = 'assistants_response_events';

/** Events of a response after `afterSeq` (-1: from the first), in order. */
export function readResponseEvents(
  db: Db,
  responseId: string,
  afterSeq: number,
  limit = 500,
): Promise<ResponseEvent[]> {
  return queryRaw<ResponseEvent>(
    db,
    Prisma.sql`
    SELECT response_id AS "responseId", seq, project_id AS "projectId", event, data,
           created_at AS "createdAt"
      FROM response_events
     WHERE response_id = ${responseId} AND seq > ${afterSeq}::int
     ORDER BY seq
     LIMIT ${limit}::int`,
  );
}
