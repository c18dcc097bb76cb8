import { keepConnected } from '../db/kept-connection.js';
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
  let closed = false;
  const connection = await keepConnected({
    connectionString,
    logger,
    name: 'LISTEN',
    async prepare(client) {
      client.on('notification', (message) => {
        for (const handler of handlers.get(message.channel) ?? []) {
          handler(message.payload ?? '');
        }
      });
      for (const channel of handlers.keys()) {
        await client.query(`LISTEN "${channel}"`);
      }
    },
    reconnected() {
      for (const handler of reconnectHandlers) {
        handler();
      }
    },
  });

  return {
    on(channel, handler) {
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        // Not awaited (on() is synchronous), so its failure must be handled here: a shutdown
        // right after start closes the connection under it. A reconnect LISTENs again anyway.
        connection
          .current()
          ?.query(`LISTEN "${channel}"`)
          .catch((error: unknown) => {
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
      await connection.close();
    },
  };
}
