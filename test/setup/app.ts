import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { quoteIdent } from '../../src/db/database-url.js';
import { createDeps, type Deps } from '../../src/deps.js';
import { parseEnv } from '../../src/env.js';
import { randomBase62 } from '../../src/ids.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createApiKey } from '../../src/services/auth/api-keys.js';
import { bootstrapApiKeys, createProject } from '../../src/services/auth/projects.js';
import { startWorker, type Worker } from '../../src/worker.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export interface TestApp {
  deps: Deps;
  /** The in-process worker, or null when started with `{ worker: false }`. */
  worker: Worker | null;
  app: App;
  port: number;
  baseUrl: string;
  /** This app's database (its own schema), for processes started beside it. */
  databaseUrl: string;
  /** A key of the default project. */
  apiKey: string;
  /** The official SDK, pointed at this server with `apiKey`, no retries. */
  openai: OpenAI;
  client(apiKey: string): OpenAI;
  /** A second project with its own key, for tenancy tests. */
  createOtherProject(): Promise<{ projectId: string; apiKey: string }>;
  /** POST /graphql over real HTTP. */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { apiKey?: string | null },
  ): Promise<GraphQLResponse<T>>;
  /** A raw request to the REST shim, for what the SDK cannot send (bad JSON, missing headers). */
  rest(
    path: string,
    init?: RequestInit & { apiKey?: string | null; beta?: boolean },
  ): Promise<Response>;
  close(): Promise<void>;
}

/** What `startTestApp` takes, as one object: env overrides and whether to run the worker. */
export interface TestAppOptions {
  env?: Record<string, string>;
  worker?: boolean;
}

/**
 * Runs `start` before the tests of this file (or describe block), hands what it started to `use`
 * and closes it after them.
 */
export function useStarted<T extends { close(): Promise<void> }>(
  start: () => Promise<T>,
  use: (started: T) => void | Promise<void>,
): void {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
    await use(started);
  });
  afterAll(async () => {
    await started?.close();
  });
}

/** A started app for this file (or describe block): started before its tests, closed after. */
export function useTestApp(
  options: TestAppOptions,
  use: (t: TestApp) => void | Promise<void>,
): void {
  useStarted(() => startTestApp(options.env, { worker: options.worker }), use);
}

/**
 * Starts the real app on a free port over real PostgreSQL, in a schema of its own that is
 * dropped on close, so test files run in parallel without seeing each other's rows.
 */
export async function startTestApp(
  envOverrides: Record<string, string> = {},
  /** `logger`: the app's own, to read what it logs (default: pino at LOG_LEVEL, on stdout). */
  options: { worker?: boolean; logger?: Logger } = {},
): Promise<TestApp> {
  const schema = `test_${randomBase62(10).toLowerCase()}`;
  const serverUrl = inject('databaseUrl');
  const url = new URL(serverUrl);
  url.searchParams.set('schema', schema);
  // Local file storage goes to a directory of this app's own, removed on close.
  const dataDir = await mkdtemp(path.join(tmpdir(), 'assistants-test-'));
  const env = parseEnv({
    DATABASE_URL: url.toString(),
    DATA_DIR: dataDir,
    // Errors are on by default so an intermittent 500 in CI comes with the server's own account
    // of it (the suite logs ~1 error line otherwise); TEST_LOG_LEVEL=silent mutes them.
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    WORKER_CONCURRENCY: '4',
    SHUTDOWN_TIMEOUT_MS: '1000',
    ...envOverrides,
  });
  const logger = options.logger ?? createLogger(env.LOG_LEVEL);
  const deps = await createDeps(env, logger);
  const apiKey = `sk-test-${randomBase62(32)}`;
  await bootstrapApiKeys(deps.db, [apiKey], logger);
  const app = buildApp(deps);
  const port = await app.start(0, '127.0.0.1');
  const worker = options.worker === false ? null : await startWorker(deps);
  const baseUrl = `http://127.0.0.1:${port}`;
  const client = (key: string) =>
    new OpenAI({ apiKey: key, baseURL: `${baseUrl}/v1`, maxRetries: 0 });

  return {
    deps,
    worker,
    app,
    port,
    baseUrl,
    databaseUrl: url.toString(),
    apiKey,
    openai: client(apiKey),
    client,
    async createOtherProject() {
      const project = await createProject(deps.db, { name: `other ${randomBase62(4)}` });
      const key = await createApiKey(deps.db, { projectId: project.id });
      return { projectId: project.id, apiKey: key.key };
    },
    async graphql(query, variables, options = {}) {
      const key = options.apiKey === undefined ? apiKey : options.apiKey;
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(key === null ? {} : { authorization: `Bearer ${key}` }),
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
      return { status: response.status, ...body } as never;
    },
    rest(path, init = {}) {
      const { apiKey: key = apiKey, beta = true, headers, ...rest } = init;
      return fetch(`${baseUrl}/v1${path}`, {
        ...rest,
        headers: {
          ...(key === null ? {} : { authorization: `Bearer ${key}` }),
          ...(beta ? { 'openai-beta': 'assistants=v2' } : {}),
          ...(headers as Record<string, string> | undefined),
        },
      });
    },
    async close() {
      await worker?.stop();
      await app.stop(1000);
      await deps.close();
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
        await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(`${schema}_boss`)} CASCADE`);
      } finally {
        await admin.end();
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
