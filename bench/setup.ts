import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import { type App, buildApp } from '../src/app.js';
import { quoteIdent } from '../src/db/database-url.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { createDeps, type Deps } from '../src/deps.js';
import { parseEnv } from '../src/env.js';
import { randomBase62 } from '../src/ids.js';
import { createLogger } from '../src/logger.js';
import { bootstrapApiKeys } from '../src/services/auth/projects.js';
import { startWorker, type Worker } from '../src/worker.js';
import { type FakeUpstream, startFakeUpstream } from '../test/setup/fake-upstream.js';

/** Settings a bench run may override from its environment, to compare configurations. */
const TUNABLES = [
  'WORKER_CONCURRENCY',
  'RUN_HEARTBEAT_MS',
  'STREAM_FLUSH_MS',
  'LOG_LEVEL',
] as const;

export interface BenchApp {
  deps: Deps;
  app: App;
  worker: Worker;
  upstream: FakeUpstream;
  openai: OpenAI;
  /** PostgreSQL server URL (no `schema` parameter), for the bench's own connections. */
  serverUrl: string;
  /** The schema the app's tables live in. */
  schema: string;
  /** Where PostgreSQL comes from, for the report. */
  database: string;
  /** The tunables in effect (environment overrides), for the report. */
  settings: Record<string, string>;
  /**
   * CPU time used so far by the embedded PostgreSQL (server and every backend, live or ended),
   * in ms; null with DATABASE_URL, whose server is shared with whatever else runs there.
   */
  postgresCpuMs(): Promise<number | null>;
  /** Statements this process has sent to PostgreSQL so far (every pg client). */
  statements(): number;
  /** The same, of pg-boss's own pool only (application_name 'pgboss'). */
  bossStatements(): number;
  /**
   * CPU time used so far by the PostgreSQL backends serving this process's connections (read
   * from /proc/<pid>/stat), in ms; null when they are not readable (a server on another host
   * or in a container). Works with DATABASE_URL too, as only this process's backends count.
   */
  backendCpuMs(): Promise<number | null>;
  close(): Promise<void>;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

let statementsSent = 0;
let bossStatementsSent = 0;
/** Backend pid → its CPU ms when last seen ended (kept so a closed connection still counts). */
const backends = new Map<number, number>();
/**
 * Counts every statement this process sends to PostgreSQL (Prisma, pg-boss, LISTEN: they all
 * go through `pg.Client#query`). Bench-only instrumentation, installed once, before any client
 * connects; it changes nothing else about the call.
 */
function countStatements(): void {
  const query = pg.Client.prototype.query;
  if ((query as { counted?: boolean }).counted) {
    return;
  }
  const counted = function (this: pg.Client, ...args: unknown[]) {
    statementsSent += 1;
    const client = this as pg.Client & {
      processID?: number | null;
      connectionParameters?: { application_name?: string };
    };
    if (client.connectionParameters?.application_name === 'pgboss') {
      bossStatementsSent += 1;
    }
    if (typeof client.processID === 'number' && !backends.has(client.processID)) {
      backends.set(client.processID, 0);
    }
    return Reflect.apply(query, this, args);
  };
  Object.assign(counted, { counted: true });
  pg.Client.prototype.query = counted as typeof query;
}

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, …]. */
async function procStat(pid: number): Promise<string[] | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU of a process, its reaped children and its live children (Linux /proc), in ms. */
async function processTreeCpuMs(rootPid: number): Promise<number | null> {
  const root = await procStat(rootPid);
  if (!root) {
    return null;
  }
  // utime, stime, cutime, cstime are fields 14-17 of stat; index 0 here is field 3.
  let ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(root[index] ?? 0), 0);
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === rootPid) {
      continue;
    }
    const stat = await procStat(pid);
    if (stat && Number(stat[1]) === rootPid) {
      ticks += Number(stat[11] ?? 0) + Number(stat[12] ?? 0);
    }
  }
  return ticks * TICK_MS;
}

/** CPU of every backend this process has used (the last reading of those that ended), in ms. */
async function backendsCpuMs(): Promise<number | null> {
  let total = 0;
  let readable = 0;
  for (const [pid, last] of backends) {
    const stat = await procStat(pid);
    // An ended backend keeps its last reading (its pid may be reused: then it reads lower).
    if (stat) {
      const ticks = Number(stat[11] ?? 0) + Number(stat[12] ?? 0);
      const cpu = ticks * TICK_MS;
      if (cpu >= last) {
        backends.set(pid, cpu);
        readable += 1;
      }
    }
    total += backends.get(pid) ?? 0;
  }
  return readable > 0 || backends.size === 0 ? total : null;
}

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/**
 * The real app and an in-process worker over real PostgreSQL (DATABASE_URL if it points at this
 * machine, else a fresh embedded one), against a zero-latency fake upstream. Everything listens
 * on and talks to 127.0.0.1 only.
 */
export async function startBenchApp(
  options: {
    /** Settings of this bench's own (e.g. EMBEDDING_MODEL), over the defaults and tunables. */
    env?: Record<string, string>;
    /** Vector size of the fake upstream's embeddings (Default: 256). */
    embeddingDimensions?: number;
  } = {},
): Promise<BenchApp> {
  countStatements();
  let embedded: EmbeddedDatabase | undefined;
  let dataDir: string | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const url = new URL(serverUrl);
    if (!isLoopback(url.hostname)) {
      throw new Error(`bench: DATABASE_URL must point at this machine, not ${url.hostname}`);
    }
    url.searchParams.delete('schema');
    serverUrl = url.toString();
  } else {
    dataDir = await mkdtemp(path.join(tmpdir(), 'assistants-bench-'));
    embedded = await startEmbeddedPostgres(dataDir);
    serverUrl = embedded.url;
  }
  const schema = `bench_${randomBase62(8).toLowerCase()}`;
  const databaseUrl = new URL(serverUrl);
  databaseUrl.searchParams.set('schema', schema);

  const upstream = await startFakeUpstream({ embeddingDimensions: options.embeddingDimensions });
  const settings: Record<string, string> = {};
  for (const name of TUNABLES) {
    const value = process.env[name];
    if (value !== undefined) {
      settings[name] = value;
    }
  }
  const env = parseEnv({
    DATABASE_URL: databaseUrl.toString(),
    LOG_LEVEL: 'silent',
    LLM_BASE_URL: upstream.url,
    LLM_API_KEY: 'bench-upstream-key',
    // A failed upstream call must show up as an error, never be hidden by a retry.
    LLM_MAX_RETRIES: '0',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...settings,
    ...options.env,
  });
  const logger = createLogger(env.LOG_LEVEL);
  const deps = await createDeps(env, logger);
  const apiKey = `sk-bench-${randomBase62(32)}`;
  await bootstrapApiKeys(deps.db, [apiKey], logger);
  const app = buildApp(deps);
  const port = await app.start(0, '127.0.0.1');
  const worker = await startWorker(deps);
  const openai = new OpenAI({
    apiKey,
    baseURL: `http://127.0.0.1:${port}/v1`,
    maxRetries: 0,
    timeout: 30_000,
  });

  const postmasterPid = dataDir
    ? Number(
        (await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
      )
    : null;

  return {
    deps,
    app,
    postgresCpuMs: () => (postmasterPid ? processTreeCpuMs(postmasterPid) : Promise.resolve(null)),
    statements: () => statementsSent,
    bossStatements: () => bossStatementsSent,
    backendCpuMs: backendsCpuMs,
    worker,
    upstream,
    openai,
    serverUrl,
    schema,
    database: embedded ? 'embedded PostgreSQL (fresh data dir)' : 'DATABASE_URL (127.0.0.1)',
    settings: {
      WORKER_CONCURRENCY: String(env.WORKER_CONCURRENCY),
      RUN_HEARTBEAT_MS: String(env.RUN_HEARTBEAT_MS),
      STREAM_FLUSH_MS: String(env.STREAM_FLUSH_MS),
    },
    async close() {
      await worker.stop();
      await app.stop(1000);
      await deps.close();
      await upstream.close();
      if (embedded) {
        await embedded.stop();
        if (dataDir) {
          await rm(dataDir, { recursive: true, force: true });
        }
        return;
      }
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
        await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(`${schema}_boss`)} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
