import type { PrismaClient } from '../db/prisma.js';
import { messageSql, runStepSql } from '../db/row-sql.js';
import { jsonData, writeRun } from '../events/run-event-sql.js';
import { Prisma } from '../generated/prisma/client.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import { type AnnotationSources, annotate, emptySources } from './builtin-tools/annotations.js';
import { toJson } from './json.js';
import type { Annotation, MessageContent } from './message-content.js';
import type { RunRef } from './run-events-emit.js';
import type { Usage } from './run-outcomes.js';
import type { StepDetails } from './run-step-details.js';

export interface OutputDeps {
  db: PrismaClient;
  logger: Logger;
  /** Streamed output is written (and announced) at most this often (Default: 20 ms). */
  flushMs: number;
}

export interface OwnedRun extends RunRef {
  assistantId: string;
  leaseId: string;
}

/** Thrown when the run stopped being ours (cancelled, expired, taken over) mid-output. */
export class LostRunError extends Error {
  override name = 'AbortError';
}

/**
 * Coalesces streamed pieces: the first piece is written at once, later ones at most every
 * `flushMs`, and writes are chained so they land in order and none after `settle()`.
 */
export abstract class CoalescingWriter {
  private timer: NodeJS.Timeout | null = null;
  private flushedAt = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(protected readonly deps: OutputDeps) {}

  protected abstract write(): Promise<void>;

  protected schedule(): void {
    if (this.timer) {
      return;
    }
    const wait = Math.max(0, this.deps.flushMs - (Date.now() - this.flushedAt));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'writing streamed output failed'),
      );
    }, wait);
  }

  /** Writes what is pending now, after any write already under way. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.flushedAt = Date.now();
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  /** Writes what is pending and waits until every write has landed. */
  async settle(): Promise<void> {
    await this.flush().catch((error: unknown) =>
      this.deps.logger.warn({ err: error }, 'writing streamed output failed'),
    );
  }
}

/** Inside a transaction: refuses to write output for a run that is no longer ours. */
export async function assertOwned(tx: Prisma.TransactionClient, run: OwnedRun): Promise<void> {
  const owned = await tx.run.count({
    where: { id: run.id, leaseId: run.leaseId, status: 'in_progress' },
  });
  if (owned === 0) {
    throw new LostRunError('The run is no longer ours');
  }
}

/** An in-progress step of the run. */
export function createStep(
  tx: Prisma.TransactionClient,
  run: OwnedRun,
  id: string,
  details: StepDetails,
) {
  return tx.runStep.create({
    data: {
      id,
      projectId: run.projectId,
      runId: run.id,
      threadId: run.threadId,
      assistantId: run.assistantId,
      type: details.type,
      status: 'in_progress',
      stepDetails: toJson(details),
    },
  });
}

/** What an assistant message shows besides its text: images the run's code produced. */
export interface MessageExtras {
  /** image_file parts placed before the text (content indexes 0…n-1). */
  imageFileIds: string[];
  /** Citation and file targets for the text's annotations. */
  sources: AnnotationSources;
}

const NO_EXTRAS: MessageExtras = { imageFileIds: [], sources: emptySources() };

function messageContent(extras: MessageExtras, value: string, annotations: Annotation[]) {
  const parts: MessageContent[] = [
    ...extras.imageFileIds.map(
      (fileId): MessageContent => ({ type: 'image_file', imageFile: { fileId, detail: 'auto' } }),
    ),
    { type: 'text', text: { value, annotations } },
  ];
  return toJson(parts);
}

/** The assistant message being streamed, with its message_creation step. */
export class TextWriter extends CoalescingWriter {
  private value = '';
  private written = 0;
  private annotationsSent = 0;

  private constructor(
    deps: OutputDeps,
    private readonly run: OwnedRun,
    readonly messageId: string,
    readonly stepId: string,
    private readonly extras: MessageExtras,
  ) {
    super(deps);
  }

  /** Creates the message and its step as the first token arrives (OpenAI's event order). */
  static async open(
    deps: OutputDeps,
    run: OwnedRun,
    extras: MessageExtras = NO_EXTRAS,
  ): Promise<TextWriter> {
    const messageId = newId('message');
    const stepId = newId('step');
    const now = new Date();
    const details: StepDetails = { type: 'message_creation', messageCreation: { messageId } };
    const step = Prisma.sql`(SELECT ${runStepSql.snapshot('step')} FROM step)`;
    const message = Prisma.sql`(SELECT ${messageSql.snapshot('message')} FROM message)`;
    const opened = await writeRun(deps.db, {
      counter: (bump) => ownedRunUpdate(run, bump),
      writes: [
        Prisma.sql`message AS (
          INSERT INTO messages (id, project_id, thread_id, created_at, role, status, content,
                                attachments, assistant_id, run_id)
          SELECT ${messageId}, ${run.projectId}, ${run.threadId}, ${now}::timestamp(3),
                 'assistant', 'in_progress', '[]'::jsonb, '[]'::jsonb, ${run.assistantId}, ${run.id}
            FROM bumped
          RETURNING *)`,
        Prisma.sql`step AS (
          INSERT INTO run_steps (id, project_id, run_id, thread_id, assistant_id, created_at,
                                 type, status, step_details)
          SELECT ${stepId}, ${run.projectId}, ${run.id}, ${run.threadId}, ${run.assistantId},
                 ${now}::timestamp(3), 'message_creation', 'in_progress',
                 ${JSON.stringify(details)}::jsonb
            FROM bumped
          RETURNING *)`,
      ],
      events: [
        { event: 'thread.run.step.created', data: step },
        { event: 'thread.run.step.in_progress', data: step },
        { event: 'thread.message.created', data: message },
        { event: 'thread.message.in_progress', data: message },
      ],
    });
    if (!opened) {
      throw new LostRunError('The run is no longer ours');
    }
    return new TextWriter(deps, run, messageId, stepId, extras);
  }

  get text(): string {
    return this.value;
  }

  append(delta: string): void {
    this.value += delta;
    this.schedule();
  }

  protected async write(): Promise<void> {
    const piece = this.value.slice(this.written);
    if (piece === '') {
      return;
    }
    const first = this.written === 0;
    this.written = this.value.length;
    const value = this.value;
    const annotations = annotate(value, this.extras.sources, false);
    // Each annotation is sent once, complete, at its index: the SDK adds up repeated numbers.
    const fresh = annotations
      .slice(this.annotationsSent)
      .map((annotation, offset) => ({ index: this.annotationsSent + offset, ...annotation }));
    this.annotationsSent = annotations.length;
    const textIndex = this.extras.imageFileIds.length;
    const images = first
      ? this.extras.imageFileIds.map((fileId, index) => ({
          index,
          type: 'image_file',
          imageFile: { fileId, detail: 'auto' },
        }))
      : [];
    const content = messageContent(this.extras, value, annotations);
    // Not ours any more (cancelled, expired, taken over): nothing is written, and the executor
    // is told by its signal; the finish refuses loudly.
    await writeRun(this.deps.db, {
      counter: (bump) => ownedRunUpdate(this.run, bump),
      writes: [
        Prisma.sql`message AS (
          UPDATE messages SET content = ${JSON.stringify(content)}::jsonb
           WHERE id = ${this.messageId} AND EXISTS (SELECT 1 FROM bumped))`,
      ],
      events: [
        {
          event: 'thread.message.delta',
          data: jsonData({
            id: this.messageId,
            content: [
              ...images,
              {
                index: textIndex,
                type: 'text',
                text: first
                  ? { value: piece, annotations: fresh }
                  : fresh.length > 0
                    ? { value: piece, annotations: fresh }
                    : { value: piece },
              },
            ],
          }),
        },
      ],
    });
  }

  /** Ends the message (completed, or incomplete at the token limit) and its step. */
  async finish(outcome: 'completed' | 'incomplete', stepUsage: Usage | null): Promise<void> {
    await this.settle();
    const now = new Date();
    const content = messageContent(
      this.extras,
      this.value,
      annotate(this.value, this.extras.sources, true),
    );
    const ending =
      outcome === 'incomplete'
        ? Prisma.sql`status = 'incomplete', incomplete_at = ${now}::timestamp(3),
                     incomplete_details = ${JSON.stringify({ reason: 'max_tokens' })}::jsonb`
        : Prisma.sql`status = 'completed', completed_at = ${now}::timestamp(3)`;
    const finished = await writeRun(this.deps.db, {
      counter: (bump) => ownedRunUpdate(this.run, bump),
      writes: [
        Prisma.sql`message AS (
          UPDATE messages SET content = ${JSON.stringify(content)}::jsonb, ${ending}
           WHERE id = ${this.messageId} AND EXISTS (SELECT 1 FROM bumped)
          RETURNING *)`,
        Prisma.sql`step AS (
          UPDATE run_steps
             SET status = 'completed', completed_at = ${now}::timestamp(3)
                 ${stepUsage ? Prisma.sql`, usage = ${JSON.stringify(stepUsage)}::jsonb` : Prisma.empty}
           WHERE id = ${this.stepId} AND EXISTS (SELECT 1 FROM bumped)
          RETURNING *)`,
      ],
      events: [
        {
          event: `thread.message.${outcome}`,
          data: Prisma.sql`(SELECT ${messageSql.snapshot('message')} FROM message)`,
        },
        {
          event: 'thread.run.step.completed',
          data: Prisma.sql`(SELECT ${runStepSql.snapshot('step')} FROM step)`,
        },
      ],
    });
    if (!finished) {
      throw new LostRunError('The run is no longer ours');
    }
  }
}

/**
 * The counter of a write to a run this execution owns: the UPDATE matches nothing (and the
 * whole statement writes nothing) once the run was cancelled, expired or taken over.
 */
function ownedRunUpdate(run: OwnedRun, bump: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    UPDATE runs SET ${bump}
     WHERE id = ${run.id} AND lease_id = ${run.leaseId} AND status = 'in_progress'
    RETURNING *`;
}
