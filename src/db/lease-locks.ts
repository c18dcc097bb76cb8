import { Prisma } from '../generated/prisma/client.js';
import type { Logger } from '../logger.js';
import { keepConnected } from './kept-connection.js';

/**
 * A run lease's session-level advisory lock, keyed by two int4s from its id's md5 (56 bits:
 * leases are random UUIDs, so keys do not collide in practice). The executing worker holds it on
 * a connection of its own; when the worker dies, PostgreSQL sees that connection close and frees
 * the lock at once, which is how other workers tell a dead owner from a live one in seconds.
 */
function keys(leaseId: Prisma.Sql): { first: Prisma.Sql; second: Prisma.Sql } {
  return {
    first: Prisma.sql`('x' || substr(md5(${leaseId}), 1, 7))::bit(28)::int`,
    second: Prisma.sql`('x' || substr(md5(${leaseId}), 8, 7))::bit(28)::int`,
  };
}

/** True while some session holds the lock of the lease `leaseId` (an SQL text expression). */
export function leaseLockHeld(leaseId: Prisma.Sql): Prisma.Sql {
  const { first, second } = keys(leaseId);
  // Two int4 keys show as classid/objid with objsubid 2 (PostgreSQL's pg_locks docs).
  return Prisma.sql`EXISTS (
    SELECT 1 FROM pg_locks l
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.classid = (${first})::oid AND l.objid = (${second})::oid)`;
}

export interface LeaseLocks {
  /** Takes the lease's lock; throws when the lock connection is down (the run is not claimed). */
  hold(leaseId: string): Promise<void>;
  /** Frees it (best effort: a lost connection freed it already). */
  release(leaseId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * This worker's lease locks, on one dedicated connection named `applicationName` (so
 * pg_stat_activity tells which process holds a run). After the connection is lost (PostgreSQL
 * restarted), the new one takes every lock still held again; a run another worker took over in
 * between is not ours any more, and its execution learns so at its next write or heartbeat.
 */
export async function createLeaseLocks(
  connectionString: string,
  logger: Logger,
  applicationName: string,
): Promise<LeaseLocks> {
  const held = new Set<string>();
  const statement = (fn: 'pg_try_advisory_lock' | 'pg_advisory_unlock', leaseId: string) => {
    const { first, second } = keys(Prisma.sql`${leaseId}::text`);
    const sql = Prisma.sql`SELECT ${Prisma.raw(fn)}(${first}, ${second})`;
    return { text: sql.text, values: sql.values };
  };
  const connection = await keepConnected({
    connectionString,
    logger,
    name: 'lease lock',
    applicationName,
    async prepare(client) {
      for (const leaseId of held) {
        await client.query(statement('pg_try_advisory_lock', leaseId));
      }
    },
  });
  // One connection serves every run of the worker: its statements go one after another, as
  // pg 8 only queues overlapping queries with a deprecation warning and pg 9 will refuse them.
  let last: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = last.then(work, work);
    last = turn.catch(() => undefined);
    return turn;
  };
  return {
    hold(leaseId) {
      return inTurn(async () => {
        const client = connection.current();
        if (!client) {
          throw new Error('The lease lock connection is down; the run is not claimed now.');
        }
        held.add(leaseId);
        try {
          await client.query(statement('pg_try_advisory_lock', leaseId));
        } catch (error) {
          held.delete(leaseId);
          throw error;
        }
      });
    },
    release(leaseId) {
      held.delete(leaseId);
      return inTurn(async () => {
        await connection
          .current()
          ?.query(statement('pg_advisory_unlock', leaseId))
          .catch((error: unknown) => logger.debug({ err: error }, 'lease unlock failed'));
      });
    },
    close: () => connection.close(),
  };
}
