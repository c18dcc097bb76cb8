import pg from 'pg';
import type { Logger } from '../logger.js';

export type NotificationHandler = (payload: string) => void;

export interface PgListener {
  on(channel: string, handler: NotificationHandler): () => void;
  /** Called after each reconnect: notifications sent meanwhile were lost. Returns the removal. */
  onReconnect(handler: () => void): () => void;
  close(): Promise<void>;
}

/**
 * One dedicated connection that LISTENs on the channels asked for and reconnects after a drop.
 * Notifications sent while it was disconnected are lost: `onReconnect` lets owners re-read state.
 */
export async function createPgListener(
  connectionString: string,
  logger: Logger,
  onReconnect?: () => void,
): Promise<PgListener> {
  const handlers = new Map<string, Set<NotificationHandler>>();
  const reconnectHandlers = new Set<() => void>(onReconnect ? [onReconnect] : []);
  let client: pg.Client | undefined;
  let closed = false;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString });
    next.on('notification', (message) => {
      for (const handler of handlers.get(message.channel) ?? []) {
        handler(message.payload ?? '');
      }
    });
    next.on('error', (error) => {
      logger.warn({ err: error }, 'LISTEN connection lost; reconnecting');
      void next.end().catch(() => undefined);
      if (!closed) {
        setTimeout(() => void reconnect(), 500);
      }
    });
    await next.connect();
    for (const channel of handlers.keys()) {
      await next.query(`LISTEN "${channel}"`);
    }
    client = next;
  };

  const reconnect = async (): Promise<void> => {
    try {
      await connect();
      for (const handler of reconnectHandlers) {
        handler();
      }
    } catch (error) {
      logger.warn({ err: error }, 'LISTEN reconnect failed; retrying');
      if (!closed) {
        setTimeout(() => void reconnect(), 1000);
      }
    }
  };

  await connect();
  return {
    on(channel, handler) {
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        // Not awaited (on() is synchronous), so its failure must be handled here: a shutdown
        // right after start closes the connection under it. A reconnect LISTENs again anyway.
        client?.query(`LISTEN "${channel}"`).catch((error: unknown) => {
          if (!closed) {
            logger.warn({ err: error, channel }, 'LISTEN failed; it is retried on reconnect');
          }
        });
      }
      set.add(handler);
      return () => set?.delete(handler);
    },
    onReconnect(handler) {
      reconnectHandlers.add(handler);
      return () => reconnectHandlers.delete(handler);
    },
    async close() {
      closed = true;
      await client?.end();
    },
  };
}
