import type { PrismaClient } from '../db/prisma.js';
import { isActive } from '../services/runs/run-status.js';
import type { PgListener } from './pg-listener.js';
import { RUN_EVENTS_CHANNEL, readRunEvents } from './run-events.js';
import { type RunEventRow, RunFeed } from './run-feed.js';

export type { RunEventRow };

export interface RunEventHub {
  /**
   * The run's events after `afterSeq`: first what is already logged, then live as it is
   * written, in sequence order, each exactly once. Ends when `signal` aborts.
   */
  follow(runId: string, afterSeq: number, signal: AbortSignal): AsyncGenerator<RunEventRow>;
  /**
   * Events of every run on the thread: the active run's from its start, then every new event
   * of any run, each run's in order. Ends when `signal` aborts.
   */
  followThread(threadId: string, signal: AbortSignal): AsyncGenerator<RunEventRow>;
  /**
   * Rows this process has just committed (outside any transaction still open): followers here
   * get them at once instead of after the NOTIFY's round trip and a re-read. Other processes
   * still learn of them by NOTIFY.
   */
  publish(rows: RunEventRow[]): void;
  /** Streams following runs or threads in this process now (each holds a wait and re-reads). */
  followers(): number;
}

/** Re-read even without a notification this often: NOTIFYs sent while reconnecting are lost. */
const SAFETY_POLL_MS = 1000;
const PAGE = 500;

export function createRunEventHub(db: PrismaClient, listener: PgListener): RunEventHub {
  /** Runs followed in this process. */
  const feeds = new Map<string, RunFeed>();
  /** Thread followers' wake-ups, by thread id. */
  const waiters = new Map<string, Set<() => void>>();
  const wakeThread = (threadId: string) => {
    for (const wake of waiters.get(`thread:${threadId}`) ?? []) {
      wake();
    }
  };
  listener.on(RUN_EVENTS_CHANNEL, (payload) => {
    const [runId = '', lastSeq = '0', threadId = ''] = payload.split(':');
    feeds.get(runId)?.announce(Number(lastSeq));
    wakeThread(threadId);
  });

  /** Registers a wake-up for `key` before the caller reads, so nothing slips in between. */
  function arm(key: string): { woken: Promise<void>; disarm(): void } {
    let wake: () => void = () => undefined;
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const set = waiters.get(key) ?? new Set();
    set.add(wake);
    waiters.set(key, set);
    return {
      woken,
      disarm() {
        set.delete(wake);
        if (set.size === 0) {
          waiters.delete(key);
        }
      },
    };
  }

  /** Waits for the wake-up, the safety poll, or the abort, whichever comes first. */
  function pause(woken: Promise<void>, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, SAFETY_POLL_MS);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
      woken.then(done, done);
    });
  }

  let followers = 0;

  return {
    followers: () => followers,

    async *follow(runId, afterSeq, signal) {
      let feed = feeds.get(runId);
      if (!feed) {
        feed = new RunFeed((after) => readRunEvents(db, runId, after, PAGE));
        feeds.set(runId, feed);
      }
      followers += 1;
      try {
        yield* feed.follow(afterSeq, signal);
      } finally {
        followers -= 1;
        if (!feed.followed && feeds.get(runId) === feed) {
          feeds.delete(runId);
        }
      }
    },

    publish(rows) {
      const [first] = rows;
      if (!first) {
        return;
      }
      feeds.get(first.runId)?.add(rows);
      wakeThread(first.threadId);
    },

    async *followThread(threadId, signal) {
      const seen = new Map<string, number>();
      const existing = await db.run.findMany({
        where: { threadId },
        select: { id: true, status: true, eventSeq: true },
      });
      for (const run of existing) {
        // History of finished runs is not replayed; an active run is, from its start.
        seen.set(run.id, isActive(run.status) ? 0 : run.eventSeq);
      }
      followers += 1;
      try {
        yield* followThreadEvents(threadId, seen, signal);
      } finally {
        followers -= 1;
      }
    },
  };

  /** The thread's new events, run by run, until `signal` aborts. */
  async function* followThreadEvents(
    threadId: string,
    seen: Map<string, number>,
    signal: AbortSignal,
  ): AsyncGenerator<RunEventRow> {
    while (!signal.aborted) {
      const armed = arm(`thread:${threadId}`);
      try {
        const runs = await db.run.findMany({
          where: { threadId },
          select: { id: true, eventSeq: true },
          orderBy: { seq: 'asc' },
        });
        let more = false;
        for (const run of runs) {
          const last = seen.get(run.id) ?? 0;
          if (run.eventSeq <= last) {
            continue;
          }
          const rows = await readRunEvents(db, run.id, last, PAGE);
          for (const row of rows) {
            seen.set(run.id, row.seq);
            yield row;
          }
          more ||= rows.length === PAGE;
        }
        if (!more) {
          await pause(armed.woken, signal);
        }
      } finally {
        armed.disarm();
      }
    }
  }
}
