import { z } from 'zod';

/**
 * Process configuration, parsed once at start. This is the only module that reads `process.env`;
 * a bad value exits at start with a message naming the variable.
 */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** PostgreSQL URL. Absent: an embedded PostgreSQL is started in DATA_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /**
   * Prepare repeated statements on each connection (src/db/prepared-statements.ts). `false` for
   * a transaction-pooling PgBouncer (before 1.21), which cannot keep them.
   */
  DATABASE_PREPARED_STATEMENTS: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Connections in each process's query pool (pg-boss and LISTEN have their own). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * How long a query or transaction waits for a pooled connection before the request is
   * answered 503 (retryable). Without a bound, a request queues behind a saturated pool forever.
   */
  DATABASE_POOL_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  DATA_DIR: z.string().min(1).default('./.data'),
  /** Largest file an upload may carry, in bytes (OpenAI's 512 MB; GraphQL `Int` caps it). */
  FILE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .default(512 * 1024 * 1024),
  /** Largest part of a multi-part Upload (`POST /uploads/{id}/parts`), in bytes (OpenAI's 64 MB). */
  UPLOAD_PART_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .default(64 * 1024 * 1024),
  /**
   * Largest JSON body (REST and GraphQL, not multipart uploads), in bytes: over it, 413 before
   * the body is read. 8 MB holds any Assistants request (256,000-character fields) and an inline
   * photo as a data URL; raise it for larger inline images (OpenAI takes up to 50 MB of them).
   */
  JSON_BODY_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(2 ** 31 - 1)
    .default(8 * 1024 * 1024),
  /**
   * JSON body bytes all requests in flight may hold at once (src/http/request-body.ts): beyond
   * it, a retryable 503. Never below JSON_BODY_MAX_BYTES, so that one largest body always fits.
   */
  JSON_BODY_BUDGET_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(2 ** 31 - 1)
    .default(32 * 1024 * 1024),
  /** Store file bytes in this S3 bucket (any S3-compatible store); absent: `DATA_DIR/files`. */
  S3_BUCKET: z.string().min(1).optional(),
  /** S3-compatible endpoint (MinIO, R2, Ceph…); absent: AWS. */
  S3_ENDPOINT: z.url().optional(),
  /** Absent: the AWS SDK's region chain, or us-east-1 with S3_ENDPOINT. */
  S3_REGION: z.string().min(1).optional(),
  /** Path-style URLs (`endpoint/bucket/key`), which most self-hosted stores need. */
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  /** Static credentials (both or neither); absent: the AWS SDK's default credential chain. */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Comma-separated keys seeded into the default project (stored hashed). */
  API_KEYS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((key) => key.trim())
        .filter((key) => key.length > 0),
    )
    .pipe(z.array(z.string().min(20, 'each key must be at least 20 characters'))),
  /** Default OpenAI-compatible upstream for runs (OpenAI, Ollama, vLLM, llama.cpp, Azure…). */
  LLM_BASE_URL: z.url().optional(),
  LLM_API_KEY: z.string().optional(),
  /**
   * 32 bytes, base64: seals per-project upstream credentials (AES-256-GCM). Absent: projects
   * cannot store credentials. `SECRETS_KEY_PREVIOUS` still opens what the last key sealed.
   */
  SECRETS_KEY: z.string().min(1).optional(),
  SECRETS_KEY_PREVIOUS: z.string().min(1).optional(),
  /**
   * Context window of LLM_BASE_URL's models, in tokens. Absent: the model family's, else 8,192
   * (see src/models/context-window.ts).
   */
  LLM_CONTEXT_WINDOW: z.coerce.number().int().min(1_024).max(100_000_000).optional(),
  /** JSON file routing model names or prefixes to upstreams (see readme). */
  MODEL_ROUTES_FILE: z.string().min(1).optional(),
  /** JSON file of model → USD per 1M input/output tokens, for `/organization/costs` (see readme). */
  MODEL_PRICES_FILE: z.string().min(1).optional(),
  /**
   * Embedding model for vector-store search (e.g. `text-embedding-3-small`), sent to an
   * OpenAI-compatible `/embeddings`. Absent: files are indexed for keyword search only.
   */
  EMBEDDING_MODEL: z.string().min(1).optional(),
  /** Absent: LLM_BASE_URL. */
  EMBEDDING_BASE_URL: z.url().optional(),
  /** Absent: LLM_API_KEY. */
  EMBEDDING_API_KEY: z.string().optional(),
  /** Chunks per `/embeddings` request. */
  EMBEDDING_BATCH_SIZE: z.coerce.number().int().min(1).max(2048).default(64),
  /** Memory for vector stores' embeddings cached in process (without pgvector), in MB. */
  VECTOR_CACHE_MB: z.coerce.number().int().min(1).default(512),
  /** Retries of a transient upstream error (429, 5xx, network), with backoff. */
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  /** A run expires this many seconds after creation, as on OpenAI; a response fails. */
  RUN_EXPIRES_AFTER_SECONDS: z.coerce.number().int().min(1).default(600),
  /** How often workers expire overdue runs and responses and take over those of dead workers. */
  RUN_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(5000),
  /**
   * How often workers look for runs whose worker died (its lease lock is free) or gave them up,
   * and take them over: a killed worker's runs continue within about this.
   */
  RUN_TAKEOVER_CHECK_MS: z.coerce.number().int().min(50).default(1000),
  /**
   * A run whose worker has not heartbeaten for this long is taken over by another worker, even
   * if its lease lock is held (a worker hung with its connection open).
   */
  RUN_STALE_AFTER_MS: z.coerce.number().int().min(100).default(15_000),
  /** How often the executing worker heartbeats (must be well under RUN_STALE_AFTER_MS). */
  RUN_HEARTBEAT_MS: z.coerce.number().int().min(20).default(2000),
  /**
   * Streamed tokens are written and announced at most once per this many ms per run on average
   * (bursts of 3): slower streams are written token by token as they come, faster ones are
   * coalesced, so NOTIFY load stays bounded under many concurrent runs.
   */
  STREAM_FLUSH_MS: z.coerce.number().int().min(0).max(1000).default(20),
  /** Jobs one worker process executes at once. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(16),
  /**
   * Require `OpenAI-Beta: assistants=v2` on /assistants and /threads, as OpenAI did. Off by
   * default: the header is accepted, and clients that never sent it keep working.
   */
  REQUIRE_BETA_HEADER: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  /** Turns the code_interpreter sandbox off: the tool is reported unavailable. */
  SANDBOX_DISABLED: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  /** bubblewrap, which isolates model-written code (Debian package `bubblewrap`). */
  SANDBOX_BWRAP: z.string().min(1).default('/usr/bin/bwrap'),
  /** Python run in the sandbox, with its system packages (numpy, pandas, matplotlib). */
  SANDBOX_PYTHON: z.string().min(1).default('/usr/bin/python3'),
  /** Wall time of one code_interpreter call, in milliseconds. */
  SANDBOX_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** Memory of one call's code, in MB (per process, and in total). */
  SANDBOX_MEMORY_MB: z.coerce.number().int().min(64).default(512),
  /** Size of /mnt/data (input files and everything the code writes), in MB. */
  SANDBOX_FILES_MB: z.coerce.number().int().min(1).default(256),
  /** Processes and threads one call's code may run at once. */
  SANDBOX_MAX_PROCESSES: z.coerce.number().int().min(1).max(4096).default(32),
  /** Characters of a call's output shown to the model; the middle of longer output is cut. */
  SANDBOX_LOG_CHARS: z.coerce.number().int().min(100).default(20_000),
  /** Host uid the sandbox runs as when the server runs as root (never root itself). */
  SANDBOX_UID: z.coerce.number().int().min(1).max(2_147_483_647).default(65_534),
  /** Where per-run sandbox sessions live on the host. Absent: `<os tmpdir>/assistants-sandbox`. */
  SANDBOX_WORK_DIR: z.string().min(1).optional(),
  /** Files (figures included) one code_interpreter call may export as Files. */
  SANDBOX_EXPORT_FILES: z.coerce.number().int().min(0).default(32),
  /** Bytes one code_interpreter call may export as Files, in MB. */
  SANDBOX_EXPORT_MB: z.coerce.number().int().min(0).default(64),
  /** Files all code_interpreter calls of a run may export together. */
  SANDBOX_RUN_EXPORT_FILES: z.coerce.number().int().min(0).default(128),
  /** Bytes all code_interpreter calls of a run may export together, in MB. */
  SANDBOX_RUN_EXPORT_MB: z.coerce.number().int().min(0).default(256),
  /**
   * Deepest nesting of fields in a GraphQL operation, fragments followed (GraphiQL's schema
   * introspection is 15 deep, the REST shim's operations at most 8). At most 100: documents are
   * refused unparsed past 256 nested brackets, which bounds the parser's recursion.
   */
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).max(100).default(20),
  /** Aliased fields per GraphQL operation (the REST shim's operations use none). */
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  /** Directives per GraphQL operation (`@include`, `@skip`…). */
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(50),
  /** Tokens per GraphQL document (the REST shim's largest has about 400). */
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).max(100_000).default(10_000),
  /**
   * Cost budget of a GraphQL operation: each field costs 1, and a field with a `first`, `last` or
   * `limit` argument counts its selection once per item (20 when absent). A full page (100) of
   * the REST shim's largest objects costs about 6,600; a list of 100 in a list of 100, 20,000.
   */
  GRAPHQL_MAX_COST: z.coerce.number().int().min(1).default(10_000),
  /** Operations per batched GraphQL request (a JSON array); 0 refuses batches. */
  GRAPHQL_MAX_BATCH: z.coerce.number().int().min(0).max(1000).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Bearer token that reads `GET /metrics` (Prometheus). Absent: /metrics is off (404); it is
   * never served anonymously. At least 16 characters.
   */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * `--role=worker` only: serve /healthz, /readyz and /metrics on this port (the worker has no
   * API server). Absent: the worker listens on nothing.
   */
  OPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** OTLP/HTTP collector (e.g. `http://otel-collector:4318`): traces are exported there. Absent: off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** Record message text and tool arguments on spans (OpenTelemetry's GenAI opt-in). */
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  /** How long SIGTERM waits for in-flight requests before closing them, in milliseconds. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  override name = 'EnvError';
}

/** Parses the given environment (default `process.env`); throws `EnvError` naming each bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  if (result.success) {
    return result.data;
  }
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`,
  );
  throw new EnvError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
}
