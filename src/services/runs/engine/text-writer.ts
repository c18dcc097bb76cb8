import { newId } from '../../../ids.js';
import { type MessageWrite, type OwnedRun, writeAssistantMessage } from '../store/output-writes.js';
import type { CleanEnd } from '../store/run-endings.js';
import type { Usage } from '../usage.js';
import type { EngineContext } from './engine-context.js';
import {
  CoalescingWriter,
  LostRunError,
  type MessageExtras,
  messageContent,
  NO_EXTRAS,
} from './run-output.js';
import { annotate } from './tools/annotations.js';

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
    const write = this.pending(null, null);
    if (write) {
      // Not ours any more (cancelled, expired, taken over): nothing is written, and the executor
      // hears it from its signal; the finish refuses loudly.
      await writeAssistantMessage(this.deps.db, this.run, write, this.deps.runEvents);
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
      const write = this.pending({ outcome, stepUsage }, end);
      if (
        !write ||
        !(await writeAssistantMessage(this.deps.db, this.run, write, this.deps.runEvents))
      ) {
        throw new LostRunError('The run is no longer ours');
      }
    });
  }

  /** The write of what is pending (null: nothing is), and the finish if asked. */
  private pending(finish: MessageWrite['finish'], end: CleanEnd | null): MessageWrite | null {
    const create = !this.created;
    const deltas = this.deltas();
    if (!create && deltas.length === 0 && !finish) {
      return null;
    }
    this.created = true;
    const content = messageContent(
      this.extras,
      this.value,
      annotate(this.value, this.extras.sources, finish !== null),
    );
    return { messageId: this.messageId, stepId: this.stepId, create, content, deltas, finish, end };
  }

  /**
   * The `thread.message.delta` data for the content not written yet (none: nothing new), one
   * content part per delta: clients such as LibreChat and the AI SDK read `delta.content[0]`
   * only, so images and text sharing a delta would lose the text.
   */
  private deltas(): object[] {
    const piece = this.value.slice(this.written);
    if (piece === '') {
      return [];
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
    const text = {
      index: this.extras.imageFileIds.length,
      type: 'text',
      text: first || fresh.length > 0 ? { value: piece, annotations: fresh } : { value: piece },
    };
    return [...images, text].map((part) => ({ id: this.messageId, content: [part] }));
  }
}
