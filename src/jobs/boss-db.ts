import type pg from 'pg';
import type PgBoss from 'pg-boss';
import plans from 'pg-boss/src/plans.js';
import { isDatabaseUnavailable } from '../db/database-unavailable.js';
import type { Logger } from '../logger.js';

/** Retries of a job's end while the database is unreachable: 0.5 s, then up to 5 s apart. */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5000;

export interface BossDb extends PgBoss.Db {
  /** Stop retrying job ends (shutdown): those still unwritten are left to pg-boss's expiry. */
  stop(): void;
}

/**
 * pg-boss's database over our pool. pg-boss 10 writes a job's end (`complete`/`fail`) without
 * awaiting it, so when PostgreSQL is restarting that write's rejection is unhandled and ends
 * the process. Here those two statements never reject: while the database is unreachable they
 * are retried until it answers, so the job ends exactly as it would have; on shutdown, or on
 * any other error, the job is left active and pg-boss's expiry retries it (the handlers are
 * idempotent). Every other statement is awaited by pg-boss and fails as usual.
 */
export function createBossDb(pool: pg.Pool, schema: string, logger: Logger): BossDb {
  const jobEnds = new Set([plans.completeJobs(schema), plans.failJobsById(schema)]);
  let stopped = false;
  const unwritten = { rows: [{ count: '0' }] };

  async function endJob(text: string, values: unknown[]): Promise<{ rows: unknown[] }> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await pool.query(text, values);
      } catch (error) {
        if (stopped || !isDatabaseUnavailable(error)) {
          logger.warn({ err: error }, 'a job end was not written; pg-boss retries the job later');
          return unwritten;
        }
        if (attempt === 0) {
          logger.warn({ err: error }, 'database unreachable; retrying a job end until it answers');
        }
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(FIRST_RETRY_MS * 2 ** attempt, MAX_RETRY_MS)),
        );
      }
    }
  }

  return {
    executeSql(text, values = []) {
      return jobEnds.has(text) ? endJob(text, values) : pool.query(text, values);
    },
    stop() {
      stopped = true;
    },
  };
}
