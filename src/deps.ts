import pg from 'pg';
import PgBoss from 'pg-boss';
import type { ServiceSettings } from './context.js';
import { type DatabaseTarget, parseDatabaseUrl, quoteIdent } from './db/database-url.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded-postgres.js';
import { applyMigrations } from './db/migrate.js';
import { PreparingClient } from './db/prepared-statements.js';
import { createPrismaClient, type PrismaClient } from './db/prisma.js';
import { poolOf } from './db/raw-sql.js';
import type { Env } from './env.js';
import { createPgListener, type PgListener } from './events/pg-listener.js';
import { createResponseEventHub, type ResponseEventHub } from './events/response-event-hub.js';
import { createRunEventHub, type RunEventHub } from './events/run-event-hub.js';
import { createBossDb } from './jobs/boss-db.js';
import { createJobQueue, type JobQueue } from './jobs/queue.js';
import { jobs as jobDefinitions } from './jobs/registry.js';
import type { Logger } from './logger.js';
import type { ChatModel } from './models/chat-model.js';
import { createModelFromEnv } from './models/model-from-env.js';
import { loadModelPrices } from './models/model-prices.js';
import { instrumentChatModel } from './observability/instrumented-model.js';
import { observeJobs, observePool, observeStreams } from './observability/metrics.js';
import { createEmbedderFromEnv, createRetrieval, type Retrieval } from './retrieval/retrieval.js';
import { createSecretBox } from './secrets/secret-box.js';
import { createProjectRoutedModel } from './services/upstreams/project-routed-model.js';
import type { BlobStorage } from './storage/blob-storage.js';
import { createStorageFromEnv } from './storage/storage-from-env.js';

/** Long-lived resources shared by the server and the worker of one process. */
export interface Deps {
  env: Env;
  logger: Logger;
  db: PrismaClient;
  database: DatabaseTarget;
  boss: PgBoss;
  jobs: JobQueue;
  model: ChatModel;
  settings: ServiceSettings;
  /** This process's LISTEN connection, shared by everything that waits for a NOTIFY. */
  listener: PgListener;
  runEvents: RunEventHub;
  responseEvents: ResponseEventHub;
  /** File bytes: local disk under DATA_DIR, or S3 when S3_BUCKET is set. */
  storage: BlobStorage;
  /** Embeddings (when EMBEDDING_MODEL is set) and vector search (pgvector or in process). */
  retrieval: Retrieval;
  close(): Promise<void>;
}

/**
 * Connects to PostgreSQL (or starts the embedded one when `DATABASE_URL` is absent), applies
 * pending migrations and starts pg-boss before anything is served. Only processes that run
 * the worker supervise pg-boss (maintenance); a server-only process just enqueues.
 */
export async function createDeps(
  env: Env,
  logger: Logger,
  options: { supervise: boolean } = { supervise: true },
): Promise<Deps> {
  // First: a bad storage configuration should stop the process before anything starts.
  const storage = createStorageFromEnv(env);
  const embedder = createEmbedderFromEnv(env);
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(env.DATA_DIR, logger);
    databaseUrl = embedded.url;
  }
  const database = parseDatabaseUrl(databaseUrl);
  const preparedStatements = env.DATABASE_PREPARED_STATEMENTS;
  // pg-boss's own pool, as it would make it, but with its repeated statements (fetch, complete)
  // prepared like ours: parsing and planning them cost more than running them. Planned for their
  // values each time, though: a generic plan cannot prune the job table's partitions (one per
  // queue) while planning, and ran three to six times slower than a custom one.
  const bossPool = new pg.Pool({
    connectionString: database.url,
    max: 10,
    application_name: 'pgboss',
    options: '-c plan_cache_mode=force_custom_plan',
    Client: preparedStatements ? PreparingClient : pg.Client,
  });
  bossPool.on('error', (error) => logger.warn({ err: error }, 'pg-boss connection lost'));
  const bossSchema = `${database.schema}_boss`;
  const bossDb = createBossDb(bossPool, bossSchema, logger);
  const boss = new PgBoss({
    db: bossDb,
    schema: bossSchema,
    supervise: options.supervise,
    schedule: false,
  });
  boss.on('error', (error) => logger.error({ err: error }, 'pg-boss error'));
  try {
    await applyMigrations(database, logger);
    await boss.start();
    for (const job of jobDefinitions) {
      // Idempotent; every process may need to send to every queue.
      await boss.createQueue(job.definition.name);
    }
  } catch (error) {
    await bossPool.end();
    await embedded?.stop();
    throw error;
  }
  const secretBox = createSecretBox(env.SECRETS_KEY, env.SECRETS_KEY_PREVIOUS);
  const model = await createModelFromEnv(env);
  const modelPrices = env.MODEL_PRICES_FILE ? await loadModelPrices(env.MODEL_PRICES_FILE) : {};
  const db = createPrismaClient(database, {
    preparedStatements,
    poolSize: env.DATABASE_POOL_SIZE,
    poolTimeoutMs: env.DATABASE_POOL_TIMEOUT_MS,
    onIdleError: (error) => logger.warn({ err: error }, 'database connection lost; reconnecting'),
  });
  const listener = await createPgListener(database.url, logger);
  const retrieval = await createRetrieval(env, embedder, db, logger);
  const runEvents = createRunEventHub(db, listener);
  const prismaPool = poolOf(db);
  const unobserve = [
    observePool('pgboss', bossPool),
    ...(prismaPool ? [observePool('prisma', prismaPool)] : []),
    observeStreams(() => runEvents.followers()),
    observeJobs(() => jobStates(bossPool, `${database.schema}_boss`)),
  ];
  return {
    env,
    logger,
    db,
    database,
    boss,
    jobs: createJobQueue(boss, bossSchema),
    // Measured after routing: a project's own upstreams are measured too.
    model: instrumentChatModel(createProjectRoutedModel(db, secretBox, model)),
    settings: {
      runExpiresAfterSeconds: env.RUN_EXPIRES_AFTER_SECONDS,
      fileMaxBytes: env.FILE_MAX_BYTES,
      uploadPartMaxBytes: env.UPLOAD_PART_MAX_BYTES,
      secretBox,
      modelPrices,
    },
    listener,
    runEvents,
    responseEvents: createResponseEventHub(db, listener),
    storage,
    retrieval,
    async close() {
      for (const stop of unobserve) {
        stop();
      }
      await listener.close();
      // Graceful: jobs in flight (a run mid-generation) get the shutdown budget to finish.
      await boss.stop({
        graceful: true,
        wait: true,
        close: true,
        timeout: env.SHUTDOWN_TIMEOUT_MS,
      });
      bossDb.stop();
      await bossPool.end();
      await db.$disconnect();
      await storage.close();
      await embedded?.stop();
    },
  };
}

const QUEUES = jobDefinitions.map((job) => job.definition.name);

/** pg-boss's jobs of our queues by state, for the `assistants_jobs` gauge. */
async function jobStates(pool: pg.Pool, bossSchema: string) {
  const result = await pool.query<{ queue: string; state: string; count: number }>(
    `SELECT name AS queue, state::text AS state, count(*)::int AS count
       FROM ${quoteIdent(bossSchema)}.job WHERE name = ANY($1) GROUP BY 1, 2`,
    [QUEUES],
  );
  return result.rows;
}
