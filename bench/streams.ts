// Streaming benchmark (issue #5): latency from the fake upstream writing a token to the client
// receiving it through REST `stream: true`, with server and worker in one process and in two;
// then 500 concurrent streaming runs: errors, event lag, server memory per open stream.
// Usage: npm run bench:streams   (bounded in count and time; talks only to 127.0.0.1)
import { runProcess, waitForLog } from '../test/setup/processes.js';
import { type BenchApp, startBenchApp } from './setup.js';
import { ms, summarize, table } from './stats.js';

const TOKENS = 20;
const GAP_MS = 20;
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 25);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 500);
const CONCURRENT_TOKENS = 10;
/** A stream not finished by then counts as an error; the whole bench stops by itself. */
const STREAM_DEADLINE_MS = 60_000;
const BENCH_DEADLINE_MS = 240_000;

interface StreamResult {
  latencies: number[];
  error: string | null;
}

/** When the fake upstream wrote each token (`s<script>t<index>`), whichever run it went to. */
const emittedAt = new Map<string, number>();
let scripts = 0;

/**
 * One streamed run; each token's latency is its receipt time minus the upstream's write time.
 * The fake upstream hands scripted replies out in request order, so with many runs in flight a
 * run may get another run's reply: tokens are named after their script, and the run must receive
 * every token of exactly one script, in order.
 */
async function streamOne(
  bench: BenchApp,
  assistantId: string,
  tokens: number,
): Promise<StreamResult> {
  const thread = await bench.openai.beta.threads.create({
    messages: [{ role: 'user', content: 'stream please' }],
  });
  const script = scripts;
  scripts += 1;
  const received: { token: string; at: number }[] = [];
  bench.upstream.script({
    text: Array.from({ length: tokens }, (_, index) => `s${script}t${index} `),
    delayMsBetweenChunks: GAP_MS,
    usage: { prompt_tokens: 3, completion_tokens: tokens },
    onPiece: (index, atMs) => {
      emittedAt.set(`s${script}t${index}`, atMs);
    },
  });
  const stream = bench.openai.beta.threads.runs.stream(thread.id, { assistant_id: assistantId });
  const deadline = setTimeout(() => stream.abort(), STREAM_DEADLINE_MS);
  try {
    stream.on('textDelta', (delta) => {
      const at = performance.now();
      for (const match of (delta.value ?? '').matchAll(/(s\d+t\d+) /g)) {
        received.push({ token: match[1] ?? '', at });
      }
    });
    const run = await stream.finalRun();
    if (run.status !== 'completed') {
      return { latencies: [], error: `run ${run.status}` };
    }
  } catch (error) {
    return { latencies: [], error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(deadline);
  }
  const from = received[0]?.token.replace(/t\d+$/, '') ?? '';
  const expected = Array.from({ length: tokens }, (_, index) => `${from}t${index}`);
  const got = received.map(({ token }) => token);
  if (got.join(' ') !== expected.join(' ')) {
    return { latencies: [], error: `tokens received ${got.join(' ') || '(none)'}` };
  }
  return {
    latencies: received.map(({ token, at }) => at - (emittedAt.get(token) ?? Number.NaN)),
    error: null,
  };
}

async function sequentialLatency(bench: BenchApp, assistantId: string) {
  const all: number[] = [];
  let errors = 0;
  for (let run = 0; run < LATENCY_RUNS; run += 1) {
    const result = await streamOne(bench, assistantId, TOKENS);
    all.push(...result.latencies);
    errors += result.error ? 1 : 0;
  }
  return { summary: summarize(all), errors };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  setTimeout(() => {
    console.error(`bench: stopped after ${BENCH_DEADLINE_MS / 1000} s`);
    process.exit(2);
  }, BENCH_DEADLINE_MS).unref();
  process.env.WORKER_CONCURRENCY ??= '100';
  const rows: string[][] = [
    ['scenario', 'samples', 'p50', 'p90', 'p99', 'max', 'errors', 'target'],
  ];

  const bench = await startBenchApp();
  try {
    const assistant = await bench.openai.beta.assistants.create({ model: 'gpt-4o' });
    console.error('warming up');
    console.error(JSON.stringify(await streamOne(bench, assistant.id, 3))); // JIT, connections

    console.error('measuring latency, one process');
    const one = await sequentialLatency(bench, assistant.id);
    rows.push([
      'token → client, 1 process',
      String(one.summary.n),
      `${ms(one.summary.p50)} ms`,
      `${ms(one.summary.p90)} ms`,
      `${ms(one.summary.p99)} ms`,
      `${ms(one.summary.max)} ms`,
      String(one.errors),
      'p50 <= 5 ms',
    ]);

    console.error(`${CONCURRENT} concurrent streams`);
    global.gc?.();
    const before = process.memoryUsage();
    let peak = before.rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const statementsBefore = bench.statements();
    const results = await Promise.all(
      Array.from({ length: CONCURRENT }, () => streamOne(bench, assistant.id, CONCURRENT_TOKENS)),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuPerRun = (cpu.user + cpu.system) / 1000 / CONCURRENT;
    const statementsPerRun = (bench.statements() - statementsBefore) / CONCURRENT;
    clearInterval(sampler);
    const lags = results.flatMap((result) => result.latencies);
    const lag = summarize(lags);
    const errors = results.filter((result) => result.error !== null);
    rows.push([
      `${CONCURRENT} concurrent streams`,
      String(lag.n),
      `${ms(lag.p50)} ms`,
      `${ms(lag.p90)} ms`,
      `${ms(lag.p99)} ms`,
      `${ms(lag.max)} ms`,
      String(errors.length),
      '0 errors',
    ]);
    const perStream = (peak - before.rss) / CONCURRENT;

    // Two processes: the worker runs apart; events reach the server only through PostgreSQL.
    console.error('measuring latency, two processes');
    await bench.worker.stop();
    const databaseUrl = new URL(bench.serverUrl);
    databaseUrl.searchParams.set('schema', bench.schema);
    const worker = runProcess('main.ts', ['--role=worker'], {
      DATABASE_URL: databaseUrl.toString(),
      LLM_BASE_URL: bench.upstream.url,
      LOG_LEVEL: 'info',
    });
    try {
      await waitForLog(worker, (line) => line.msg === 'worker started');
      await streamOne(bench, assistant.id, 3);
      const two = await sequentialLatency(bench, assistant.id);
      rows.push([
        'token → client, 2 processes',
        String(two.summary.n),
        `${ms(two.summary.p50)} ms`,
        `${ms(two.summary.p90)} ms`,
        `${ms(two.summary.p99)} ms`,
        `${ms(two.summary.max)} ms`,
        String(two.errors),
        'p50 <= 25 ms',
      ]);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exit;
    }

    console.log(table(rows));
    console.log('');
    console.log(
      `${CONCURRENT} streams (${CONCURRENT_TOKENS} tokens, ${GAP_MS} ms apart) finished in ${seconds.toFixed(1)} s; ` +
        `server RSS ${mb(before.rss)} before, ${mb(peak)} at peak: ${(perStream / 1024).toFixed(0)} KB per open stream ` +
        `(server, worker, client and fake upstream share this process, so this is an upper bound). ` +
        `Per streamed run (thread, run, ${CONCURRENT_TOKENS} tokens, the SSE stream): ` +
        `${cpuPerRun.toFixed(1)} ms CPU of this process, ${statementsPerRun.toFixed(1)} statements.`,
    );
    if (errors.length > 0) {
      console.log(
        `first errors: ${errors
          .slice(0, 3)
          .map((error) => error.error)
          .join('; ')}`,
      );
    }
    console.log(
      `Latency: the fake upstream timestamps each token as it writes it; the SDK's textDelta handler timestamps its arrival (same process clock). Settings: ${JSON.stringify(bench.settings)}, STREAM_FLUSH_MS default 20.`,
    );
  } finally {
    await bench.close().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
