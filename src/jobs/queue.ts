import type PgBoss from 'pg-boss';
import type { z } from 'zod';
import type { Db } from '../db/db.js';
import { Prisma } from '../generated/prisma/client.js';
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
  /**
   * A job for the caller's own statement, in `send`'s span (so the payload carries the trace
   * context as send's does): `write` gets the INSERT of the job row, as `send` writes it, to
   * run as a CTE of its statement; the row is written only when `gate` (a relation of that
   * statement, e.g. the CTE that wrote what the job is about) has a row. `write` wakes the
   * workers itself (`pg_notify(JOB_WAKE_CHANNEL, job.name)`).
   */
  sendWithin<S extends z.ZodType, T>(
    job: JobDefinition<S>,
    payload: z.input<S>,
    options: { singletonKey: string; gate: string },
    write: (insert: Prisma.Sql) => Promise<T>,
  ): Promise<T>;
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

/** The job's payload as sent: its data, and the current trace context when there is one. */
function payloadOf<S extends z.ZodType>(job: JobDefinition<S>, payload: z.input<S>): object {
  const data = job.schema.parse(payload) as object;
  const trace = injectTraceContext();
  return Object.keys(trace).length > 0 ? { ...data, [TRACE_CONTEXT_FIELD]: trace } : data;
}

function sendSpan<T>(name: string, work: () => Promise<T>): Promise<T> {
  const attributes = { 'messaging.system': 'pg-boss', 'messaging.destination.name': name };
  return withSpan(`send ${name}`, { kind: SpanKind.PRODUCER, attributes }, work);
}

/**
 * The row pg-boss 10's `send` writes (plans.js `insertJob`) for the options `send` below passes
 * (retryLimit 3, retryDelay 1, retryBackoff true, a singleton key, nothing else) and no
 * constructor defaults (deps.ts sets none): the queue's dead letter, expiry and retention, else
 * pg-boss's own (15 minutes, 14 days). The queue's row must exist, as for `send`.
 */
function jobRowSql(
  schema: string,
  name: string,
  data: object,
  singletonKey: string,
  gate: string,
): Prisma.Sql {
  const jobTable = Prisma.raw(`"${schema.replaceAll('"', '""')}".job`);
  const queueTable = Prisma.raw(`"${schema.replaceAll('"', '""')}".queue`);
  const gateRelation = Prisma.raw(`"${gate.replaceAll('"', '""')}"`);
  return Prisma.sql`
    INSERT INTO ${jobTable} (id, name, data, priority, start_after, singleton_key, singleton_on,
                             dead_letter, expire_in, keep_until, retry_limit, retry_delay,
                             retry_backoff, policy)
    SELECT gen_random_uuid(), q.name, ${JSON.stringify(data)}::jsonb, 0, now(), ${singletonKey},
           NULL, q.dead_letter,
           CASE WHEN q.expire_seconds IS NOT NULL THEN q.expire_seconds * interval '1s'
                ELSE interval '15 minutes' END,
           now() + CAST(COALESCE((q.retention_minutes * 60)::text, '14 days') AS interval),
           3, 1, true, q.policy
      FROM ${queueTable} q
     WHERE q.name = ${name} AND EXISTS (SELECT 1 FROM ${gateRelation})
    ON CONFLICT DO NOTHING
    RETURNING id`;
}

export function createJobQueue(boss: PgBoss, schema: string): JobQueue {
  return {
    sendWithin(job, payload, options, write) {
      return sendSpan(job.name, () =>
        write(
          jobRowSql(schema, job.name, payloadOf(job, payload), options.singletonKey, options.gate),
        ),
      );
    },
    send(db, job, payload, options = {}) {
      return sendSpan(job.name, async () => {
        await boss.send(job.name, payloadOf(job, payload), {
          db: asBossDb(db),
          singletonKey: options.singletonKey,
          retryLimit: 3,
          retryDelay: 1,
          retryBackoff: true,
        });
        // Delivered on COMMIT, so the worker never wakes for a job it cannot see yet.
        if (options.wake !== false) {
          await db.$executeRaw`SELECT pg_notify(${JOB_WAKE_CHANNEL}, ${job.name})`;
        }
      });
    },
  };
}
