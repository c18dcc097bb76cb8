import { toJson } from '../../common/json.js';
import type { Annotation, MessageContent } from '../../threads/message-content.js';
import type { EngineContext } from './engine-context.js';
import { type AnnotationSources, emptySources } from './tools/annotations.js';

/** Thrown when the run stopped being ours (cancelled, expired, taken over) mid-output. */
export class LostRunError extends Error {
  override name = 'AbortError';
}

/** Writes a stream may make back to back before the average rate applies. */
const BURST_WRITES = 3;

/**
 * Coalesces streamed pieces: writes are chained so they land in order and none after `settle()`,
 * and rate-limited by a token bucket (one write per `flushMs` on average, bursts of
 * `BURST_WRITES`): a stream whose pieces come no faster than that is written as each piece
 * arrives (pieces of one network read still go together), a faster one is coalesced, so the
 * writes and NOTIFYs per run stay bounded. Pieces also coalesce while a write is under way.
 */
export abstract class CoalescingWriter {
  private cancelScheduled: (() => void) | null = null;
  private credit = BURST_WRITES;
  private creditAt = performance.now();
  private writing: Promise<void> = Promise.resolve();

  constructor(protected readonly deps: EngineContext) {}

  protected abstract write(): Promise<void>;

  /** Write credit now: what is left, plus what the time since the last count earned. */
  private refill(): number {
    const now = performance.now();
    const flushMs = this.deps.settings.streamFlushMs;
    this.credit =
      flushMs <= 0
        ? BURST_WRITES
        : Math.min(BURST_WRITES, this.credit + (now - this.creditAt) / flushMs);
    this.creditAt = now;
    return this.credit;
  }

  protected schedule(): void {
    if (this.cancelScheduled) {
      return;
    }
    const run = () => {
      this.cancelScheduled = null;
      this.flush().catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'writing streamed output failed'),
      );
    };
    const credit = this.refill();
    if (credit >= 1) {
      // After this tick's I/O: the pieces of one network read go in one write.
      const immediate = setImmediate(run);
      this.cancelScheduled = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(run, (1 - credit) * this.deps.settings.streamFlushMs);
      this.cancelScheduled = () => clearTimeout(timer);
    }
  }

  private cancel(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = null;
  }

  /** Writes what is pending now, after any write already under way. */
  flush(): Promise<void> {
    this.cancel();
    this.refill();
    this.credit -= 1;
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  /**
   * Runs `work` once every write under way has landed, instead of the scheduled flush: `work`
   * writes whatever is pending itself (a last write that also ends the step).
   */
  protected afterPending<T>(work: () => Promise<T>): Promise<T> {
    this.cancel();
    // A write that failed before was reported where it ran; this one runs regardless.
    const result = this.writing.catch(() => undefined).then(work);
    this.writing = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Writes what is pending and waits until every write has landed. */
  async settle(): Promise<void> {
    await this.flush().catch((error: unknown) =>
      this.deps.logger.warn({ err: error }, 'writing streamed output failed'),
    );
  }
}

/** What an assistant message shows besides its text: images the run's code produced. */
export interface MessageExtras {
  /** image_file parts placed before the text (content indexes 0…n-1). */
  imageFileIds: string[];
  /** Citation and file targets for the text's annotations. */
  sources: AnnotationSources;
}

export const NO_EXTRAS: MessageExtras = { imageFileIds: [], sources: emptySources() };

/** The stored content of an assistant message: its images, then its text. */
export function messageContent(extras: MessageExtras, value: string, annotations: Annotation[]) {
  const parts: MessageContent[] = [
    ...extras.imageFileIds.map(
      (fileId): MessageContent => ({ type: 'image_file', imageFile: { fileId, detail: 'auto' } }),
    ),
    { type: 'text', text: { value, annotations } },
  ];
  return toJson(parts);
}
