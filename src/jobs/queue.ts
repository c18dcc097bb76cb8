import type PgBoss from 'pg-boss';
import type { z } from 'zod';
import type { Db } from '../db/db.js';
import { injectTraceContext, SpanKind, withSpan } from '../observability/tracing.js';
import type { JobDefinition } from './define-job.js';

/**
 * Where a job's payload carries the enqueuer's trace context (W3C headers), so the worker's
 * spans join the trace of the request that enqueued it. Not part of any job's schema: parsing
 * the payload on receive drops it.
 */
export const TRACE_CONTEXT_FIELD = 'traceContext';

/** Channel on which enqueuers wake idle workers at once instead of waiting for pg-boss's poll. */
export const JOB_WAKE_CHANNEL = 'assistants_job_wake';

/** Enqueues jobs inside the caller's transaction: a rollback leaves no job and no wake-up. */
export interface JobQueue {
  send<S extends z.ZodType>(
    db: Db,
    job: JobDefinition<S>,
    payload: z.input<S>,
    options?: {
      singletonKey?: string;
      /**
       * `false`: the caller's transaction sends the wake-up itself, in one of its own statements
       * (`pg_notify(JOB_WAKE_CHANNEL, job.name)`), saving a round trip. (Default: true)
       */
      wake?: boolean;
    },
  ): Promise<void>;
}

function toSqlValue(value: unknown): unknown {
  // pg-boss hands objects (job data) to `pg`, which serializes them; Prisma's raw queries do not.
  return value !== null && typeof value === 'object' && !(value instanceof Date)
    ? JSON.stringify(value)
    : value;
}

/** pg-boss's `Db` over a Prisma client or transaction. */
function asBossDb(db: Db): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const rows = await db.$queryRawUnsafe<unknown[]>(text, ...values.map(toSqlValue));
      return { rows };
    },
  };
}

export function createJobQueue(boss: PgBoss): JobQueue {
  return {
    send(db, job, payload, options = {}) {
      const attributes = { 'messaging.system': 'pg-boss', 'messaging.destination.name': job.name };
      return withSpan(`send ${job.name}`, { kind: SpanKind.PRODUCER, attributes }, async () => {
        const data = job.schema.parse(payload) as object;
        const trace = injectTraceContext();
        await boss.send(
          job.name,
          Object.keys(trace).length > 0 ? { ...data, [TRACE_CONTEXT_FIELD]: trace } : data,
          {
            db: asBossDb(db),
            singletonKey: options.singletonKey,
            retryLimit: 3,
            retryDelay: 1,
            retryBackoff: true,
          },
        );
        // Delivered on COMMIT, so the worker never wakes for a job it cannot see yet.
        if (options.wake !== false) {
          await db.$executeRaw`SELECT pg_notify(${JOB_WAKE_CHANNEL}, ${job.name})`;
        }
      });
    },
  };
}
