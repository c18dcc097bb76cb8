import pg from 'pg';
import type { Logger } from '../logger.js';

export interface KeptConnection {
  /** The connection while it is up (undefined while reconnecting). */
  current(): pg.Client | undefined;
  close(): Promise<void>;
}

/**
 * One dedicated connection (not from a pool: what it holds, LISTENs or session locks, lives and
 * dies with it) that reconnects after a drop, 0.5 s after the loss and then every second,
 * preparing each new connection before it is used.
 */
export async function keepConnected(options: {
  connectionString: string;
  logger: Logger;
  /** Names the connection in logs (`LISTEN`, `lease lock`). */
  name: string;
  /** `application_name`, which shows in pg_stat_activity. */
  applicationName?: string;
  /** Makes a fresh connection what the previous one was (its handlers, LISTENs, locks). */
  prepare(client: pg.Client): Promise<void>;
  /** After each reconnect: what the connection would have received meanwhile was lost. */
  reconnected?(): void;
}): Promise<KeptConnection> {
  const { logger, name } = options;
  let client: pg.Client | undefined;
  let closed = false;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString: options.connectionString,
      application_name: options.applicationName,
    });
    // A restarting PostgreSQL reports the loss twice (its FATAL, then the closed socket):
    // reconnect once per connection, or two connections would hold (and hear) everything.
    let lost = false;
    next.on('error', (error) => {
      if (lost) {
        return;
      }
      lost = true;
      if (client === next) {
        client = undefined;
      }
      logger.warn({ err: error }, `${name} connection lost; reconnecting`);
      void next.end().catch(() => undefined);
      if (!closed) {
        setTimeout(() => void reconnect(), 500);
      }
    });
    await next.connect();
    try {
      await options.prepare(next);
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    client = next;
  };

  const reconnect = async (): Promise<void> => {
    try {
      await connect();
      options.reconnected?.();
    } catch (error) {
      logger.warn({ err: error }, `${name} reconnect failed; retrying`);
      if (!closed) {
        setTimeout(() => void reconnect(), 1000);
      }
    }
  };

  await connect();
  return {
    current: () => client,
    async close() {
      closed = true;
      await client?.end();
    },
  };
}
