import type { PrismaClient } from '../db/prisma.js';
import { appendRunEvents, type RunEventInput } from '../events/run-events.js';
import type { Prisma } from '../generated/prisma/client.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import { type AnnotationSources, annotate, emptySources } from './builtin-tools/annotations.js';
import { toJson } from './json.js';
import type { Annotation, MessageContent } from './message-content.js';
import { emitSnapshots, type RunRef } from './run-events-emit.js';
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
    await deps.db.$transaction(async (tx) => {
      await assertOwned(tx, run);
      const message = await tx.message.create({
        data: {
          id: messageId,
          projectId: run.projectId,
          threadId: run.threadId,
          role: 'assistant',
          status: 'in_progress',
          content: toJson([]),
          assistantId: run.assistantId,
          runId: run.id,
          attachments: toJson([]),
        },
      });
      const step = await createStep(tx, run, stepId, {
        type: 'message_creation',
        messageCreation: { messageId },
      });
      await emitSnapshots(tx, run, [
        { event: 'thread.run.step.created', kind: 'step', id: stepId, row: step },
        { event: 'thread.run.step.in_progress', kind: 'step', id: stepId, row: step },
        { event: 'thread.message.created', kind: 'message', id: messageId, row: message },
        { event: 'thread.message.in_progress', kind: 'message', id: messageId, row: message },
      ]);
    });
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
    await this.deps.db.$transaction(async (tx) => {
      await tx.message.update({
        where: { id: this.messageId },
        data: { content: messageContent(this.extras, value, annotations) },
      });
      await appendRunEvents(tx, this.run, [
        {
          event: 'thread.message.delta',
          data: {
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
          },
        },
      ]);
    });
  }

  /** Ends the message (completed, or incomplete at the token limit) and its step. */
  async finish(outcome: 'completed' | 'incomplete', stepUsage: Usage | null): Promise<void> {
    await this.settle();
    const now = new Date();
    await this.deps.db.$transaction(async (tx) => {
      const message = await tx.message.update({
        where: { id: this.messageId },
        data: {
          content: messageContent(
            this.extras,
            this.value,
            annotate(this.value, this.extras.sources, true),
          ),
          ...(outcome === 'incomplete'
            ? {
                status: 'incomplete',
                incompleteAt: now,
                incompleteDetails: toJson({ reason: 'max_tokens' }),
              }
            : { status: 'completed', completedAt: now }),
        },
      });
      const step = await tx.runStep.update({
        where: { id: this.stepId },
        data: {
          status: 'completed',
          completedAt: now,
          ...(stepUsage ? { usage: toJson(stepUsage) } : {}),
        },
      });
      await emitSnapshots(tx, this.run, [
        { event: `thread.message.${outcome}`, kind: 'message', id: this.messageId, row: message },
        { event: 'thread.run.step.completed', kind: 'step', id: this.stepId, row: step },
      ]);
    });
  }
}
