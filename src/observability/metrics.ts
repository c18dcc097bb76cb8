import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * This process's Prometheus metrics (`GET /metrics`). One registry per process, not
 * prom-client's global one: a server and a worker in separate processes each expose their own,
 * and nothing a library registers globally leaks in. Names follow OpenTelemetry's semantic
 * conventions in Prometheus form where they exist (`http.server.request.duration` →
 * `http_server_request_duration_seconds`). No label ever carries an id, a key or user text:
 * routes are templates, models are capped (`boundedLabel`), the rest are closed sets.
 *
 * Instruments live here, not in the code they observe, so that code makes one call per event.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const registers = [registry];
/** Seconds: from a fast statement to a long generation. */
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];
/** OpenTelemetry's advice for `gen_ai.client.token.usage`. */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576];

export const httpRequestDuration = new Histogram({
  name: 'http_server_request_duration_seconds',
  help: 'Duration of HTTP server requests, by method, route template and status.',
  labelNames: ['http_request_method', 'http_route', 'http_response_status_code'] as const,
  buckets: DURATION_BUCKETS,
  registers,
});

export const runsTotal = new Counter({
  name: 'assistants_runs_total',
  help: 'Runs that reached a terminal status, by status.',
  labelNames: ['status'] as const,
  registers,
});

export const runDuration = new Histogram({
  name: 'assistants_run_duration_seconds',
  help: 'Run duration from creation to its terminal status, by status.',
  labelNames: ['status'] as const,
  buckets: DURATION_BUCKETS,
  registers,
});

export const runQueueTime = new Histogram({
  name: 'assistants_run_queue_seconds',
  help: 'Time a run waited from creation until a worker claimed it (first claim only).',
  buckets: DURATION_BUCKETS,
  registers,
});

export const timeToFirstToken = new Histogram({
  name: 'assistants_time_to_first_token_seconds',
  help: 'Time from sending an upstream chat completion request to its first streamed delta.',
  labelNames: ['gen_ai_request_model'] as const,
  buckets: DURATION_BUCKETS,
  registers,
});

export const genAiOperationDuration = new Histogram({
  name: 'gen_ai_client_operation_duration_seconds',
  help: 'Duration of upstream model calls, by operation, requested model and error kind.',
  labelNames: ['gen_ai_operation_name', 'gen_ai_request_model', 'error_type'] as const,
  buckets: DURATION_BUCKETS,
  registers,
});

export const genAiTokenUsage = new Histogram({
  name: 'gen_ai_client_token_usage',
  help: 'Tokens per upstream model call, by operation, requested model and token type.',
  labelNames: ['gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_token_type'] as const,
  buckets: TOKEN_BUCKETS,
  registers,
});

export const upstreamErrors = new Counter({
  name: 'assistants_upstream_errors_total',
  help: "Failed upstream model calls, by requested model and kind (the run's last_error code).",
  labelNames: ['gen_ai_request_model', 'error_type'] as const,
  registers,
});

const streamSources = new Set<() => number>();

export const activeStreams = new Gauge({
  name: 'assistants_active_streams',
  help: 'Run event streams being followed in this process (SSE, GraphQL subscriptions).',
  registers,
  collect() {
    let total = 0;
    for (const source of streamSources) {
      total += source();
    }
    this.set(total);
  },
});

/** Counts the streams `source` reports at each scrape until the returned stop. */
export function observeStreams(source: () => number): () => void {
  streamSources.add(source);
  return () => {
    streamSources.delete(source);
  };
}

export const sandboxExecutions = new Counter({
  name: 'assistants_sandbox_executions_total',
  help: 'code_interpreter executions by outcome: ok, error, timeout, memory, killed, unavailable, failed.',
  labelNames: ['outcome'] as const,
  registers,
});

export const ingestionFiles = new Counter({
  name: 'assistants_ingestion_files_total',
  help: 'Vector-store indexing jobs, by outcome (completed, failed, skipped).',
  labelNames: ['status'] as const,
  registers,
});

export const ingestionBytes = new Counter({
  name: 'assistants_ingestion_bytes_total',
  help: "Bytes of the indexed files' chunks (their usage_bytes).",
  registers,
});

/** Something that counts pg-boss jobs by queue and state, read at each scrape. */
export type JobStateSource = () => Promise<{ queue: string; state: string; count: number }[]>;
const jobSources = new Set<JobStateSource>();

export const jobs = new Gauge({
  name: 'assistants_jobs',
  help: 'pg-boss jobs by queue and state (created, retry, active, completed, cancelled, failed).',
  labelNames: ['queue', 'state'] as const,
  registers,
  async collect() {
    this.reset();
    for (const source of jobSources) {
      for (const { queue, state, count } of await source()) {
        this.inc({ queue, state }, count);
      }
    }
  },
});

/** A pg pool whose connections are reported (pg's `Pool` has these three counts). */
export interface ObservedPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}
const pools = new Map<ObservedPool, string>();

export const poolConnections = new Gauge({
  name: 'db_client_connection_count',
  help: 'Connections of each database pool, by state (used, idle).',
  labelNames: ['db_client_connection_pool_name', 'db_client_connection_state'] as const,
  registers,
  collect() {
    this.reset();
    for (const [pool, name] of pools) {
      const labels = { db_client_connection_pool_name: name };
      this.inc({ ...labels, db_client_connection_state: 'idle' }, pool.idleCount);
      this.inc({ ...labels, db_client_connection_state: 'used' }, pool.totalCount - pool.idleCount);
    }
  },
});

export const poolPending = new Gauge({
  name: 'db_client_connection_pending_requests',
  help: 'Requests waiting for a connection of each database pool.',
  labelNames: ['db_client_connection_pool_name'] as const,
  registers,
  collect() {
    this.reset();
    for (const [pool, name] of pools) {
      this.inc({ db_client_connection_pool_name: name }, pool.waitingCount);
    }
  },
});

/** Reports a pool (`name`: a fixed word such as `prisma`, `pgboss`) until the returned stop. */
export function observePool(name: string, pool: ObservedPool): () => void {
  pools.set(pool, name);
  return () => {
    pools.delete(pool);
  };
}

/** Counts jobs from `source` at each scrape until the returned stop. */
export function observeJobs(source: JobStateSource): () => void {
  jobSources.add(source);
  return () => {
    jobSources.delete(source);
  };
}
