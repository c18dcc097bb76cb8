/**
 * Fuzz bench: hostile requests (bench/fuzz-cases.ts) against a server in its own process, as
 * production runs it; reports the answers by status, the 5xx count and the server's RSS (before,
 * peak, and three seconds after). Bounded: FUZZ_REQUESTS requests (Default: 2,000), FUZZ_CONCURRENCY
 * at a time (Default: 16), seed FUZZ_SEED (Default: 1).
 *
 *   DATABASE_URL=postgresql://… npm run bench:fuzz
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { quoteIdent } from '../src/db/database-url.js';
import { freePort } from '../src/db/embedded-postgres.js';
import { randomBase62 } from '../src/ids.js';
import { FUZZ_CASES, type FuzzRequest } from './fuzz-cases.js';
import { seededRandom } from './stats.js';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 16);
const SEED = Number(process.env.FUZZ_SEED ?? 1);
/** Only the cases whose name contains this (to find what one kind of request costs). */
const ONLY = process.env.FUZZ_ONLY ?? '';
const root = path.resolve(import.meta.dirname, '..');

/** The process's resident set size now and at its highest, in MB (Linux /proc). */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function send(base: URL, request: FuzzRequest): Promise<string> {
  if (request.kind === 'raw') {
    return new Promise((resolve) => {
      const socket = connect(Number(base.port), base.hostname);
      let head = '';
      socket.setTimeout(30_000, () => socket.destroy());
      socket.on('data', (chunk) => {
        head += chunk.toString('latin1');
      });
      socket.on('close', () => resolve(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 'no answer'));
      socket.on('error', () => undefined);
      socket.end(request.bytes);
    });
  }
  try {
    const response = await fetch(new URL(request.path, base), {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: AbortSignal.timeout(60_000),
    });
    await response.arrayBuffer();
    return String(response.status);
  } catch (error) {
    return `error: ${error instanceof Error ? error.name : 'unknown'}`;
  }
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    throw new Error('bench:fuzz needs DATABASE_URL (a PostgreSQL it may create a schema in)');
  }
  const schema = `bench_fuzz_${randomBase62(8).toLowerCase()}`;
  const url = new URL(databaseUrl);
  url.searchParams.set('schema', schema);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'bench-fuzz-'));
  const port = await freePort();
  const key = `sk-fuzz-${randomBase62(32)}`;
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--role=server'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DATABASE_URL: url.toString(),
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      API_KEYS: key,
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const pid = server.pid ?? 0;
  const base = new URL(`http://127.0.0.1:${port}`);
  try {
    const started = Date.now();
    for (;;) {
      const up = await fetch(new URL('/healthz', base)).then(
        (response) => response.ok,
        () => false,
      );
      if (up) {
        break;
      }
      if (Date.now() - started > 60_000) {
        throw new Error('the server did not answer /healthz within 60 s');
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Warm up (schema, GraphiQL-free paths), then measure from a settled baseline.
    await send(base, {
      kind: 'http',
      method: 'GET',
      path: '/v1/assistants',
      headers: { authorization: `Bearer ${key}` },
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = await memoryOf(pid);

    let peakRss = before.rss;
    const sampler = setInterval(() => {
      memoryOf(pid).then(
        (memory) => {
          peakRss = Math.max(peakRss, memory.rss);
        },
        () => undefined,
      );
    }, 50);
    const random = seededRandom(SEED);
    const cases = FUZZ_CASES.filter((fuzzCase) => fuzzCase.name.includes(ONLY));
    const plan = Array.from({ length: REQUESTS }, () => {
      const fuzzCase = cases[Math.floor(random() * cases.length)] ?? cases[0];
      if (!fuzzCase) {
        throw new Error('no fuzz cases');
      }
      return fuzzCase;
    });
    const byStatus = new Map<string, number>();
    const serverErrors = new Map<string, number>();
    let next = 0;
    const fuzzStarted = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let index = next++; index < plan.length; index = next++) {
          const fuzzCase = plan[index];
          if (!fuzzCase) {
            continue;
          }
          const status = await send(base, fuzzCase.build(random, key));
          byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
          if (status.startsWith('5') || status.startsWith('error') || status === 'no answer') {
            serverErrors.set(fuzzCase.name, (serverErrors.get(fuzzCase.name) ?? 0) + 1);
          }
        }
      }),
    );
    const seconds = (performance.now() - fuzzStarted) / 1000;
    clearInterval(sampler);
    const end = await memoryOf(pid);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const after = await memoryOf(pid);
    const healthz = await send(base, {
      kind: 'http',
      method: 'GET',
      path: '/healthz',
      headers: {},
    });

    console.log(
      `\nfuzz bench: ${REQUESTS} requests, ${CONCURRENCY} at a time, seed ${SEED}, ${cases.length} cases, ${seconds.toFixed(1)} s\n`,
    );
    console.log('| status | requests |');
    console.log('| ------ | -------- |');
    for (const [status, count] of [...byStatus].sort()) {
      console.log(`| ${status} | ${count} |`);
    }
    const failures = [...serverErrors.values()].reduce((sum, count) => sum + count, 0);
    console.log(`\n5xx or no answer: ${failures}`);
    for (const [name, count] of serverErrors) {
      console.log(`  ${count} × ${name}`);
    }
    console.log('\n| server RSS | MB |');
    console.log('| ---------- | -- |');
    console.log(`| before | ${before.rss.toFixed(0)} |`);
    console.log(`| peak (sampled every 50 ms) | ${Math.max(peakRss, end.rss).toFixed(0)} |`);
    console.log(`| peak (kernel high-water mark) | ${end.peak.toFixed(0)} |`);
    console.log(`| at the end | ${end.rss.toFixed(0)} |`);
    console.log(`| 3 s later | ${after.rss.toFixed(0)} |`);
    console.log(`\n/healthz after the fuzz: ${healthz}`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(`${schema}_boss`)} CASCADE`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
