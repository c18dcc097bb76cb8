import pg from 'pg';
import { quoteIdent } from '../src/db/database-url.js';
import { nowMs } from './stats.js';

/**
 * Marks of a run's life, taken by PostgreSQL itself with `clock_timestamp()` (microseconds) and
 * sent with NOTIFY (which arrives after the commit). Deferred constraint triggers on `runs` fire
 * at COMMIT of the transaction that inserted the run (createRun), that moved it from queued to
 * in_progress (the worker's claim) and that ended it; a plain row trigger marks the claim's
 * UPDATE itself. Bench-only: installed into the bench's schema for the latency phase, dropped
 * after it.
 */
export interface RunMarks {
  /** Commit of createRun's transaction (PostgreSQL clock, epoch ms). */
  created?: number;
  /** The worker's claim UPDATE (queued → in_progress) executed: the run is the worker's. */
  claimed?: number;
  /** Commit of the claim's transaction (it also logs the in_progress event). */
  claimCommitted?: number;
  /** Commit of the transaction that ended the run. */
  ended?: number;
  endedStatus?: string;
  /** When the ended NOTIFY reached this process (local clock, epoch ms). */
  endedSeenAt?: number;
}

const CHANNEL = 'bench_run_marks';

export interface MarkRecorder {
  get(runId: string): RunMarks;
  /** Resolves once the run's end has committed (its NOTIFY arrived). */
  waitForEnd(runId: string, timeoutMs?: number): Promise<RunMarks>;
  /** PostgreSQL clock minus this process's clock, in ms (min-RTT estimate; same host). */
  clockOffsetMs: number;
  /**
   * When a worker fetched each run's job: pg-boss stamps `started_on = now()` in its fetch
   * statement (PostgreSQL clock, epoch ms), keyed by run id (the job's singleton key).
   */
  jobFetchTimes(): Promise<Map<string, number>>;
  /** Drops the triggers (the throughput phase runs without them). */
  uninstall(): Promise<void>;
  close(): Promise<void>;
}

export async function recordRunMarks(serverUrl: string, schema: string): Promise<MarkRecorder> {
  const s = quoteIdent(schema);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(`
    CREATE FUNCTION ${s}.bench_mark() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${CHANNEL}', concat_ws(' ', NEW.id, TG_ARGV[0], NEW.status,
        (extract(epoch FROM clock_timestamp()) * 1000)::text));
      RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER bench_created AFTER INSERT ON ${s}.runs
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${s}.bench_mark('created');
    CREATE TRIGGER bench_claimed AFTER UPDATE OF status ON ${s}.runs FOR EACH ROW
      WHEN (OLD.status = 'queued' AND NEW.status = 'in_progress')
      EXECUTE FUNCTION ${s}.bench_mark('claimed');
    CREATE CONSTRAINT TRIGGER bench_claim_committed AFTER UPDATE OF status ON ${s}.runs
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
      WHEN (OLD.status = 'queued' AND NEW.status = 'in_progress')
      EXECUTE FUNCTION ${s}.bench_mark('claimCommitted');
    CREATE CONSTRAINT TRIGGER bench_ended AFTER UPDATE OF status ON ${s}.runs
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status
        AND NEW.status IN ('completed', 'incomplete', 'failed', 'cancelled', 'expired'))
      EXECUTE FUNCTION ${s}.bench_mark('ended');
  `);

  const marks = new Map<string, RunMarks>();
  const waiters = new Map<string, (marks: RunMarks) => void>();
  const entry = (runId: string) => {
    let found = marks.get(runId);
    if (!found) {
      found = {};
      marks.set(runId, found);
    }
    return found;
  };
  client.on('notification', (message) => {
    const seenAt = nowMs();
    const [runId, kind, status, at] = (message.payload ?? '').split(' ');
    if (!runId || !at) {
      return;
    }
    const mark = entry(runId);
    if (kind === 'created') {
      mark.created = Number(at);
    } else if (kind === 'claimed') {
      mark.claimed = Number(at);
    } else if (kind === 'claimCommitted') {
      mark.claimCommitted = Number(at);
    } else if (kind === 'ended') {
      mark.ended = Number(at);
      mark.endedStatus = status;
      mark.endedSeenAt = seenAt;
      waiters.get(runId)?.(mark);
    }
  });
  await client.query(`LISTEN ${CHANNEL}`);

  // Both clocks are this machine's realtime clock; measure the residual offset anyway.
  let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
  for (let i = 0; i < 50; i += 1) {
    const before = nowMs();
    const { rows } = await client.query<{ at: string }>(
      'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::text AS at',
    );
    const after = nowMs();
    if (after - before < best.rtt) {
      best = { rtt: after - before, offset: Number(rows[0]?.at) - (before + after) / 2 };
    }
  }

  return {
    clockOffsetMs: best.offset,
    get: entry,
    waitForEnd(runId, timeoutMs = 10_000) {
      const mark = entry(runId);
      if (mark.ended !== undefined) {
        return Promise.resolve(mark);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(runId);
          reject(new Error(`bench: run ${runId} did not end within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.set(runId, (ended) => {
          clearTimeout(timer);
          waiters.delete(runId);
          resolve(ended);
        });
      });
    },
    async jobFetchTimes() {
      const { rows } = await client.query<{ run_id: string; at: string }>(
        `SELECT singleton_key AS run_id, (extract(epoch FROM started_on) * 1000)::text AS at
           FROM ${quoteIdent(`${schema}_boss`)}.job
          WHERE name = 'execute-run' AND singleton_key IS NOT NULL AND started_on IS NOT NULL`,
      );
      return new Map(rows.map((row) => [row.run_id, Number(row.at)]));
    },
    async uninstall() {
      await client.query(`
        DROP TRIGGER bench_created ON ${s}.runs;
        DROP TRIGGER bench_claimed ON ${s}.runs;
        DROP TRIGGER bench_claim_committed ON ${s}.runs;
        DROP TRIGGER bench_ended ON ${s}.runs;
        DROP FUNCTION ${s}.bench_mark();
      `);
    },
    async close() {
      await client.end();
    },
  };
}
