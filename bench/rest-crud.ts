/**
 * REST CRUD benchmark: assistants created, retrieved, updated, listed and deleted through the
 * official SDK against the server in this process, one client at a time and with concurrent
 * clients; prints a table of round trips per operation and ops/s.
 *
 *   npm run bench:rest-crud
 *
 * A fixed number of cycles, so timing the whole process compares two trees as well as the
 * printed ops/s do (run both in turn, several times, and compare the pairs: one run alone says
 * little on a noisy machine). Bounded: a hard time limit for the process. Talks to 127.0.0.1
 * only. Exit code 0: done; 1: a request failed; 2: the bench itself failed. From the
 * environment: DATABASE_URL (local only; default: a fresh embedded PostgreSQL),
 * BENCH_CRUD_CYCLES (Default: 300), BENCH_CLIENTS (Default: 10).
 */
import { cpus } from 'node:os';
import { crudLine, crudRows, restCrud } from './crud.js';
import { startBenchApp } from './setup.js';
import { table } from './stats.js';

function intFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const LIMITS = {
  warmupCycles: 100,
  cycles: intFromEnv('BENCH_CRUD_CYCLES', 300),
  clients: intFromEnv('BENCH_CLIENTS', 10),
  processLimitMs: 120_000,
};

async function main(): Promise<number> {
  const limit = setTimeout(() => {
    process.stderr.write(`bench: hard limit of ${LIMITS.processLimitMs} ms reached\n`);
    process.exit(2);
  }, LIMITS.processLimitMs);
  limit.unref();

  const bench = await startBenchApp();
  try {
    // Warm-up (JIT, connection pools, prepared statements, the key cache): not measured.
    const warm = await restCrud(bench, { clients: LIMITS.clients, cycles: LIMITS.warmupCycles });
    if (warm.errors.length > 0) {
      throw new Error(`bench: warm-up failed: ${warm.errors[0]}`);
    }
    const one = await restCrud(bench, { clients: 1, cycles: LIMITS.cycles });
    const many = await restCrud(bench, { clients: LIMITS.clients, cycles: LIMITS.cycles });
    const out = [
      'REST CRUD benchmark: assistants through the official SDK, server in this process',
      `node ${process.version}, ${cpus().length} CPUs, ${bench.database}`,
      '',
      table([
        ['ms', 'n', 'p50', 'p99'],
        ...crudRows(one, '1 client'),
        ...crudRows(many, `${LIMITS.clients} clients`),
      ]),
      '',
      crudLine(one, '1 client'),
      crudLine(many, `${LIMITS.clients} clients`),
      ...[...one.errors, ...many.errors].slice(0, 5).map((error) => `  error: ${error}`),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    return one.errors.length + many.errors.length === 0 ? 0 : 1;
  } finally {
    await bench.close();
    clearTimeout(limit);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  },
);
