/**
 * Responses benchmark (issue #15): server and worker in one process, the zero-latency fake
 * upstream, real PostgreSQL. Measures what `responses.create` adds over calling the upstream
 * directly (the same SDK, the same fake upstream), not streamed and streamed; the latency a token
 * gains on its way through the server; and sustained responses per second with 50 SDK clients in
 * a process of their own. Prints a table and the machine's load average.
 *
 *   npm run bench:responses
 *
 * Bounded: fixed counts, a deadline per phase and a hard time limit for the process. Talks to
 * 127.0.0.1 only. Exit code 0: it ran and nothing errored; 2: the bench itself failed. From the
 * environment: DATABASE_URL (local only; default: a fresh embedded PostgreSQL),
 * WORKER_CONCURRENCY, STREAM_FLUSH_MS, BENCH_CLIENTS.
 */
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { type RemoteThroughputResult, startClientProcess } from './client-process.js';
import { cpuPer, scriptReplies } from './phases.js';
import { type BenchApp, startBenchApp } from './setup.js';
import { ms, nowMs, quantile, summarize, table } from './stats.js';

function intFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const LIMITS = {
  warmup: 60,
  samples: 200,
  tokenResponses: 20,
  tokens: 20,
  tokenGapMs: 20,
  clients: intFromEnv('BENCH_CLIENTS', 50),
  loadResponses: 1000,
  loadMs: 20_000,
  processLimitMs: 300_000,
};

const MODEL = 'bench-model';

/** The fake upstream's own handling time of the request at `index` (read → ended), in ms. */
function upstreamMs(bench: BenchApp, index: number): number {
  const request = bench.upstream.requests[index];
  if (!request || request.respondedAt === null) {
    throw new Error(`bench: upstream request #${index + 1} missing or unfinished`);
  }
  return request.respondedAt - request.receivedAt;
}

interface Pair {
  /** The direct call's duration minus the upstream's own time. */
  direct: number;
  /** responses.create's duration minus the upstream's own time. */
  response: number;
}

/**
 * One direct chat completion and one response, in turn, each after an idle gap (workers asleep
 * when the job comes, as in bench/runs.ts). `stream`: both streamed, timed to the last event.
 */
async function pair(bench: BenchApp, direct: OpenAI, stream: boolean, n: number): Promise<Pair> {
  scriptReplies(bench, 2);
  await sleep(10 + Math.random() * 10);
  let index = bench.upstream.requests.length;
  let t0 = nowMs();
  const messages = [{ role: 'user' as const, content: `direct ${n}` }];
  if (stream) {
    for await (const _chunk of await direct.chat.completions.create({
      model: MODEL,
      messages,
      stream: true,
    })) {
      // Drained: the call is over at its last chunk.
    }
  } else {
    await direct.chat.completions.create({ model: MODEL, messages });
  }
  const directMs = nowMs() - t0 - upstreamMs(bench, index);

  await sleep(10 + Math.random() * 10);
  index = bench.upstream.requests.length;
  t0 = nowMs();
  let status: string | undefined;
  if (stream) {
    for await (const event of await bench.openai.responses.create({
      model: MODEL,
      input: `response ${n}`,
      stream: true,
    })) {
      if (event.type === 'response.completed') {
        status = event.response.status;
      }
    }
  } else {
    status = (await bench.openai.responses.create({ model: MODEL, input: `response ${n}` })).status;
  }
  if (status !== 'completed') {
    throw new Error(`bench: response ${n} ended ${String(status)}`);
  }
  return { direct: directMs, response: nowMs() - t0 - upstreamMs(bench, index) };
}

/**
 * Token latency (upstream wrote it → client read it), over the direct stream and through a
 * streamed response, `LIMITS.tokens` tokens `LIMITS.tokenGapMs` apart each.
 */
async function tokenLatency(bench: BenchApp, direct: OpenAI, viaResponses: boolean) {
  const latencies: number[] = [];
  for (let n = 0; n < LIMITS.tokenResponses; n += 1) {
    const written = new Map<string, number>();
    bench.upstream.script({
      text: Array.from({ length: LIMITS.tokens }, (_, index) => `t${index} `),
      delayMsBetweenChunks: LIMITS.tokenGapMs,
      onPiece: (index, atMs) => {
        written.set(`t${index}`, atMs);
      },
    });
    const seen = (text: string) => {
      const at = performance.now();
      for (const match of text.matchAll(/(t\d+) /g)) {
        latencies.push(at - (written.get(match[1] ?? '') ?? Number.NaN));
      }
    };
    if (viaResponses) {
      for await (const event of await bench.openai.responses.create({
        model: MODEL,
        input: `tokens ${n}`,
        stream: true,
      })) {
        if (event.type === 'response.output_text.delta') {
          seen(event.delta);
        }
      }
    } else {
      for await (const chunk of await direct.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: `tokens ${n}` }],
        stream: true,
      })) {
        seen(chunk.choices[0]?.delta.content ?? '');
      }
    }
  }
  if (latencies.length !== LIMITS.tokenResponses * LIMITS.tokens) {
    throw new Error(`bench: ${latencies.length} tokens received, not every one`);
  }
  return latencies;
}

function row(label: string, values: number[]): string[] {
  const s = summarize(values);
  return [label, String(s.n), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max)];
}

async function main(): Promise<number> {
  const limit = setTimeout(() => {
    process.stderr.write(`bench: hard limit of ${LIMITS.processLimitMs} ms reached\n`);
    process.exit(2);
  }, LIMITS.processLimitMs);
  limit.unref();
  const loadBefore = loadavg();

  const bench = await startBenchApp();
  try {
    const direct = new OpenAI({
      apiKey: 'bench',
      baseURL: bench.upstream.url,
      maxRetries: 0,
      timeout: 30_000,
    });
    // Warm-up (JIT, connection pools, pg-boss queue): not measured.
    for (let n = 0; n < LIMITS.warmup; n += 1) {
      await pair(bench, direct, n % 2 === 0, n);
    }

    const plain: Pair[] = [];
    const streamed: Pair[] = [];
    for (let n = 0; n < LIMITS.samples; n += 1) {
      plain.push(await pair(bench, direct, false, n));
      streamed.push(await pair(bench, direct, true, n));
    }
    const directTokens = await tokenLatency(bench, direct, false);
    const responseTokens = await tokenLatency(bench, direct, true);

    // Sustained: clients in a process of their own, so the server's event loop serves requests
    // only. Its own warm-up first (the child's JIT and sockets).
    const clients = await startClientProcess(bench, MODEL, 'responses');
    let load: RemoteThroughputResult;
    try {
      const options = { clients: LIMITS.clients, pollIntervalMs: null, deadlineMs: LIMITS.loadMs };
      scriptReplies(bench, LIMITS.warmup + LIMITS.loadResponses);
      const warm = await clients.throughput({ ...options, count: LIMITS.warmup });
      if (warm.errors.length > 0) {
        throw new Error(`bench: clients process warm-up failed: ${warm.errors[0]}`);
      }
      load = await clients.throughput({ ...options, count: LIMITS.loadResponses });
    } finally {
      await clients.close();
    }
    const loadAfter = loadavg();

    const overhead = (pairs: Pair[]) => pairs.map((p) => p.response - p.direct);
    const rate = load.completed / (load.elapsedMs / 1000);
    const p50 = (values: number[]) => quantile(values, 0.5);
    const added = p50(responseTokens) - p50(directTokens);
    const loadAvg = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
    const settings = Object.entries(bench.settings)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
    const out = [
      'Responses benchmark: server + worker in one process, zero-latency fake upstream',
      `node ${process.version}, ${cpus().length} CPUs, ${bench.database}; ${settings}`,
      `load average before ${loadAvg(loadBefore)}, after ${loadAvg(loadAfter)} (1/5/15 min)`,
      '',
      table([
        ['ms', 'n', 'p50', 'p90', 'p99', 'max'],
        row(
          'direct upstream call, chat.completions (SDK)',
          plain.map((p) => p.direct),
        ),
        row(
          'responses.create, stream: false',
          plain.map((p) => p.response),
        ),
        row('  overhead over the direct call, pair by pair', overhead(plain)),
        row(
          'direct upstream call, streamed, to its last chunk',
          streamed.map((p) => p.direct),
        ),
        row(
          'responses.create, stream: true, to response.completed',
          streamed.map((p) => p.response),
        ),
        row('  overhead over the direct call, pair by pair', overhead(streamed)),
        row('token → client, direct stream', directTokens),
        row('token → client, through responses.create stream', responseTokens),
        row(`under load: responses.create duration, ${LIMITS.clients} clients`, load.latencies),
      ]),
      '',
      `token added latency p50 ${ms(added)} ms (through the server minus direct)`,
      `sustained: ${load.completed}/${load.attempted} responses completed in ` +
        `${ms(load.elapsedMs / 1000, 2)} s = ${ms(rate)} responses/s with ${LIMITS.clients} clients` +
        ` in another process, ${load.errors.length} errors; event loop ` +
        `${ms(load.cpu.eventLoop * 100, 0)}% busy; CPU ${cpuPer(load.cpu, Math.max(1, load.completed))}` +
        `; the clients' process ${ms(load.clientsCpuMs / Math.max(1, load.completed))} ms per response`,
      ...load.errors.slice(0, 5).map((error) => `  error: ${error}`),
      '',
      "Times exclude the fake upstream's own handling time of each request; each sample pair is a",
      'direct call then a response, each after an idle gap. stream: false returns once the worker has',
      'completed the response (the server follows its events). Every response runs as a worker job.',
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    return load.errors.length === 0 && load.completed === load.attempted ? 0 : 1;
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
