import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { quoteIdent } from '../../src/db/database-url.js';
import { randomBase62 } from '../../src/ids.js';

const root = path.resolve(import.meta.dirname, '../..');

export interface Running {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

/** A schema of its own on the test PostgreSQL, for processes started by one test file. */
export function processDatabase(): { url: string; drop(): Promise<void> } {
  const schema = `test_proc_${randomBase62(8).toLowerCase()}`;
  const url = new URL(inject('databaseUrl'));
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    async drop() {
      const admin = new pg.Client({ connectionString: inject('databaseUrl') });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(`${schema}_boss`)} CASCADE`);
      await admin.end();
    },
  };
}

/** Runs `src/<entry>` with tsx in its own process. */
export function runProcess(entry: string, args: string[], env: Record<string, string>): Running {
  return spawnNode(['--import', 'tsx', path.join('src', entry), ...args], env);
}

/**
 * Runs the compiled `dist/src/<entry>` (`npm run build`; see `ensureBuilt`) with plain node, as
 * `npm run start:prod` does: no tsx, no generate.
 */
export function runBuiltProcess(
  entry: string,
  args: string[],
  env: Record<string, string>,
): Running {
  return spawnNode([path.join('dist', 'src', entry.replace(/\.ts$/, '.js')), ...args], env);
}

/** Builds dist/ unless it is up to date with the sources (`npm run build -- --if-stale`). */
export async function ensureBuilt(): Promise<void> {
  const build = spawnNode([path.join('scripts', 'build.mjs'), '--if-stale'], {});
  const code = await build.exit;
  if (code !== 0) {
    throw new Error(`the build failed\n${tailOf(build, 'build')}`);
  }
}

function spawnNode(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running: Running = {
    child,
    stdout: [],
    stderr: [],
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => running.stdout.push(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => running.stderr.push(chunk));
  return running;
}

/** The last lines a process wrote to stdout and stderr, for a failure message. */
export function tailOf(running: Running, label: string, lines = 15): string {
  const tail = (chunks: string[]) => chunks.join('').trimEnd().split('\n').slice(-lines).join('\n');
  return `--- ${label} stdout (last ${String(lines)} lines)\n${tail(running.stdout)}\n--- ${label} stderr\n${tail(running.stderr)}`;
}

/**
 * Awaits one phase of a multi-process test with its own deadline, so a hang fails naming the
 * phase and showing what each process last logged, instead of a bare test timeout.
 */
export async function phase<T>(
  name: string,
  timeoutMs: number,
  work: Promise<T>,
  processes: Record<string, Running>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const logs = Object.entries(processes).map(([label, running]) => tailOf(running, label));
      reject(new Error(`${name}: not done after ${String(timeoutMs)} ms\n${logs.join('\n')}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves with the first JSON log line matching `predicate`; rejects if the process exits. */
export async function waitForLog(
  running: Running,
  predicate: (line: Record<string, unknown>) => boolean,
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of running.stdout.join('').split('\n')) {
      if (line.startsWith('{')) {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (predicate(parsed)) {
          return parsed;
        }
      }
    }
    if (running.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`process ended or timed out\n${tailOf(running, 'process')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
