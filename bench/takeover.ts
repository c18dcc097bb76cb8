/**
 * How fast a run continues after its worker is killed (issue #18, item 2): two worker processes
 * with default settings; each round starts a run whose upstream hangs mid-answer, waits until
 * the partial message is visible, SIGKILLs the worker that owns the run (found through its lease
 * lock in pg_locks and the connection's application_name), and times until another worker has
 * claimed it and until it completed. The killed worker is replaced between rounds, untimed.
 *
 * npm run bench:takeover   (KILLS=20 by default)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { quoteIdent } from '../src/db/database-url.js';
import { startBenchApp } from './setup.js';
import { ms, nowMs, summarize, table } from './stats.js';

const KILLS = Number(process.env.KILLS ?? 20);
const root = path.resolve(import.meta.dirname, '..');

interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<void>;
}

function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--role=worker'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('"msg":"worker started"')) {
        output = '';
        resolve({ child, exited });
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${String(code)}`)));
  });
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`bench: ${what} did not happen within ${String(timeoutMs)} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function main(): Promise<void> {
  const bench = await startBenchApp();
  // Only worker processes execute runs here: the in-process worker claims nothing.
  await bench.worker.stop();
  const databaseUrl = new URL(bench.serverUrl);
  databaseUrl.searchParams.set('schema', bench.schema);
  const workerEnv = {
    DATABASE_URL: databaseUrl.toString(),
    LLM_BASE_URL: bench.upstream.url,
    LLM_MAX_RETRIES: '0',
    // info: 'worker started' says a worker is ready.
    LOG_LEVEL: 'info',
  };
  const admin = new pg.Client({ connectionString: bench.serverUrl });
  await admin.connect();
  const runs = `${quoteIdent(bench.schema)}.runs`;
  const messages = `${quoteIdent(bench.schema)}.messages`;
  const workers = new Map<number, WorkerProcess>();
  const add = async () => {
    const worker = await startWorkerProcess(workerEnv);
    workers.set(worker.child.pid ?? 0, worker);
  };
  await Promise.all([add(), add()]);

  const assistant = await bench.openai.beta.assistants.create({ model: 'gpt-4o' });
  const claimed: number[] = [];
  const completed: number[] = [];
  try {
    for (let round = 0; round < KILLS; round += 1) {
      bench.upstream.script({ text: ['Once ', 'upon '], hang: true }, { text: 'The end.' });
      const run = await bench.openai.beta.threads.createAndRun({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content: 'a story' }] },
      });
      await until('the partial message', async () => {
        const { rows } = await admin.query(
          `SELECT 1 FROM ${messages} WHERE run_id = $1 AND content::text LIKE '%upon%'`,
          [run.id],
        );
        return rows.length > 0 ? true : null;
      });
      const owner = await until('the lease lock', async () => {
        const { rows } = await admin.query<{ lease: string; application: string }>(
          `SELECT r.lease_id AS lease, a.application_name AS application
             FROM ${runs} r, pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE r.id = $1 AND l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
              AND l.classid = (('x' || substr(md5(r.lease_id), 1, 7))::bit(28)::int)::oid
              AND l.objid = (('x' || substr(md5(r.lease_id), 8, 7))::bit(28)::int)::oid`,
          [run.id],
        );
        return rows[0] ?? null;
      });
      const pid = Number(/pid=(\d+)/.exec(owner.application)?.[1]);
      const victim = workers.get(pid);
      if (!victim) {
        throw new Error(`bench: the run's owner (${owner.application}) is not one of ours`);
      }
      const killedAt = nowMs();
      victim.child.kill('SIGKILL');
      workers.delete(pid);
      await until('the takeover', async () => {
        const { rows } = await admin.query<{ lease: string | null }>(
          `SELECT lease_id AS lease FROM ${runs} WHERE id = $1`,
          [run.id],
        );
        return rows[0] && rows[0].lease !== owner.lease ? true : null;
      });
      claimed.push(nowMs() - killedAt);
      await until('the completion', async () => {
        const { rows } = await admin.query<{ status: string }>(
          `SELECT status FROM ${runs} WHERE id = $1`,
          [run.id],
        );
        return rows[0]?.status === 'completed' ? true : null;
      });
      completed.push(nowMs() - killedAt);
      await victim.exited;
      await add();
      process.stdout.write('.');
    }
  } finally {
    process.stdout.write('\n');
    for (const worker of workers.values()) {
      worker.child.kill('SIGKILL');
    }
    await Promise.all([...workers.values()].map((worker) => worker.exited));
    await admin.end();
    await bench.close();
  }

  const rows = [['measure (ms)', 'n', 'p50', 'p90', 'max']];
  for (const [label, values] of [
    ['SIGKILL → run claimed by another worker', claimed],
    ['SIGKILL → run completed', completed],
  ] as const) {
    const summary = summarize(values);
    rows.push([label, String(summary.n), ms(summary.p50), ms(summary.p90), ms(summary.max)]);
  }
  process.stdout.write(
    `takeover after a worker is killed, 2 worker processes, default settings (${bench.database})\n`,
  );
  process.stdout.write(`${table(rows)}\n`);
  process.stdout.write(
    'before (heartbeat only): RUN_STALE_AFTER_MS (15 s) + up to RUN_SWEEP_INTERVAL_MS (5 s)\n',
  );
}

await main();
