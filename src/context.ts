import { type Db, inTransaction } from './db/db.js';
import type { ResponseEventHub } from './events/response-event-hub.js';
import type { RunEventHub } from './events/run-event-hub.js';
import type { JobQueue } from './jobs/queue.js';
import type { Logger } from './logger.js';
import type { ChatModel } from './models/chat-model.js';
import type { ModelPrices } from './models/model-prices.js';
import type { Retrieval } from './retrieval/retrieval.js';
import type { SecretBox } from './secrets/secret-box.js';
import type { BlobStorage } from './storage/blob-storage.js';

/** Who is calling: every service call is scoped to one project. */
export interface Actor {
  projectId: string;
  apiKeyId: string | null;
  /** An admin key: the control plane (projects, keys, usage, limits) besides its own project. */
  admin: boolean;
}

/** Tunables the services read (from the environment). */
export interface ServiceSettings {
  /** A run expires this long after creation (Default: 600 s, OpenAI's 10 minutes). */
  runExpiresAfterSeconds: number;
  /** Largest file an upload may carry, in bytes (Default: 512 MB, OpenAI's limit). */
  fileMaxBytes: number;
  /** Largest part of a multi-part Upload, in bytes (Default: 64 MB, OpenAI's limit). */
  uploadPartMaxBytes: number;
  /** Seals per-project upstream credentials (SECRETS_KEY); null: none can be stored. */
  secretBox: SecretBox | null;
  /** USD per 1M tokens by model (MODEL_PRICES_FILE); empty: every cost is 0. */
  modelPrices: ModelPrices;
}

/** What every service function receives first. */
export interface ServiceContext {
  db: Db;
  logger: Logger;
  actor: Actor;
  jobs: JobQueue;
  settings: ServiceSettings;
  /** Live run events (subscriptions and REST streams). */
  runEvents: RunEventHub;
  /** Live response events (Responses API streams and subscriptions). */
  responseEvents: ResponseEventHub;
  /** Where file bytes live (local disk or S3). */
  storage: BlobStorage;
  /** The embedder (if configured) and where vectors are searched. */
  retrieval: Retrieval;
  /** The upstream model, for the few requests answered by one model call (`responses/compact`). */
  model?: ChatModel;
  /**
   * Headers for the HTTP response of this request, which services may add to (the
   * `x-ratelimit-*` of a request that starts model work). Absent outside a request.
   */
  responseHeaders?: Record<string, string>;
}

/** The context of work no caller asked for (a job, a run's execution), acting for `projectId`. */
export function actingFor(ctx: Omit<ServiceContext, 'actor'>, projectId: string): ServiceContext {
  return { ...ctx, actor: { projectId, apiKeyId: null, admin: false } };
}

/**
 * Runs `work` in one transaction with `ctx.db` rebound to it. Nested calls join the open
 * transaction, so services can compose without knowing who opened it.
 */
export async function withTransaction<T>(
  ctx: ServiceContext,
  work: (txCtx: ServiceContext) => Promise<T>,
  /** For a root transaction only: how long it may run (Default: Prisma's 5000 ms). */
  options: { timeoutMs?: number } = {},
): Promise<T> {
  return inTransaction(ctx.db, (tx) => work(tx === ctx.db ? ctx : { ...ctx, db: tx }), options);
}
