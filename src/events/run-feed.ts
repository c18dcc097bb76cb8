import type { RunEvent } from '../generated/prisma/client.js';

export type RunEventRow = RunEvent;

/** Re-read even without a notification this often: NOTIFYs sent while reconnecting are lost. */
const SAFETY_POLL_MS = 1000;

/**
 * What this process knows of one run's event log while someone here follows it: rows this
 * process committed (handed over at once, no NOTIFY round trip, no re-read), rows read from the
 * log (one read serves every follower), and the last sequence number announced by NOTIFY. Each
 * follower yields rows strictly in sequence order, each once; a gap is filled from the log.
 * Any log numbered by `seq` fits (responses' too, whose numbers start at 0).
 */
export class RunFeed<Row extends { seq: number } = RunEventRow> {
  /** Rows some follower has not passed yet, by sequence number. */
  private readonly rows = new Map<number, Row>();
  /** The highest sequence number known to be committed. */
  private known: number;
  /** Each follower's last yielded sequence number. */
  private readonly positions = new Map<symbol, number>();
  private wakers = new Set<(timedOut: boolean) => void>();
  private reading: { from: number; upTo: number; done: Promise<void> } | null = null;

  constructor(
    /** The log's rows after a sequence number, in order (a page of them). */
    private readonly read: (afterSeq: number) => Promise<Row[]>,
    /** The log's first sequence number (Default: 1, as runs'). */
    first = 1,
  ) {
    this.known = first - 1;
  }

  get followed(): boolean {
    return this.positions.size > 0;
  }

  /** Rows up to `lastSeq` are committed (a NOTIFY said so). */
  announce(lastSeq: number): void {
    if (lastSeq > this.known) {
      this.known = lastSeq;
      this.wake(false);
    }
  }

  /** Committed rows, handed over by the writer in this process. */
  add(rows: Row[]): void {
    const floor = this.floor();
    for (const row of rows) {
      if (row.seq > floor) {
        this.rows.set(row.seq, row);
      }
      this.known = Math.max(this.known, row.seq);
    }
    this.wake(false);
  }

  /** The run's events after `afterSeq`: what is logged, then live. Ends when `signal` aborts. */
  async *follow(afterSeq: number, signal: AbortSignal): AsyncGenerator<Row> {
    const self = Symbol('follower');
    let last = afterSeq;
    this.positions.set(self, last);
    // The first pass reads the log: what was written before anyone here listened.
    let mustRead = true;
    try {
      while (!signal.aborted) {
        const next = this.rows.get(last + 1);
        if (next) {
          last = next.seq;
          this.positions.set(self, last);
          this.trim();
          yield next;
          continue;
        }
        if (mustRead || this.known > last) {
          mustRead = false;
          await this.fetch(last);
          if (this.rows.has(last + 1)) {
            continue;
          }
        }
        mustRead = await this.pause(signal);
      }
    } finally {
      this.positions.delete(self);
      this.trim();
    }
  }

  /** Reads the log after `after` into the feed, sharing a read under way that covers it. */
  private fetch(after: number): Promise<void> {
    const current = this.reading;
    if (current && current.from <= after && current.upTo >= this.known) {
      return current.done;
    }
    const reading = {
      from: after,
      upTo: this.known,
      done: this.read(after).then((rows) => this.add(rows)),
    };
    this.reading = reading;
    const clear = () => {
      if (this.reading === reading) {
        this.reading = null;
      }
    };
    reading.done.then(clear, clear);
    return reading.done;
  }

  /** Waits for new rows, an announcement, the safety poll (true) or the abort. */
  private pause(signal: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const done = (timedOut: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        this.wakers.delete(done);
        resolve(timedOut);
      };
      const aborted = () => done(false);
      const timer = setTimeout(() => done(true), SAFETY_POLL_MS);
      signal.addEventListener('abort', aborted, { once: true });
      this.wakers.add(done);
    });
  }

  private wake(timedOut: boolean): void {
    const wakers = this.wakers;
    this.wakers = new Set();
    for (const wake of wakers) {
      wake(timedOut);
    }
  }

  /** The lowest position of any follower: rows at or below it are needed by no one. */
  private floor(): number {
    let floor = Number.POSITIVE_INFINITY;
    for (const position of this.positions.values()) {
      floor = Math.min(floor, position);
    }
    return floor;
  }

  private trim(): void {
    const floor = this.floor();
    for (const seq of this.rows.keys()) {
      if (seq <= floor) {
        this.rows.delete(seq);
      }
    }
  }
}
