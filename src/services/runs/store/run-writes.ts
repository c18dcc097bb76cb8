import type { Db } from '../../../db/db.js';
import { queryRaw } from '../../../db/raw-sql.js';
import { runSql, runStepSql, threadSql } from '../../../db/row-sql.js';
import { Prisma, type Run } from '../../../generated/prisma/client.js';
import { newId } from '../../../ids.js';
import { JOB_WAKE_CHANNEL } from '../../../jobs/queue.js';
import type { AssistantTool } from '../../assistants/assistant-tools.js';
import type { ResponseFormat } from '../../assistants/response-format.js';
import type { ToolChoice, TruncationStrategy } from '../run-input.js';
import { RUN_SIGNAL_CHANNEL } from '../run-signals.js';
import { ACTIVE_RUN_STATUSES, type RunStatus } from '../run-status.js';
import type { StepDetails } from '../run-step-details.js';
import { ownerGoneSql } from './run-ownership.js';
import {
  type EventSql,
  jsonData,
  type RunEventPublisher,
  type RunRef,
  writeRun,
} from './run-statement.js';
import { moveTo } from './status-sql.js';

/** A run as created: its effective settings (the run's overrides over its assistant's). */
export interface NewRun {
  projectId: string;
  /** The key that created it (null: no key, e.g. a job): its model calls are metered to it. */
  apiKeyId: string | null;
  threadId: string;
  assistantId: string;
  expiresAt: Date;
  model: string;
  instructions: string;
  tools: AssistantTool[];
  metadata: Record<string, string>;
  temperature: number | null;
  topP: number | null;
  maxPromptTokens: number | null;
  maxCompletionTokens: number | null;
  truncationStrategy: TruncationStrategy;
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
  responseFormat: ResponseFormat;
  reasoningEffort: string | null;
  include: string[];
}

/** The INSERT of a queued run (id `id`), its row selected `from` a relation when given. */
function insertRunSql(run: NewRun, id: string, count: number, from: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO runs (id, project_id, thread_id, assistant_id, created_at, status, expires_at,
                      model, instructions, tools, metadata, temperature, top_p,
                      max_prompt_tokens, max_completion_tokens, truncation_strategy,
                      tool_choice, parallel_tool_calls, response_format, reasoning_effort,
                      include, event_seq, api_key_id)
    SELECT ${id}, ${run.projectId}, ${run.threadId}, ${run.assistantId},
           ${new Date()}::timestamp(3), 'queued', ${run.expiresAt}::timestamp(3),
           ${run.model}, ${run.instructions}, ${jsonData(run.tools)},
           ${jsonData(run.metadata)}, ${run.temperature}::float8, ${run.topP}::float8,
           ${run.maxPromptTokens}::int, ${run.maxCompletionTokens}::int,
           ${jsonData(run.truncationStrategy)}, ${jsonData(run.toolChoice)},
           ${run.parallelToolCalls}::boolean, ${jsonData(run.responseFormat)},
           ${run.reasoningEffort}::text,
           ARRAY(SELECT jsonb_array_elements_text(${jsonData(run.include)})), ${count}::int,
           ${run.apiKeyId}::text
    ${from}
    RETURNING *`;
}

function createdEvents(run: NewRun, announceThread: boolean): EventSql[] {
  const runRow = runSql.snapshot('bumped');
  return [
    ...(announceThread
      ? [
          {
            event: 'thread.created' as const,
            data: Prisma.sql`(SELECT ${threadSql.snapshot('t')} FROM threads t WHERE t.id = ${run.threadId})`,
          },
        ]
      : []),
    { event: 'thread.run.created', data: runRow },
    { event: 'thread.run.queued', data: runRow },
  ];
}

/**
 * Writes a queued run and its events (`thread.created` first for create-thread-and-run) in one
 * statement, which also wakes a worker for the job the caller sends in the same transaction.
 */
export async function insertRun(
  db: Db,
  run: NewRun,
  options: { announceThread: boolean; jobName: string },
): Promise<Run> {
  const id = newId('run');
  const row = await writeRun<Run>(
    db,
    {
      counter: (_bump, count) => insertRunSql(run, id, count, Prisma.empty),
      events: createdEvents(run, options.announceThread),
    },
    {
      returning: runSql.columns,
      // The caller sends the job without its own wake-up: this statement carries it.
      alsoNotify: [{ channel: JOB_WAKE_CHANNEL, payload: options.jobName }],
    },
  );
  if (!row) {
    throw new Error(`Run insert on thread ${run.threadId} returned no row`);
  }
  return row;
}

/** Why a run was not created by insertRunUnlessBlocked. */
export type RunBlocked =
  | { blocked: 'no_thread' }
  | { blocked: 'active_run'; runId: string }
  | { blocked: 'rate_limited' };

/**
 * A run created on its own (no messages to add first), in one statement instead of a
 * transaction: the thread's lock and active-run check (SQL function `lock_thread_for_messages`,
 * whose read comes after the lock is granted), the rate limit's request count when one applies
 * (`countRequestSql`), the run and its events, the job (`jobInsert`, a CTE body writing only when
 * the run was: gate `bumped`) and the NOTIFYs. Each write waits on the one before it; a blocked
 * create writes nothing and counts nothing. Outside a transaction the statement is its own, and
 * the thread's lock lasts as long as it does.
 */
export async function insertRunUnlessBlocked(
  db: Db,
  run: NewRun,
  options: {
    id: string;
    jobName: string;
    jobInsert: Prisma.Sql;
    /** The request count's CTEs (`countRequestSql` behind the lock), null when none applies. */
    countRequest: ((gate: Prisma.Sql) => { prune: Prisma.Sql; count: Prisma.Sql }) | null;
  },
): Promise<{ run: Run; requests: number | null } | RunBlocked> {
  const unlocked = Prisma.sql`EXISTS (SELECT 1 FROM locked WHERE locked.blocker = '')`;
  const counting = options.countRequest?.(unlocked) ?? null;
  const gate = [
    Prisma.sql`locked AS (
      SELECT lock_thread_for_messages(${run.threadId}, ${run.projectId},
                                      ${[...ACTIVE_RUN_STATUSES]}::text[]) AS blocker
    )`,
    ...(counting
      ? [
          Prisma.sql`pruned AS (${counting.prune})`,
          Prisma.sql`counted AS (${counting.count})`,
          Prisma.sql`gate AS (
            SELECT locked.blocker AS gate_blocker, counted.requests AS gate_requests,
                   locked.blocker = '' AND counted.requests IS NOT NULL AS gate_open
              FROM locked LEFT JOIN counted ON true
          )`,
        ]
      : [
          Prisma.sql`gate AS (
            SELECT locked.blocker AS gate_blocker, NULL::int AS gate_requests,
                   locked.blocker = '' AS gate_open
              FROM locked
          )`,
        ]),
  ];
  const row = await writeRun<
    Run & { gate_blocker: string | null; gate_requests: number | null; gate_open: boolean | null }
  >(
    db,
    {
      gate,
      counter: (_bump, count) =>
        insertRunSql(run, options.id, count, Prisma.sql`FROM gate WHERE gate.gate_open`),
      writes: [Prisma.sql`job AS (${options.jobInsert})`],
      events: createdEvents(run, false),
    },
    {
      returning: runSql.columns,
      alsoNotify: [{ channel: JOB_WAKE_CHANNEL, payload: options.jobName }],
    },
  );
  if (!row || row.gate_blocker === null) {
    return { blocked: 'no_thread' };
  }
  if (row.gate_blocker !== '') {
    return { blocked: 'active_run', runId: row.gate_blocker };
  }
  const { gate_blocker: _blocker, gate_requests: requests, gate_open: open, ...created } = row;
  if (!open) {
    return { blocked: 'rate_limited' };
  }
  return { run: created, requests };
}

/** Metadata only; allowed in any status. */
export async function updateRunMetadata(
  db: Db,
  runId: string,
  metadata: Record<string, string>,
): Promise<void> {
  await queryRaw(
    db,
    Prisma.sql`UPDATE runs SET metadata = ${jsonData(metadata)} WHERE id = ${runId} RETURNING id`,
  );
}

/**
 * Takes ownership of a run with a fresh lease: a queued run, or an in-progress run whose owner
 * is gone (`ownerGoneSql`: it died or gave the run up; the run stays in_progress). The caller
 * holds the new lease's lock before claiming, so the run never looks ownerless while it is owned.
 * Two workers can never both hold it. Announces in_progress. Returns the run as claimed and whether an earlier execution had started
 * it (null: not claimable). One statement: the claim, its event and the NOTIFY.
 */
export async function claimRun(
  db: Db,
  runId: string,
  claim: { leaseId: string; now: Date; staleBefore: Date; publisher: RunEventPublisher },
): Promise<{ run: Run; resumed: boolean } | null> {
  const { leaseId, now } = claim;
  const move = moveTo('in_progress', now, { alias: 'r' });
  const claimed = await writeRun<Run & { resumed: boolean }>(
    db,
    {
      counter: (bump) => Prisma.sql`
        UPDATE runs AS r
           SET ${move.set}, lease_id = ${leaseId}, heartbeat_at = ${now}::timestamp(3),
               started_at = COALESCE(r.started_at, ${now}::timestamp(3)), ${bump}
          FROM (SELECT started_at AS previous_started_at FROM runs WHERE id = ${runId}) AS before
         WHERE r.id = ${runId}
           AND (${move.allowed} OR (r.status = 'in_progress'
                AND ${ownerGoneSql('r', claim.staleBefore)}))
        RETURNING r.*, before.previous_started_at IS NOT NULL AS resumed`,
      events: [{ event: 'thread.run.in_progress', data: runSql.snapshot('bumped') }],
    },
    { returning: Prisma.sql`${runSql.columns}, resumed`, publisher: claim.publisher },
  );
  if (!claimed) {
    return null;
  }
  const { resumed, ...run } = claimed;
  return { run, resumed };
}

/** The executing worker proves it is alive; false when the run is no longer its own. */
export async function heartbeat(db: Db, runId: string, leaseId: string): Promise<boolean> {
  const rows = await queryRaw(
    db,
    Prisma.sql`UPDATE runs SET heartbeat_at = ${new Date()}::timestamp(3)
     WHERE id = ${runId} AND lease_id = ${leaseId} AND status = 'in_progress' RETURNING id`,
  );
  return rows.length > 0;
}

/**
 * This execution gives the run up: its heartbeat is cleared (the lease stays, so nothing else
 * mistakes it for a queued run), which makes the run stale at once for the next claim. False
 * when the run was no longer this lease's.
 */
export async function letGo(db: Db, runId: string, leaseId: string): Promise<boolean> {
  const rows = await queryRaw(
    db,
    Prisma.sql`UPDATE runs SET heartbeat_at = NULL
     WHERE id = ${runId} AND lease_id = ${leaseId} RETURNING id`,
  );
  return rows.length > 0;
}

/**
 * Asks a run to stop, if it is still in `from` (the status the caller read: compare-and-set).
 * A run being executed is signalled on COMMIT, so its worker aborts the upstream call at once.
 * Returns the run as cancelling (null: it had moved on).
 */
export function requestCancel(db: Db, run: RunRef, from: RunStatus): Promise<Run | null> {
  const move = moveTo('cancelling', new Date(), { from });
  return writeRun<Run>(
    db,
    {
      counter: (bump) => Prisma.sql`
        UPDATE runs SET ${move.set}, ${bump} WHERE id = ${run.id} AND ${move.allowed}
        RETURNING *`,
      events: [{ event: 'thread.run.cancelling', data: runSql.snapshot('bumped') }],
    },
    {
      returning: runSql.columns,
      alsoNotify: from === 'in_progress' ? [{ channel: RUN_SIGNAL_CHANNEL, payload: run.id }] : [],
    },
  );
}

/** The events a submission of tool outputs logs: the step's completion, then `thread.run.queued`. */
export const TOOL_OUTPUT_EVENTS = ['thread.run.step.completed', 'thread.run.queued'] as const;

/**
 * Records the caller's tool outputs on the waiting tool_calls step, which completes, and queues
 * the run to continue (the caller sends its job in the same transaction). One statement; returns
 * the run as queued (null: it no longer waited for outputs).
 */
export async function queueWithToolOutputs(
  db: Db,
  run: RunRef,
  step: { id: string; details: StepDetails },
): Promise<Run | null> {
  const now = new Date();
  const move = moveTo('queued', now);
  const [completed, queued] = TOOL_OUTPUT_EVENTS;
  return writeRun<Run>(
    db,
    {
      counter: (bump) => Prisma.sql`
      UPDATE runs SET ${move.set}, required_action = NULL, ${bump}
       WHERE id = ${run.id} AND ${move.allowed}
      RETURNING *`,
      writes: [
        Prisma.sql`step AS (
        UPDATE run_steps
           SET step_details = ${jsonData(step.details)}, status = 'completed',
               completed_at = ${now}::timestamp(3)
         WHERE id = ${step.id} AND EXISTS (SELECT 1 FROM bumped)
        RETURNING *)`,
      ],
      events: [
        { event: completed, data: Prisma.sql`(SELECT ${runStepSql.snapshot('step')} FROM step)` },
        { event: queued, data: runSql.snapshot('bumped') },
      ],
    },
    { returning: runSql.columns },
  );
}
