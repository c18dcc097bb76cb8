/**
 * Overhead of tracing and metrics on the run engine (issue #16): the load of `bench:runs`
 * (50 clients, createAndRunPoll, zero-latency fake upstream, server and worker in one process)
 * with observability off and on, in alternating rounds of one process so drift hits both alike.
 *
 *   npm run bench:observability
 *
 * Off: no OTLP endpoint (the OpenTelemetry API is a no-op) and nobody scrapes. On: every span
 * exported over OTLP/HTTP to a receiver in this process, and /metrics scraped every second.
 * The metric instruments themselves record in both (they have no switch): their cost is in the
 * baseline. Target: throughput on >= 95% of off. Exit 0: met; 1: missed; 2: the bench failed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { startTracing } from '../src/observability/tracing.js';
import { scriptReplies, throughput } from './phases.js';
import { startBenchApp } from './setup.js';
import { ms, table } from './stats.js';

const LIMITS = { rounds: 3, runsPerRound: 600, roundMs: 20_000, processLimitMs: 400_000 };
const METRICS_TOKEN = 'bench-metrics-token-0123456789';
const TARGET_RATIO = 0.95;

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
  try {
    const assistant = await bench.openai.beta.assistants.create({ model: 'bench-model' });
    const load = { clients: 50, pollIntervalMs: 20, deadlineMs: LIMITS.roundMs };
    const round = async () => {
      scriptReplies(bench, LIMITS.runsPerRound);
      const result = await throughput(bench, assistant.id, { ...load, count: LIMITS.runsPerRound });
      if (result.errors.length > 0 || result.completed !== result.attempted) {
        throw new Error(`bench: a round failed: ${result.errors[0] ?? 'runs missing'}`);
      }
      return result.completed / (result.elapsedMs / 1000);
    };
    await round(); // warm-up: JIT, pools, queues

    const off: number[] = [];
    const on: number[] = [];
    const metricsUrl = `${bench.openai.baseURL.replace(/\/v1$/, '')}/metrics`;
    for (let i = 0; i < LIMITS.rounds; i += 1) {
      off.push(await round());
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
        on.push(await round());
      } finally {
        clearInterval(scraper);
        await stopTracing();
      }
    }
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const ratio = mean(on) / mean(off);
    const ok = ratio >= TARGET_RATIO && sink.spans() > 0;
    process.stdout.write(
      [
        'Observability overhead: bench:runs load (50 clients, createAndRunPoll), off vs on',
        `node ${process.version}, ${cpus().length} CPUs, ${bench.database}`,
        '',
        table([
          ['runs/s', ...off.map((_, i) => `round ${i + 1}`), 'mean'],
          ['off (no tracing, no scrape)', ...off.map((v) => ms(v)), ms(mean(off))],
          ['on (OTLP export, scrape 1/s)', ...on.map((v) => ms(v)), ms(mean(on))],
        ]),
        '',
        `spans exported while on: ${sink.spans()}`,
        `${ok ? 'PASS' : 'FAIL'}  throughput with observability on is ${ms(ratio * 100)}% of off` +
          ` (>= ${TARGET_RATIO * 100}%)`,
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
