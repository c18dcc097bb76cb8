import { messageSql, runSql, runStepSql } from '../../../db/row-sql.js';
import { type EventSql, jsonData, type RunWrite, writeRun } from '../../../events/run-event-sql.js';
import { Prisma } from '../../../generated/prisma/client.js';
import { newId } from '../../../ids.js';
import { type CleanEnd, cleanEndSql, type Usage } from '../run-outcomes.js';
import type { StepDetails } from '../run-step-details.js';
import type { EngineContext } from './engine-context.js';
import {
  CoalescingWriter,
  LostRunError,
  type MessageExtras,
  messageContent,
  NO_EXTRAS,
  type OwnedRun,
} from './run-output.js';
import { annotate } from './tools/annotations.js';

/** The message and step as created (in_progress, empty), whatever the same statement wrote. */
const AS_CREATED = {
  message: Prisma.sql`|| jsonb_build_object('status', 'in_progress', 'content', '[]'::jsonb,
    'completedAt', NULL, 'incompleteAt', NULL, 'incompleteDetails', NULL)`,
  step: Prisma.sql`|| jsonb_build_object('status', 'in_progress', 'completedAt', NULL,
    'usage', NULL)`,
};

interface Finish {
  outcome: 'completed' | 'incomplete';
  stepUsage: Usage | null;
}

/**
 * The assistant message being streamed, with its message_creation step. Every write is one
 * statement (rows, events, NOTIFY): the rows are created with the first piece of text, and the
 * last piece, the message's end and (when it ends the run) the run's end share one statement.
 * A short run's output is one or two statements instead of four transactions.
 */
export class TextWriter extends CoalescingWriter {
  private value = '';
  private written = 0;
  private annotationsSent = 0;
  /** Whether the message and step rows exist. */
  private created = false;

  private constructor(
    deps: EngineContext,
    private readonly run: OwnedRun,
    readonly messageId: string,
    readonly stepId: string,
    private readonly extras: MessageExtras,
  ) {
    super(deps);
  }

  /**
   * A writer for a message whose first token just arrived: the message and its step are written
   * with that token (at once: the first write is never delayed), in OpenAI's event order.
   */
  static async open(
    deps: EngineContext,
    run: OwnedRun,
    extras: MessageExtras = NO_EXTRAS,
  ): Promise<TextWriter> {
    return new TextWriter(deps, run, newId('message'), newId('step'), extras);
  }

  get text(): string {
    return this.value;
  }

  append(delta: string): void {
    this.value += delta;
    this.schedule();
  }

  protected async write(): Promise<void> {
    const write = this.statement(null, null);
    if (write) {
      // Not ours any more (cancelled, expired, taken over): nothing is written, and the executor
      // hears it from its signal; the finish refuses loudly.
      await writeRun(this.deps.db, write, { publisher: this.deps.runEvents });
    }
  }

  /**
   * Ends the message (completed, or incomplete at the token limit) and its step, with whatever
   * text is not written yet; `end` also ends the run, in the same statement.
   */
  finish(
    outcome: 'completed' | 'incomplete',
    stepUsage: Usage | null,
    end: CleanEnd | null = null,
  ): Promise<void> {
    return this.afterPending(async () => {
      const write = this.statement({ outcome, stepUsage }, end);
      if (!write || !(await writeRun(this.deps.db, write, { publisher: this.deps.runEvents }))) {
        throw new LostRunError('The run is no longer ours');
      }
    });
  }

  /** The statement writing what is pending (null: nothing is), and the finish if asked. */
  private statement(finish: Finish | null, end: CleanEnd | null): RunWrite | null {
    const create = !this.created;
    const delta = this.delta();
    if (!create && !delta && !finish) {
      return null;
    }
    this.created = true;
    const now = new Date();
    const final = finish !== null;
    const content = messageContent(
      this.extras,
      this.value,
      annotate(this.value, this.extras.sources, final),
    );
    const messageStatus = !finish
      ? Prisma.sql`'in_progress', NULL::timestamp(3), NULL::timestamp(3), NULL::jsonb`
      : finish.outcome === 'completed'
        ? Prisma.sql`'completed', ${now}::timestamp(3), NULL::timestamp(3), NULL::jsonb`
        : Prisma.sql`'incomplete', NULL::timestamp(3), ${now}::timestamp(3),
                     ${JSON.stringify({ reason: 'max_tokens' })}::jsonb`;
    const stepStatus = finish
      ? Prisma.sql`'completed', ${now}::timestamp(3), ${finish.stepUsage ? JSON.stringify(finish.stepUsage) : null}::jsonb`
      : Prisma.sql`'in_progress', NULL::timestamp(3), NULL::jsonb`;
    const { run } = this;

    const writes: Prisma.Sql[] = [];
    if (create) {
      const details: StepDetails = {
        type: 'message_creation',
        messageCreation: { messageId: this.messageId },
      };
      writes.push(
        Prisma.sql`message AS (
          INSERT INTO messages (id, project_id, thread_id, created_at, role, content, attachments,
                                assistant_id, run_id, status, completed_at, incomplete_at,
                                incomplete_details)
          SELECT ${this.messageId}, ${run.projectId}, ${run.threadId}, ${now}::timestamp(3),
                 'assistant', ${JSON.stringify(content)}::jsonb, '[]'::jsonb, ${run.assistantId},
                 ${run.id}, ${messageStatus}
            FROM bumped
          RETURNING *)`,
        Prisma.sql`step AS (
          INSERT INTO run_steps (id, project_id, run_id, thread_id, assistant_id, created_at, type,
                                 step_details, status, completed_at, usage)
          SELECT ${this.stepId}, ${run.projectId}, ${run.id}, ${run.threadId}, ${run.assistantId},
                 ${now}::timestamp(3), 'message_creation', ${JSON.stringify(details)}::jsonb,
                 ${stepStatus}
            FROM bumped
          RETURNING *)`,
      );
    } else {
      writes.push(
        Prisma.sql`message AS (
          UPDATE messages
             SET content = ${JSON.stringify(content)}::jsonb,
                 (status, completed_at, incomplete_at, incomplete_details) = (${messageStatus})
           WHERE id = ${this.messageId} AND EXISTS (SELECT 1 FROM bumped)
          RETURNING *)`,
      );
      if (finish) {
        writes.push(
          Prisma.sql`step AS (
            UPDATE run_steps SET (status, completed_at, usage) = (${stepStatus})
             WHERE id = ${this.stepId} AND EXISTS (SELECT 1 FROM bumped)
            RETURNING *)`,
        );
      }
    }

    const message = (extra: Prisma.Sql = Prisma.empty) =>
      Prisma.sql`(SELECT ${messageSql.snapshot('message')} ${extra} FROM message)`;
    const step = (extra: Prisma.Sql = Prisma.empty) =>
      Prisma.sql`(SELECT ${runStepSql.snapshot('step')} ${extra} FROM step)`;
    const events: EventSql[] = [];
    if (create) {
      events.push(
        { event: 'thread.run.step.created', data: step(AS_CREATED.step) },
        { event: 'thread.run.step.in_progress', data: step(AS_CREATED.step) },
        { event: 'thread.message.created', data: message(AS_CREATED.message) },
        { event: 'thread.message.in_progress', data: message(AS_CREATED.message) },
      );
    }
    if (delta) {
      events.push({ event: 'thread.message.delta', data: jsonData(delta) });
    }
    if (finish) {
      events.push(
        { event: `thread.message.${finish.outcome}`, data: message() },
        { event: 'thread.run.step.completed', data: step() },
      );
    }
    if (end) {
      events.push({ event: `thread.run.${end.to}`, data: runSql.snapshot('bumped') });
    }
    return {
      counter: (bump) => Prisma.sql`
        UPDATE runs SET ${end ? Prisma.sql`${cleanEndSql(end, now)}, ` : Prisma.empty}${bump}
         WHERE id = ${run.id} AND lease_id = ${run.leaseId} AND status = 'in_progress'
        RETURNING *`,
      writes,
      events,
    };
  }

  /** The `thread.message.delta` data for the text not written yet (null: none). */
  private delta(): object | null {
    const piece = this.value.slice(this.written);
    if (piece === '') {
      return null;
    }
    const first = this.written === 0;
    this.written = this.value.length;
    const annotations = annotate(this.value, this.extras.sources, false);
    // Each annotation is sent once, complete, at its index: the SDK adds up repeated numbers.
    const fresh = annotations
      .slice(this.annotationsSent)
      .map((annotation, offset) => ({ index: this.annotationsSent + offset, ...annotation }));
    this.annotationsSent = annotations.length;
    const images = first
      ? this.extras.imageFileIds.map((fileId, index) => ({
          index,
          type: 'image_file',
          imageFile: { fileId, detail: 'auto' },
        }))
      : [];
    return {
      id: this.messageId,
      content: [
        ...images,
        {
          index: this.extras.imageFileIds.length,
          type: 'text',
          text: first || fresh.length > 0 ? { value: piece, annotations: fresh } : { value: piece },
        },
      ],
    };
  }
}
