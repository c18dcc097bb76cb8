import type { PrismaClient } from '../db/prisma.js';
import type { ResponseEvent } from '../generated/prisma/client.js';
import type { PgListener } from './pg-listener.js';
import { RESPONSE_EVENTS_CHANNEL, readResponseEvents } from './response-events.js';
import { RunFeed } from './run-feed.js';

export interface ResponseEventHub {
  /**
   * The response's events after `afterSeq` (-1: all): what is logged, then live as it is
   * written, in sequence order, each once. Ends when `signal` aborts.
   */
  follow(responseId: string, afterSeq: number, signal: AbortSignal): AsyncGenerator<ResponseEvent>;
  /** Rows this process has just committed: followers here get them without the NOTIFY. */
  publish(rows: ResponseEvent[]): void;
}

const PAGE = 500;

/** The run event hub's feeds over the response event log (whose numbers start at 0). */
export function createResponseEventHub(db: PrismaClient, listener: PgListener): ResponseEventHub {
  const feeds = new Map<string, RunFeed<ResponseEvent>>();
  listener.on(RESPONSE_EVENTS_CHANNEL, (payload) => {
    const [responseId = '', lastSeq = '-1'] = payload.split(':');
    feeds.get(responseId)?.announce(Number(lastSeq));
  });
  return {
    async *follow(responseId, afterSeq, signal) {
      let feed = feeds.get(responseId);
      if (!feed) {
        feed = new RunFeed((after) => readResponseEvents(db, responseId, after, PAGE), 0);
        feeds.set(responseId, feed);
      }
      try {
        yield* feed.follow(afterSeq, signal);
      } finally {
        if (!feed.followed && feeds.get(responseId) === feed) {
          feeds.delete(responseId);
        }
      }
    },
    publish(rows) {
      const [first] = rows;
      if (first) {
        feeds.get(first.responseId)?.add(rows);
      }
    },
  };
}
