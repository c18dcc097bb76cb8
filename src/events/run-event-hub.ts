import type { PrismaClient } from '../db/prisma.js';
import type { PgListener } from './pg-listener.js';
import { RUN_EVENTS_CHANNEL, readRunEvents } from './run-events.js';

export type RunEventRow = Awaited<ReturnType<typeof readRunEvents>>[number];

export interface RunEventHub {
  /**
   * The run's events after `afterSeq`: first what is already logged, then live as it is
   * written, in sequence order, each exactly once. Ends when `signal` aborts.
   */
  follow(runId: string, afterSeq: number, signal: AbortSignal): AsyncGenerator<RunEventRow>;
}

/** Re-read even without a notification this often: NOTIFYs sent while reconnecting are lost. */
const SAFETY_POLL_MS = 1000;
const PAGE = 500;

export function createRunEventHub(db: PrismaClient, listener: PgListener): RunEventHub {
  const waiters = new Map<string, Set<() => void>>();
  listener.on(RUN_EVENTS_CHANNEL, (payload) => {
    const runId = payload.slice(0, payload.lastIndexOf(':'));
    for (const wake of waiters.get(runId) ?? []) {
      wake();
    }
  });

  return {
    async *follow(runId, afterSeq, signal) {
      let last = afterSeq;
      while (!signal.aborted) {
        // Listen before reading, so an event committed between the read and the wait wakes us.
        let wake: () => void = () => undefined;
        const woken = new Promise<void>((resolve) => {
          wake = resolve;
        });
        const set = waiters.get(runId) ?? new Set();
        set.add(wake);
        waiters.set(runId, set);
        try {
          const rows = await readRunEvents(db, runId, last, PAGE);
          for (const row of rows) {
            last = row.seq;
            yield row;
          }
          if (rows.length === PAGE) {
            continue;
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, SAFETY_POLL_MS);
            const done = () => {
              clearTimeout(timer);
              signal.removeEventListener('abort', done);
              resolve();
            };
            signal.addEventListener('abort', done, { once: true });
            woken.then(done, done);
          });
        } finally {
          set.delete(wake);
          if (set.size === 0) {
            waiters.delete(runId);
          }
        }
      }
    },
  };
}
