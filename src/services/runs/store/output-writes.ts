import type { Db } from '../../../db/db.js';
import { queryRaw } from '../../../db/raw-sql.js';
import { messageSql, runSql, runStepSql } from '../../../db/row-sql.js';
import { Prisma } from '../../../generated/prisma/client.js';
import type { RequiredAction, StepDetails } from '../run-step-details.js';
import type { Usage } from '../usage.js';
import { type CleanEnd, endSql } from './run-endings.js';
import {
  type EventSql,
  jsonData,
  type RunEventPublisher,
  type RunRef,
  type RunWrite,
  writeRun,
} from './run-statement.js';
import { moveTo } from './status-sql.js';
import { meteredStep } from './usage-writes.js';

/** A run as the execution that owns it writes its output: every write checks the lease. */
export interface OwnedRun extends RunRef {
  assistantId: string;
  leaseId: string;
}

/**
 * The counter of an output write: the run must still be this execution's and in progress, or
 * nothing is written (cancelled, expired, taken over). `set` adds SET items (an ending).
 */
function ownedCounter(run: OwnedRun, set: Prisma.Sql = Prisma.empty) {
  return (bump: Prisma.Sql) => Prisma.sql`
    UPDATE runs SET ${set}${bump}
     WHERE id = ${run.id} AND lease_id = ${run.leaseId} AND status = 'in_progress'
    RETURNING *`;
}

const stepRow = (extra: Prisma.Sql = Prisma.empty) =>
  Prisma.sql`(SELECT ${runStepSql.snapshot('step')} ${extra} FROM step)`;
const messageRow = (extra: Prisma.Sql = Prisma.empty) =>
  Prisma.sql`(SELECT ${messageSql.snapshot('message')} ${extra} FROM message)`;

/** The message and step as created (in_progress, empty), whatever the same statement wrote. */
const AS_CREATED = {
  message: Prisma.sql`|| jsonb_build_object('status', 'in_progress', 'content', '[]'::jsonb,
    'completedAt', NULL, 'incompleteAt', NULL, 'incompleteDetails', NULL)`,
  step: Prisma.sql`|| jsonb_build_object('status', 'in_progress', 'completedAt', NULL,
    'usage', NULL)`,
};

/** One write of the assistant message being streamed (see TextWriter). */
export interface MessageWrite {
  messageId: string;
  stepId: string;
  /** The first write: the message and its message_creation step are created with it. */
  create: boolean;
  /** The message's whole content as stored now. */
  content: unknown;
  /** The `thread.message.delta` data of the content not announced yet, one event each. */
  deltas: object[];
  /** The message ends (and its step completes) with this write. */
  finish: { outcome: 'completed' | 'incomplete'; stepUsage: Usage | null } | null;
  /** The run ends with this write too. */
  end: CleanEnd | null;
}

/**
 * The message and its step (rows, events, NOTIFY) in one statement; with `end`, the run's end
 * too. Returns false when the run is no longer this execution's (nothing was written).
 */
export async function writeAssistantMessage(
  db: Db,
  run: OwnedRun,
  write: MessageWrite,
  publisher: RunEventPublisher,
): Promise<boolean> {
  const now = new Date();
  const { finish, end } = write;
  const messageStatus = !finish
    ? Prisma.sql`'in_progress', NULL::timestamp(3), NULL::timestamp(3), NULL::jsonb`
    : finish.outcome === 'completed'
      ? Prisma.sql`'completed', ${now}::timestamp(3), NULL::timestamp(3), NULL::jsonb`
      : Prisma.sql`'incomplete', NULL::timestamp(3), ${now}::timestamp(3),
                   ${JSON.stringify({ reason: 'max_tokens' })}::jsonb`;
  const stepStatus = finish
    ? Prisma.sql`'completed', ${now}::timestamp(3), ${finish.stepUsage ? JSON.stringify(finish.stepUsage) : null}::jsonb`
    : Prisma.sql`'in_progress', NULL::timestamp(3), NULL::jsonb`;
  const content = JSON.stringify(write.content);

  const writes: Prisma.Sql[] = [];
  if (write.create) {
    const details: StepDetails = {
      type: 'message_creation',
      messageCreation: { messageId: write.messageId },
    };
    writes.push(
      Prisma.sql`message AS (
        INSERT INTO messages (id, project_id, thread_id, created_at, role, content, attachments,
                              assistant_id, run_id, status, completed_at, incomplete_at,
                              incomplete_details)
        SELECT ${write.messageId}, ${run.projectId}, ${run.threadId}, ${now}::timestamp(3),
               'assistant', ${content}::jsonb, '[]'::jsonb, ${run.assistantId},
               ${run.id}, ${messageStatus}
          FROM bumped
        RETURNING *)`,
      Prisma.sql`step AS (
        INSERT INTO run_steps (id, project_id, run_id, thread_id, assistant_id, created_at, type,
                               step_details, status, completed_at, usage)
        SELECT ${write.stepId}, ${run.projectId}, ${run.id}, ${run.threadId}, ${run.assistantId},
               ${now}::timestamp(3), 'message_creation', ${JSON.stringify(details)}::jsonb,
               ${stepStatus}
          FROM bumped
        RETURNING *)`,
    );
  } else {
    writes.push(
      Prisma.sql`message AS (
        UPDATE messages
           SET content = ${content}::jsonb,
               (status, completed_at, incomplete_at, incomplete_details) = (${messageStatus})
         WHERE id = ${write.messageId} AND EXISTS (SELECT 1 FROM bumped)
        RETURNING *)`,
    );
    if (finish) {
      writes.push(
        Prisma.sql`step AS (
          UPDATE run_steps SET (status, completed_at, usage) = (${stepStatus})
           WHERE id = ${write.stepId} AND EXISTS (SELECT 1 FROM bumped)
          RETURNING *)`,
      );
    }
  }

  writes.push(...meteredStep(write.stepId, finish?.stepUsage));

  const events: EventSql[] = [];
  if (write.create) {
    events.push(
      { event: 'thread.run.step.created', data: stepRow(AS_CREATED.step) },
      { event: 'thread.run.step.in_progress', data: stepRow(AS_CREATED.step) },
      { event: 'thread.message.created', data: messageRow(AS_CREATED.message) },
      { event: 'thread.message.in_progress', data: messageRow(AS_CREATED.message) },
    );
  }
  for (const delta of write.deltas) {
    events.push({ event: 'thread.message.delta', data: jsonData(delta) });
  }
  if (finish) {
    events.push(
      { event: `thread.message.${finish.outcome}`, data: messageRow() },
      { event: 'thread.run.step.completed', data: stepRow() },
    );
  }
  if (end) {
    events.push({ event: `thread.run.${end.to}`, data: runSql.snapshot('bumped') });
  }
  const statement: RunWrite = {
    counter: ownedCounter(run, end ? Prisma.sql`${endSql(end.to, end.details, now)}, ` : undefined),
    writes,
    events,
  };
  return (await writeRun(db, statement, { publisher })) !== null;
}

/** Opens the tool_calls step of a completion (in progress, no calls yet), with its events. */
export async function openToolCallStep(
  db: Db,
  run: OwnedRun,
  stepId: string,
  publisher: RunEventPublisher,
): Promise<boolean> {
  const details: StepDetails = { type: 'tool_calls', toolCalls: [] };
  const opened = await writeRun(
    db,
    {
      counter: ownedCounter(run),
      writes: [
        Prisma.sql`step AS (
          INSERT INTO run_steps (id, project_id, run_id, thread_id, assistant_id, created_at, type,
                                 step_details, status)
          SELECT ${stepId}, ${run.projectId}, ${run.id}, ${run.threadId}, ${run.assistantId},
                 ${new Date()}::timestamp(3), 'tool_calls', ${jsonData(details)}, 'in_progress'
            FROM bumped
          RETURNING *)`,
      ],
      events: [
        { event: 'thread.run.step.created', data: stepRow() },
        { event: 'thread.run.step.in_progress', data: stepRow() },
      ],
    },
    { publisher },
  );
  return opened !== null;
}

/** Stores what the step's calls show now, with the deltas announcing it (maybe none). */
export async function writeToolCallStep(
  db: Db,
  run: OwnedRun,
  step: { id: string; details: StepDetails; deltas: object[] },
  publisher: RunEventPublisher,
): Promise<boolean> {
  const written = await writeRun(
    db,
    {
      counter: ownedCounter(run),
      writes: [
        Prisma.sql`step AS (
          UPDATE run_steps SET step_details = ${jsonData(step.details)}
           WHERE id = ${step.id} AND EXISTS (SELECT 1 FROM bumped)
          RETURNING id)`,
      ],
      events: step.deltas.map((data) => ({ event: 'thread.run.step.delta', data: jsonData(data) })),
    },
    { publisher },
  );
  return written !== null;
}

/** Completes a step whose calls all ran on the server (the run goes on). */
export async function completeToolCallStep(
  db: Db,
  run: OwnedRun,
  step: { id: string; details: StepDetails; usage: Usage | null },
  publisher: RunEventPublisher,
): Promise<boolean> {
  const completed = await writeRun(
    db,
    {
      counter: ownedCounter(run),
      writes: [
        Prisma.sql`step AS (
          UPDATE run_steps
             SET step_details = ${jsonData(step.details)}, status = 'completed',
                 completed_at = ${new Date()}::timestamp(3)
                 ${step.usage ? Prisma.sql`, usage = ${jsonData(step.usage)}` : Prisma.empty}
           WHERE id = ${step.id} AND EXISTS (SELECT 1 FROM bumped)
          RETURNING *)`,
        ...meteredStep(step.id, step.usage),
      ],
      events: [{ event: 'thread.run.step.completed', data: stepRow() }],
    },
    { publisher },
  );
  return completed !== null;
}

/**
 * Pauses the run for the caller's outputs: the step stays in_progress (as on OpenAI) with its
 * calls, and the run moves to requires_action. Returns false if the run was no longer ours.
 */
export async function requireToolOutputs(
  db: Db,
  run: OwnedRun,
  step: { id: string; details: StepDetails; usage: Usage | null },
  pause: { requiredAction: RequiredAction; runUsage: Usage | null },
  publisher: RunEventPublisher,
): Promise<boolean> {
  const move = moveTo('requires_action', new Date());
  const paused = await writeRun(
    db,
    {
      counter: (bump) => Prisma.sql`
        UPDATE runs
           SET ${move.set}, required_action = ${jsonData(pause.requiredAction)},
               usage = ${pause.runUsage ? jsonData(pause.runUsage) : Prisma.sql`NULL::jsonb`}, ${bump}
         WHERE id = ${run.id} AND lease_id = ${run.leaseId} AND ${move.allowed}
        RETURNING *`,
      writes: [
        Prisma.sql`step AS (
          UPDATE run_steps
             SET step_details = ${jsonData(step.details)}
                 ${step.usage ? Prisma.sql`, usage = ${jsonData(step.usage)}` : Prisma.empty}
           WHERE id = ${step.id} AND EXISTS (SELECT 1 FROM bumped)
          RETURNING id)`,
        ...meteredStep(step.id, step.usage),
      ],
      events: [{ event: 'thread.run.requires_action', data: runSql.snapshot('bumped') }],
    },
    { publisher },
  );
  return paused !== null;
}

/**
 * A dead execution may have left a half-written message or tool call: it is generated again, so
 * drop it, and close it in the event log (as failed/incomplete) so live streams stay consistent.
 */
export async function discardUnfinishedOutput(db: Db, runId: string): Promise<void> {
  const open = await queryRaw<{ kind: 'step' | 'message'; id: string }>(
    db,
    Prisma.sql`
    SELECT 'message' AS kind, id, seq FROM messages WHERE run_id = ${runId} AND status = 'in_progress'
    UNION ALL
    SELECT 'step' AS kind, id, seq FROM run_steps WHERE run_id = ${runId} AND status = 'in_progress'
    ORDER BY kind, seq`,
  );
  if (!open.some(({ kind }) => kind === 'step')) {
    return;
  }
  const lastError = { code: 'server_error', message: 'The worker stopped; the run was resumed.' };
  const ids = (kind: 'step' | 'message') =>
    open.filter((item) => item.kind === kind).map(({ id }) => id);
  const messageIds = ids('message');
  const stepIds = ids('step');
  const now = new Date().toISOString();
  await writeRun(db, {
    counter: (bump) => Prisma.sql`UPDATE runs SET ${bump} WHERE id = ${runId} RETURNING *`,
    writes: [
      Prisma.sql`dropped_messages AS (
        DELETE FROM messages WHERE id IN (${messageIds.length > 0 ? Prisma.join(messageIds) : Prisma.sql`NULL`})
           AND EXISTS (SELECT 1 FROM bumped)
        RETURNING *)`,
      Prisma.sql`dropped_steps AS (
        DELETE FROM run_steps WHERE id IN (${Prisma.join(stepIds)}) AND EXISTS (SELECT 1 FROM bumped)
        RETURNING *)`,
    ],
    events: [
      ...messageIds.map(
        (id): EventSql => ({
          event: 'thread.message.incomplete',
          data: Prisma.sql`(SELECT ${messageSql.snapshot('m')} || jsonb_build_object('status',
            'incomplete', 'incompleteDetails', ${jsonData({ reason: 'run_failed' })})
            FROM dropped_messages m WHERE m.id = ${id})`,
        }),
      ),
      ...stepIds.map(
        (id): EventSql => ({
          event: 'thread.run.step.failed',
          data: Prisma.sql`(SELECT ${runStepSql.snapshot('s')} || jsonb_build_object('status',
            'failed', 'failedAt', ${now}::text, 'lastError', ${jsonData(lastError)})
            FROM dropped_steps s WHERE s.id = ${id})`,
        }),
      ),
    ],
  });
}
