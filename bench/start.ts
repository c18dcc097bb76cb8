/**
 * Start-up benchmark (issue #16): time from spawning `npm start` / `npm run start:prod` to the
 * first `/healthz` 200, on a fresh data directory (cold: initdb, every migration, pg-boss's
 * schema) and again on the same one (warm: what a restart costs), embedded PostgreSQL both.
 * Prints a table and a verdict: warm starts reach /healthz within 3 s.
 *
 *   npm run build && npm run bench:start
 *
 * `npm start` rebuilds first when the sources changed; the build is brought up to date before
 * measuring, so both commands start from the same dist/. Bounded: a deadline per start and a
 * hard limit for the process. Exit 0: target met; 1: missed; 2: the bench failed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { ms, summarize, table } from './stats.js';

const root = path.resolve(import.meta.dirname, '..');
const LIMITS = { repetitions: 3, startDeadlineMs: 60_000, processLimitMs: 600_000 };
const TARGET_WARM_MS = 3000;

const COMMANDS = [
  { label: 'npm start', args: ['start'] },
  { label: 'npm run start:prod', args: ['run', 'start:prod'] },
] as const;

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('port')),
      );
    });
  });
}

async function healthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops the whole process group and waits until every member is gone: npm does not pass
 * SIGTERM on to the node process it runs, and a server still stopping would hold the data
 * directory (PostgreSQL's lock) for the next start.
 */
async function stop(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || !groupAlive(pid)) {
    return;
  }
  process.kill(-pid, 'SIGTERM');
  const deadline = performance.now() + LIMITS.startDeadlineMs;
  while (groupAlive(pid)) {
    if (performance.now() > deadline) {
      process.kill(-pid, 'SIGKILL');
      throw new Error('bench: the server did not stop after SIGTERM');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Spawns the command on `dataDir` and resolves with the ms until /healthz answers 200. */
async function timeStart(args: readonly string[], dataDir: string): Promise<number> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    API_KEYS: 'sk-bench-start-0123456789abcdef',
  };
  const started = performance.now();
  const child = spawn('npm', [...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  try {
    for (;;) {
      if (await healthy(port)) {
        return performance.now() - started;
      }
      if (child.exitCode !== null || performance.now() - started > LIMITS.startDeadlineMs) {
        throw new Error(`bench: ${args.join(' ')} did not become healthy\n${stderr.join('')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await stop(child);
  }
}

async function main(): Promise<number> {
  const limit = setTimeout(() => {
    process.stderr.write(`bench: hard limit of ${LIMITS.processLimitMs} ms reached\n`);
    process.exit(2);
  }, LIMITS.processLimitMs);
  limit.unref();

  // Bring dist/ up to date first: the first `npm start` after a change builds, which is not a
  // start-up time.
  const build = spawn('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const built = await new Promise<number | null>((resolve) => build.once('exit', resolve));
  if (built !== 0) {
    throw new Error('bench: npm run build failed');
  }

  const rows: string[][] = [['ms', 'n', 'p50', 'p90', 'max', 'target']];
  const warmByCommand: { label: string; p50: number }[] = [];
  for (const command of COMMANDS) {
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < LIMITS.repetitions; i += 1) {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'assistants-start-'));
      try {
        cold.push(await timeStart(command.args, dataDir));
        warm.push(await timeStart(command.args, dataDir));
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    }
    const coldStats = summarize(cold);
    const warmStats = summarize(warm);
    rows.push([`${command.label}: cold (fresh DATA_DIR)`, ...statCells(coldStats), '']);
    rows.push([
      `${command.label}: warm (same DATA_DIR)`,
      ...statCells(warmStats),
      `p50 <= ${TARGET_WARM_MS}`,
    ]);
    warmByCommand.push({ label: command.label, p50: warmStats.p50 });
  }
  const verdicts = warmByCommand.map(
    ({ label, p50 }) =>
      `${p50 <= TARGET_WARM_MS ? 'PASS' : 'FAIL'}  ${label}: warm start to /healthz 200 p50 ` +
      `${ms(p50, 0)} ms <= ${TARGET_WARM_MS} ms`,
  );
  process.stdout.write(
    [
      'Start-up benchmark: spawn -> first /healthz 200, embedded PostgreSQL',
      `node ${process.version}, ${cpus().length} CPUs`,
      '',
      table(rows),
      '',
      ...verdicts,
      '',
    ].join('\n'),
  );
  clearTimeout(limit);
  return warmByCommand.every(({ p50 }) => p50 <= TARGET_WARM_MS) ? 0 : 1;
}

function statCells(s: ReturnType<typeof summarize>): string[] {
  return [String(s.n), ms(s.p50, 0), ms(s.p90, 0), ms(s.max, 0)];
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  },
);
