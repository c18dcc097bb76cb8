/**
 * Overhead of tracing and metrics on the run engine (issue #16): the load of `bench:runs`
 * (50 clients, createAndRunPoll, zero-latency fake upstream, server and worker in one process)
 * with observability off and on, in alternating rounds so drift hits both alike.
 *
 *   npm run bench:observability
 *
 * Off: no OTLP endpoint (the OpenTelemetry API is a no-op) and nobody scrapes. On: every span
 * exported over OTLP/HTTP to a receiver in this process, and /metrics scraped every second.
 * The metric instruments themselves record in both (they have no switch): their cost is in the
 * baseline. The clients run in a process of their own: tracing's context manager hooks every
 * promise of the process it is on, and clients sharing the server's process would pay for it
 * too, which no real client does.
 *
 * Two figures per round: throughput, and CPU per run of the server's process plus PostgreSQL.
 * Throughput is the target; the CPU ratio says how much of a throughput gap is tracing's own
 * work and how much the machine's noise (a busy machine moves throughput between rounds far
 * more than it moves CPU per run). Target: throughput on >= 95% of off, as the median of the
 * rounds' pairwise ratios. Exit 0: met; 1: missed; 2: the bench failed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { startTracing } from '../src/observability/tracing.js';
import { type RemoteThroughputResult, startClientProcess } from './client-process.js';
import { scriptReplies } from './phases.js';
import { startBenchApp } from './setup.js';
import { ms, quantile, table } from './stats.js';

const LIMITS = {
  pairs: Number(process.env.BENCH_PAIRS ?? 5),
  runsPerRound: Number(process.env.BENCH_RUNS ?? 400),
  roundMs: 20_000,
  processLimitMs: 600_000,
};
const METRICS_TOKEN = 'bench-metrics-token-0123456789';
const TARGET_RATIO = 0.95;

interface Round {
  runsPerSecond: number;
  /** CPU of the server's process plus PostgreSQL's (when embedded), ms per run. */
  cpuPerRun: number;
}

async function startSink(): Promise<{ url: string; spans: () => number; close(): Promise<void> }> {
  let spans = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // Counted, not kept: the receiver should cost the process as little as a remote one.
      spans += (
        Buffer.concat(chunks)
          .toString('utf8')
          .match(/"spanId"/g) ?? []
      ).length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans: () => spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function main(): Promise<number> {
  const limit = setTimeout(() => {
    process.stderr.write(`bench: hard limit of ${LIMITS.processLimitMs} ms reached\n`);
    process.exit(2);
  }, LIMITS.processLimitMs);
  limit.unref();
  const sink = await startSink();
  const bench = await startBenchApp({ env: { METRICS_TOKEN } });
  const [loadBefore = 0] = loadavg();
  try {
    const assistant = await bench.openai.beta.assistants.create({ model: 'bench-model' });
    const clients = await startClientProcess(bench, assistant.id);
    const load = { clients: 50, pollIntervalMs: 20, deadlineMs: LIMITS.roundMs };
    const round = async (): Promise<Round> => {
      scriptReplies(bench, LIMITS.runsPerRound);
      const result: RemoteThroughputResult = await clients.throughput({
        ...load,
        count: LIMITS.runsPerRound,
      });
      if (result.errors.length > 0 || result.completed !== result.attempted) {
        throw new Error(`bench: a round failed: ${result.errors[0] ?? 'runs missing'}`);
      }
      const cpuMs = result.cpu.processMs + (result.cpu.postgresMs ?? 0);
      return {
        runsPerSecond: result.completed / (result.elapsedMs / 1000),
        cpuPerRun: cpuMs / result.completed,
      };
    };
    const off: Round[] = [];
    const on: Round[] = [];
    const metricsUrl = `${bench.openai.baseURL.replace(/\/v1$/, '')}/metrics`;
    const traced = async (): Promise<Round> => {
      const stopTracing = startTracing({
        endpoint: sink.url,
        recordContent: false,
        serviceName: 'assistants',
      });
      const scraper = setInterval(() => {
        void fetch(metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }).then(
          (response) => response.text(),
        );
      }, 1000);
      try {
        return await round();
      } finally {
        clearInterval(scraper);
        await stopTracing();
      }
    };
    try {
      await round(); // warm-up: JIT, pools, queues, the clients' sockets
      await traced(); // and the tracing SDK's own first use
      for (let i = 0; i < LIMITS.pairs; i += 1) {
        // Alternating which goes first, so a trend across the bench favours neither.
        if (i % 2 === 0) {
          off.push(await round());
          on.push(await traced());
        } else {
          on.push(await traced());
          off.push(await round());
        }
      }
    } finally {
      await clients.close();
    }
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const pairs = off.map((o, i) => ({ off: o, on: on[i] as Round }));
    const throughputRatio = quantile(
      pairs.map((p) => p.on.runsPerSecond / p.off.runsPerSecond),
      0.5,
    );
    const cpuRatio = mean(off.map((r) => r.cpuPerRun)) / mean(on.map((r) => r.cpuPerRun));
    const ok = throughputRatio >= TARGET_RATIO && sink.spans() > 0;
    const rounds = off.map((_, i) => `pair ${i + 1}`);
    process.stdout.write(
      [
        'Observability overhead: bench:runs load (50 clients in their own process), off vs on',
        `node ${process.version}, ${cpus().length} CPUs, ${bench.database};` +
          ` load average ${loadBefore.toFixed(1)} before, ${(loadavg()[0] ?? 0).toFixed(1)} after`,
        '',
        table([
          ['runs/s', ...rounds, 'mean'],
          [
            'off (no tracing, no scrape)',
            ...off.map((r) => ms(r.runsPerSecond)),
            ms(mean(off.map((r) => r.runsPerSecond))),
          ],
          [
            'on (OTLP export, scrape 1/s)',
            ...on.map((r) => ms(r.runsPerSecond)),
            ms(mean(on.map((r) => r.runsPerSecond))),
          ],
        ]),
        '',
        table([
          ['CPU ms per run (server + PostgreSQL)', ...rounds, 'mean'],
          ['off', ...off.map((r) => ms(r.cpuPerRun)), ms(mean(off.map((r) => r.cpuPerRun)))],
          ['on', ...on.map((r) => ms(r.cpuPerRun)), ms(mean(on.map((r) => r.cpuPerRun)))],
        ]),
        '',
        `spans exported while on: ${sink.spans()}`,
        `CPU per run off / on: ${ms(cpuRatio * 100)}% (the throughput tracing's own work leaves)`,
        `${ok ? 'PASS' : 'FAIL'}  throughput with observability on is ${ms(throughputRatio * 100)}% of off` +
          ` (median of ${pairs.length} pairs; >= ${TARGET_RATIO * 100}%)`,
        '',
      ].join('\n'),
    );
    return ok ? 0 : 1;
  } finally {
    await bench.close();
    await sink.close();
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
