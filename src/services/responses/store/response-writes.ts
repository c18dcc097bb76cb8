import type { Db } from '../../../db/db.js';
import { queryRaw } from '../../../db/raw-sql.js';
import { Prisma } from '../../../generated/prisma/client.js';
import { JOB_WAKE_CHANNEL } from '../../../jobs/queue.js';
import { RUN_SIGNAL_CHANNEL } from '../../runs/run-signals.js';
import { ownerGoneSql } from '../../runs/store/run-ownership.js';
import type { Usage } from '../../runs/usage.js';
import type { StoredItem } from '../response-input.js';
import {
  type ResponseEventData,
  type ResponseEventPublisher,
  writeResponse,
} from './response-statement.js';

const json = (value: unknown) => Prisma.sql`${JSON.stringify(value)}::jsonb`;

/** A response as created: every column the request decides. */
export interface NewResponse {
  id: string;
  projectId: string;
  apiKeyId: string | null;
  createdAt: Date;
  model: string;
  instructions: string | null;
  metadata: Record<string, string>;
  temperature: number | null;
  topP: number | null;
  maxOutputTokens: number | null;
  tools: unknown[];
  toolChoice: unknown;
  parallelToolCalls: boolean;
  text: unknown;
  store: boolean;
  background: boolean;
  previousResponseId: string | null;
  conversationId: string | null;
  /** Past this, the sweep fails it if it has not ended. */
  expiresAt: Date;
  include: string[];
  truncation: string;
  threadId: string | null;
}

/** The values of input `items` as rows, numbered from 0. */
function itemValues(responseId: string, projectId: string, items: StoredItem[]) {
  return Prisma.join(
    items.map(
      (item, position) =>
        Prisma.sql`(${item.id}, ${responseId}, ${projectId}, 'input', ${position}::int, ${item.type}, ${json(item)})`,
    ),
  );
}

/**
 * Writes a queued response with its input items and `events` (a background response's
 * `response.created` and `response.queued`) in one statement, which also wakes a worker for
 * the job the caller sends in the same transaction.
 */
export async function insertResponse(
  db: Db,
  response: NewResponse,
  input: StoredItem[],
  options: { events: ResponseEventData[]; jobName: string },
): Promise<void> {
  const r = response;
  const written = await writeResponse(
    db,
    {
      counter: (_bump, count) => Prisma.sql`
        INSERT INTO responses (id, project_id, api_key_id, created_at, status, model, instructions,
                               metadata, temperature, top_p, max_output_tokens, tools, tool_choice,
                               parallel_tool_calls, text, store, background, previous_response_id,
                               conversation_id, thread_id, expires_at, include, truncation, event_seq)
        VALUES (${r.id}, ${r.projectId}, ${r.apiKeyId}::text, ${r.createdAt}::timestamp(3), 'queued',
                ${r.model}, ${r.instructions}::text, ${json(r.metadata)}, ${r.temperature}::float8,
                ${r.topP}::float8, ${r.maxOutputTokens}::int, ${json(r.tools)}, ${json(r.toolChoice)},
                ${r.parallelToolCalls}::boolean, ${json(r.text)}, ${r.store}::boolean,
                ${r.background}::boolean, ${r.previousResponseId}::text, ${r.conversationId}::text,
                ${r.threadId}::text, ${r.expiresAt}::timestamp(3), ${r.include}::text[], ${r.truncation}, ${count}::int)
        RETURNING *`,
      writes:
        input.length > 0
          ? [
              Prisma.sql`inputs AS (
                INSERT INTO response_items (id, response_id, project_id, kind, position, type, data)
                SELECT v.* FROM (VALUES ${itemValues(r.id, r.projectId, input)})
                    AS v(id, response_id, project_id, kind, position, type, data)
                 WHERE EXISTS (SELECT 1 FROM bumped)
                RETURNING id)`,
            ]
          : [],
      events: options.events,
    },
    { alsoNotify: { channel: JOB_WAKE_CHANNEL, payload: options.jobName } },
  );
  if (!written) {
    throw new Error(`Response insert ${r.id} returned no row`);
  }
}

/** Who writes: the execution holding the lease of an in-progress response. */
export interface OwnedResponse {
  id: string;
  leaseId: string;
}

/**
 * Takes a response with a fresh lease: a queued one (`resumed` false), or (`resumed` true) an
 * in-progress one whose owner is gone (`ownerGoneSql`: its worker died, and PostgreSQL freed its
 * lease lock, or it stopped heartbeating). The caller holds the new lease's lock before claiming,
 * so the response never looks ownerless while it is owned. A takeover drops the output the
 * earlier execution wrote, in the same statement: the new one generates it again, so the
 * response ends with one answer. Logs `events` (the snapshot in progress, output empty, which
 * is what tells a following client to start the output over). False: not claimable.
 */
export async function claimResponse(
  db: Db,
  id: string,
  claim: {
    leaseId: string;
    resumed: boolean;
    now: Date;
    staleBefore: Date;
    events: ResponseEventData[];
    publisher: ResponseEventPublisher;
  },
): Promise<boolean> {
  const gate = claim.resumed
    ? Prisma.sql`r.status = 'in_progress' AND ${ownerGoneSql('r', claim.staleBefore)}`
    : Prisma.sql`r.status = 'queued'`;
  const written = await writeResponse(
    db,
    {
      counter: (bump) => Prisma.sql`
        UPDATE responses AS r
           SET status = 'in_progress', lease_id = ${claim.leaseId},
               heartbeat_at = ${claim.now}::timestamp(3),
               started_at = COALESCE(r.started_at, ${claim.now}::timestamp(3)), ${bump}
         WHERE r.id = ${id} AND ${gate}
        RETURNING r.*`,
      writes: claim.resumed
        ? [
            Prisma.sql`dropped AS (
              DELETE FROM response_items
               WHERE response_id = ${id} AND kind = 'output' AND EXISTS (SELECT 1 FROM bumped)
              RETURNING id)`,
          ]
        : [],
      events: claim.events,
    },
    { publisher: claim.publisher },
  );
  return written !== null;
}

/** The executing worker proves it is alive; false when the response is no longer its own. */
export async function heartbeatResponse(db: Db, owned: OwnedResponse): Promise<boolean> {
  const rows = await queryRaw(
    db,
    Prisma.sql`UPDATE responses SET heartbeat_at = ${new Date()}::timestamp(3)
     WHERE id = ${owned.id} AND lease_id = ${owned.leaseId} AND status = 'in_progress'
     RETURNING id`,
  );
  return rows.length > 0;
}

/**
 * Writes (inserts or replaces) output items at their positions and logs `events`, if the
 * response is still this execution's. False: it is not (cancelled, taken over).
 */
export async function writeOutput(
  db: Db,
  owned: OwnedResponse & { projectId: string },
  outputs: { position: number; item: StoredItem }[],
  events: ResponseEventData[],
  publisher: ResponseEventPublisher,
): Promise<boolean> {
  const writes =
    outputs.length > 0
      ? [
          Prisma.sql`items AS (
          INSERT INTO response_items (id, response_id, project_id, kind, position, type, data)
          SELECT v.* FROM (VALUES ${Prisma.join(
            outputs.map(
              ({ position, item }) =>
                Prisma.sql`(${item.id}, ${owned.id}, ${owned.projectId}, 'output', ${position}::int, ${item.type}, ${json(item)})`,
            ),
          )}) AS v(id, response_id, project_id, kind, position, type, data)
           WHERE EXISTS (SELECT 1 FROM bumped)
          ON CONFLICT (response_id, kind, position) DO UPDATE SET data = EXCLUDED.data
          RETURNING id)`,
        ]
      : [];
  const written = await writeResponse(
    db,
    {
      counter: (bump) => Prisma.sql`
        UPDATE responses SET ${bump}
         WHERE id = ${owned.id} AND lease_id = ${owned.leaseId} AND status = 'in_progress'
        RETURNING *`,
      writes,
      events,
    },
    { publisher },
  );
  return written !== null;
}

/** How a response ends, as its columns and its last event. */
export interface ResponseEnd {
  status: 'completed' | 'failed' | 'incomplete';
  /** The model call's tokens, metered as a `usage_records` row with the end (null: none). */
  metered: Usage | null;
  completedAt: Date | null;
  usage: unknown;
  error: unknown;
  incompleteDetails: unknown;
  event: ResponseEventData;
}

/** Ends an in-progress response this execution owns. False: it is no longer its own. */
export async function endResponse(
  db: Db,
  owned: OwnedResponse,
  end: ResponseEnd,
  publisher: ResponseEventPublisher,
): Promise<boolean> {
  const written = await writeResponse(
    db,
    {
      counter: (bump) => Prisma.sql`
        UPDATE responses
           SET status = ${end.status}, completed_at = ${end.completedAt}::timestamp(3),
               usage = ${json(end.usage)}, error = ${json(end.error)},
               incomplete_details = ${json(end.incompleteDetails)}, lease_id = NULL,
               heartbeat_at = NULL, ${bump}
         WHERE id = ${owned.id} AND lease_id = ${owned.leaseId} AND status = 'in_progress'
        RETURNING *`,
      writes: meteredResponse(end.metered),
      events: [end.event],
    },
    { publisher },
  );
  return written !== null;
}

/**
 * The usage record of a response's model call, as one more part of the statement that ends it:
 * it reads the response from `bumped`, so it is written only when the end is (the lease held),
 * and a response taken over by another worker never counts a call twice. As for runs, per
 * project, key (the creator's) and model (the routed name the caller asked for).
 */
function meteredResponse(usage: Usage | null): Prisma.Sql[] {
  if (!usage) {
    return [];
  }
  return [
    Prisma.sql`metered AS (
      INSERT INTO usage_records (project_id, api_key_id, response_id, kind, model,
                                 input_tokens, output_tokens, requests, created_at)
      SELECT project_id, api_key_id, id, 'completions', model,
             ${usage.promptTokens}::int, ${usage.completionTokens}::int, 1,
             ${new Date()}::timestamp(3)
        FROM bumped
      RETURNING 1)`,
  ];
}

/**
 * Fails a response that has not ended by its expiry, whoever executes it, if its log is still at
 * `eventSeq` (the snapshot in `event` was built from what it had written so far; a write since
 * makes this a no-op until the next sweep). Its worker, signalled on COMMIT, aborts the upstream
 * call. False: it ended, or moved on, meanwhile.
 */
export async function expireResponseRow(
  db: Db,
  id: string,
  expiry: { eventSeq: number; error: unknown; event: ResponseEventData },
): Promise<boolean> {
  const written = await writeResponse(
    db,
    {
      counter: (bump) => Prisma.sql`
        UPDATE responses
           SET status = 'failed', error = ${json(expiry.error)}, lease_id = NULL,
               heartbeat_at = NULL, ${bump}
         WHERE id = ${id} AND status IN ('queued', 'in_progress')
           AND event_seq = ${expiry.eventSeq}::int
        RETURNING *`,
      events: [expiry.event],
    },
    { alsoNotify: { channel: RUN_SIGNAL_CHANNEL, payload: id } },
  );
  return written !== null;
}

/**
 * Cancels a queued or in-progress response (a background one): its stream ends with `event`,
 * and its worker, signalled on COMMIT, aborts the upstream call. False: it had ended.
 */
export async function cancelResponseRow(
  db: Db,
  id: string,
  event: ResponseEventData,
): Promise<boolean> {
  const written = await writeResponse(
    db,
    {
      counter: (bump) => Prisma.sql`
        UPDATE responses SET status = 'cancelled', lease_id = NULL, heartbeat_at = NULL, ${bump}
         WHERE id = ${id} AND status IN ('queued', 'in_progress')
        RETURNING *`,
      events: [event],
    },
    { alsoNotify: { channel: RUN_SIGNAL_CHANNEL, payload: id } },
  );
  return written !== null;
}

/** Deletes a response with its items and events. False: there was none. */
export async function deleteResponseRow(db: Db, id: string, projectId: string): Promise<boolean> {
  const rows = await queryRaw(
    db,
    Prisma.sql`DELETE FROM responses WHERE id = ${id} AND project_id = ${projectId} AND store
     RETURNING id`,
  );
  return rows.length > 0;
}
