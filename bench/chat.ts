// Chat-path benchmark (issue #19): what chat front ends do through the REST shim, from a separate
// process with the official SDK: `messages.create`, then `runs.stream` read to
// `thread.run.completed`, and `messages.list`. Baselines in the same run: the fake upstream
// called directly, and an in-memory server with no database answering the same wire shape
// (bench/chat-memory-server.ts), so the bench client's and the SDK's own cost is visible.
// Usage: npm run bench:chat   (bounded in count and time; talks only to 127.0.0.1)
//   BENCH_SECONDS (15) per load phase, BENCH_LATENCY_RUNS (40), BENCH_TOKEN_RUNS (6),
//   BENCH_MEMORY=0 skips the in-memory server; DATABASE_URL uses that PostgreSQL (else embedded).
import { type ChildProcess, fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ScriptedReply } from '../test/setup/fake-upstream.js';
import type {
  ChatOperation,
  ChatReply,
  LoopOutcome,
  StreamTiming,
  Target,
  Threads,
} from './chat-clients.js';
import { startMemoryServer } from './chat-memory-server.js';
import { type BenchApp, startBenchApp } from './setup.js';
import { ms, quantile, table } from './stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 40);
const TOKEN_RUNS = Number(process.env.BENCH_TOKEN_RUNS ?? 6);
const WITH_MEMORY = process.env.BENCH_MEMORY !== '0';
const TOKENS = 50;
const GAP_MS = 20;
const STREAM_CLIENTS = 20;
const CRUD_CLIENTS = 50;
/** Everything is bounded: the bench stops by itself if a phase hangs. */
const BENCH_DEADLINE_MS = 120_000 + SECONDS * 1000 * 8;

/** The clients' process: one operation at a time, over IPC. */
interface Clients {
  call<R extends ChatReply>(operation: ChatOperation): Promise<R>;
  close(): Promise<void>;
}

async function startClients(env: Record<string, string>): Promise<Clients> {
  const script = fileURLToPath(new URL('./chat-clients.ts', import.meta.url));
  const child: ChildProcess = fork(script, [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let waiting: { resolve(message: unknown): void; reject(error: Error): void } | null = null;
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      waiting = { resolve, reject };
    });
  const settle = (action: (w: NonNullable<typeof waiting>) => void) => {
    const current = waiting;
    waiting = null;
    if (current) {
      action(current);
    }
  };
  child.on('message', (message) => settle((w) => w.resolve(message)));
  child.on('exit', (code, signal) =>
    settle((w) => w.reject(new Error(`bench: clients process exited (${code ?? signal})`))),
  );
  child.on('error', (error) => settle((w) => w.reject(error)));
  await next();
  return {
    async call<R extends ChatReply>(operation: ChatOperation) {
      const reply = next();
      child.send(operation);
      return (await reply) as R;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      await exited;
    },
  };
}

/** When the fake upstream wrote each named token (epoch ms), to time its trip to the client. */
const emittedAt = new Map<string, number>();
let scripts = 0;

/** A reply of `count` named tokens `gapMs` apart, each timed as the upstream writes it. */
function namedReply(count: number, gapMs: number): ScriptedReply {
  const script = scripts;
  scripts += 1;
  return {
    text: Array.from({ length: count }, (_, index) => `s${script}t${index} `),
    delayMsBetweenChunks: gapMs,
    usage: { prompt_tokens: 3, completion_tokens: count },
    onPiece: (index, atMs) => {
      emittedAt.set(`s${script}t${index}`, performance.timeOrigin + atMs);
    },
  };
}

/** The reply of the short runs: three pieces at once, as a one-line answer streams. */
const SHORT_REPLY: ScriptedReply = { text: ['Hello', ' there', '!'] };

function tokenLatencies(timing: StreamTiming): number[] {
  return timing.tokens.map(({ token, at }) => at - (emittedAt.get(token) ?? Number.NaN));
}

function check(timing: StreamTiming, label: string): StreamTiming {
  if (timing.error) {
    throw new Error(`bench: ${label}: ${timing.error}`);
  }
  return timing;
}

interface Cost {
  nodeMs: number;
  postgresMs: number | null;
  /** The embedded cluster's every process (background writers too); null with DATABASE_URL. */
  clusterMs: number | null;
  statements: number;
  bossStatements: number;
  serverRequests: number;
  upstreamRequests: number;
}

/** Starts counting what the server side spends; call the result for the difference. */
async function costMeter(bench: BenchApp, requests: () => number): Promise<() => Promise<Cost>> {
  const cpu = process.cpuUsage();
  const postgres = await bench.backendCpuMs();
  const cluster = await bench.postgresCpuMs();
  const statements = bench.statements();
  const boss = bench.bossStatements();
  const served = requests();
  const upstream = bench.upstream.requests.length;
  return async () => {
    const used = process.cpuUsage(cpu);
    const postgresAfter = await bench.backendCpuMs();
    const clusterAfter = await bench.postgresCpuMs();
    return {
      nodeMs: (used.user + used.system) / 1000,
      postgresMs: postgres === null || postgresAfter === null ? null : postgresAfter - postgres,
      clusterMs: cluster === null || clusterAfter === null ? null : clusterAfter - cluster,
      statements: bench.statements() - statements,
      bossStatements: bench.bossStatements() - boss,
      serverRequests: requests() - served,
      upstreamRequests: bench.upstream.requests.length - upstream,
    };
  };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function breakdown(usage: NodeJS.MemoryUsage): string {
  return `heap ${mb(usage.heapUsed)} used of ${mb(usage.heapTotal)}, external ${mb(usage.external)}, other ${mb(usage.rss - usage.heapTotal - usage.external)}`;
}

function verdict(ok: boolean): string {
  return ok ? '✔' : '✘';
}

function load(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

async function main(): Promise<void> {
  setTimeout(() => {
    console.error(`bench: stopped after ${BENCH_DEADLINE_MS / 1000} s`);
    process.exit(2);
  }, BENCH_DEADLINE_MS).unref();
  const loadBefore = load();
  const bench = await startBenchApp();
  let served = 0;
  bench.app.server.on('request', () => {
    served += 1;
  });
  const memory = await startMemoryServer(bench.upstream.url);
  const started = process.memoryUsage();
  const startedRss = started.rss;
  let peakRss = startedRss;
  // What the peak is made of: V8's heap vs buffers vs the rest (code, tsx, native), so a peak
  // can be attributed instead of guessed.
  let atPeak = started;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    if (now.rss > peakRss) {
      peakRss = now.rss;
      atPeak = now;
    }
  }, 20);
  const { apiKey, baseURL } = bench.openai;
  const clients = await startClients({
    BENCH_SERVER_URL: baseURL,
    BENCH_MEMORY_URL: memory.url,
    BENCH_UPSTREAM_URL: bench.upstream.url,
    BENCH_API_KEY: apiKey ?? '',
  });
  const targets: Target[] = WITH_MEMORY ? ['memory', 'server'] : ['server'];
  try {
    const assistant = await bench.openai.beta.assistants.create({ model: 'gpt-4o' });
    const assistantId = assistant.id;
    const direct = async () => {
      bench.upstream.script(SHORT_REPLY);
      return check(await clients.call<StreamTiming & ChatReply>({ op: 'direct' }), 'direct');
    };
    const run = async (target: Target, reply: ScriptedReply = SHORT_REPLY) => {
      bench.upstream.script(reply);
      return check(
        await clients.call<StreamTiming & ChatReply>({ op: 'run', target, assistantId }),
        `${target} run`,
      );
    };

    console.error('warming up');
    for (let index = 0; index < 10; index += 1) {
      await direct();
      for (const target of targets) {
        await run(target);
      }
    }

    // One streamed run at a time, the three paths taking turns so noise hits them alike; each
    // run's overhead is its time minus the direct stream's just before it.
    console.error(`latency: ${LATENCY_RUNS} runs of each`);
    const overhead: Record<Target, number[]> = { server: [], memory: [] };
    const firstOverhead: Record<Target, number[]> = { server: [], memory: [] };
    const directTotals: number[] = [];
    for (let index = 0; index < LATENCY_RUNS; index += 1) {
      const baseline = await direct();
      directTotals.push(baseline.total);
      for (const target of targets) {
        const timing = await run(target);
        overhead[target].push(timing.total - baseline.total);
        firstOverhead[target].push(timing.first - baseline.first);
      }
    }

    // Added latency per token: each token's trip (upstream write → client) minus the direct
    // stream's trip at the same quantile. Epoch clocks of two processes: their offset cancels.
    console.error(`token latency: ${TOKEN_RUNS} runs of ${TOKENS} tokens, ${GAP_MS} ms apart`);
    const trips: Record<Target | 'direct', number[]> = { server: [], memory: [], direct: [] };
    for (let index = 0; index < TOKEN_RUNS; index += 1) {
      bench.upstream.script(namedReply(TOKENS, GAP_MS));
      trips.direct.push(
        ...tokenLatencies(
          check(await clients.call<StreamTiming & ChatReply>({ op: 'direct' }), 'direct'),
        ),
      );
      for (const target of targets) {
        trips[target].push(...tokenLatencies(await run(target, namedReply(TOKENS, GAP_MS))));
      }
    }
    for (const target of targets) {
      if (trips[target].length !== TOKEN_RUNS * TOKENS) {
        throw new Error(`bench: ${target} delivered ${trips[target].length} named tokens`);
      }
    }
    const added = (target: Target, q: number) =>
      quantile(trips[target], q) - quantile(trips.direct, q);

    // Load phases. The upstream's queue is kept full of the same short reply while they run.
    const topUp = setInterval(() => {
      if (bench.upstream.pending < 2000) {
        bench.upstream.script(...Array.from({ length: 2000 }, () => SHORT_REPLY));
      }
    }, 50);
    bench.upstream.script(...Array.from({ length: 2000 }, () => SHORT_REPLY));
    const loops: Record<string, { outcome: LoopOutcome & ChatReply; cost: Cost }> = {};
    try {
      for (const kind of ['stream', 'create', 'list'] as const) {
        for (const target of targets) {
          console.error(`load: ${kind} on ${target}, ${SECONDS} s`);
          const clientsCount = kind === 'stream' ? STREAM_CLIENTS : CRUD_CLIENTS;
          // Each client's own thread (a list reads a full page), made before the meter starts.
          const { threadIds } = await clients.call<Threads & ChatReply>({
            op: 'threads',
            target,
            count: clientsCount,
            messages: kind === 'list' ? 25 : 0,
          });
          const meter = await costMeter(bench, () => served);
          const outcome = await clients.call<LoopOutcome & ChatReply>({
            op: 'loop',
            target,
            kind,
            threadIds,
            seconds: SECONDS,
            assistantId,
          });
          loops[`${kind}:${target}`] = { outcome, cost: await meter() };
        }
      }
    } finally {
      clearInterval(topUp);
    }
    clearInterval(sampler);

    const rate = (key: string) => {
      const entry = loops[key];
      return entry ? (entry.outcome.completed / entry.outcome.elapsedMs) * 1000 : Number.NaN;
    };
    const p50 = (key: string) => quantile(loops[key]?.outcome.latencies ?? [], 0.5);
    const errors = (key: string) => loops[key]?.outcome.errors.length ?? 0;
    const memoryCell = (text: string) => (WITH_MEMORY ? text : '-');

    const rows: string[][] = [['measure', 'server', 'in-memory server', 'target', '']];
    const overheadP50 = quantile(overhead.server, 0.5);
    const overheadP99 = quantile(overhead.server, 0.99);
    rows.push([
      'streamed run overhead over the direct stream, p50 / p99',
      `+${ms(overheadP50)} / +${ms(overheadP99)} ms`,
      memoryCell(
        `+${ms(quantile(overhead.memory, 0.5))} / +${ms(quantile(overhead.memory, 0.99))} ms`,
      ),
      'p50 ≤ 10, p99 ≤ 30 ms',
      verdict(overheadP50 <= 10 && overheadP99 <= 30),
    ]);
    const firstP50 = quantile(firstOverhead.server, 0.5);
    const firstP99 = quantile(firstOverhead.server, 0.99);
    rows.push([
      'first thread.message.delta over the first chunk, p50 / p99',
      `+${ms(firstP50)} / +${ms(firstP99)} ms`,
      memoryCell(
        `+${ms(quantile(firstOverhead.memory, 0.5))} / +${ms(quantile(firstOverhead.memory, 0.99))} ms`,
      ),
      'p50 ≤ 10, p99 ≤ 30 ms',
      verdict(firstP50 <= 10 && firstP99 <= 30),
    ]);
    rows.push([
      `token added latency (${TOKENS} tokens ${GAP_MS} ms apart), p50 / p99`,
      `+${ms(added('server', 0.5))} / +${ms(added('server', 0.99))} ms`,
      memoryCell(`+${ms(added('memory', 0.5))} / +${ms(added('memory', 0.99))} ms`),
      'p50 ≤ 2 ms',
      verdict(added('server', 0.5) <= 2),
    ]);
    const streamRate = rate('stream:server');
    rows.push([
      `${STREAM_CLIENTS} clients messages.create + runs.stream, ${SECONDS} s`,
      `${streamRate.toFixed(1)} runs/s (p50 ${ms(p50('stream:server'), 0)} ms, ${errors('stream:server')} errors)`,
      memoryCell(
        `${rate('stream:memory').toFixed(1)} runs/s (p50 ${ms(p50('stream:memory'), 0)} ms, ${errors('stream:memory')} errors)`,
      ),
      '≥ 125 runs/s, 0 errors',
      verdict(streamRate >= 125 && errors('stream:server') === 0),
    ]);
    const createRate = rate('create:server');
    rows.push([
      `${CRUD_CLIENTS} clients messages.create, ${SECONDS} s`,
      `${createRate.toFixed(0)} req/s (p50 ${ms(p50('create:server'))} ms, ${errors('create:server')} errors)`,
      memoryCell(`${rate('create:memory').toFixed(0)} req/s`),
      '≥ 750 req/s',
      verdict(createRate >= 750 && errors('create:server') === 0),
    ]);
    const listRate = rate('list:server');
    rows.push([
      `${CRUD_CLIENTS} clients messages.list (limit 20), ${SECONDS} s`,
      `${listRate.toFixed(0)} req/s (p50 ${ms(p50('list:server'))} ms, ${errors('list:server')} errors)`,
      memoryCell(`${rate('list:memory').toFixed(0)} req/s`),
      '≥ 300 req/s',
      verdict(listRate >= 300 && errors('list:server') === 0),
    ]);
    rows.push([
      'peak RSS of the server process',
      `${mb(peakRss)} (${mb(startedRss)} after start; at peak ${breakdown(atPeak)}; at start ${breakdown(started)})`,
      '-',
      '≤ 300 MB',
      verdict(peakRss <= 300 * 1024 * 1024),
    ]);
    console.log(table(rows));

    // What one operation costs the server side, from the load phases (robust to noise: CPU
    // and counts, not time).
    const costRows: string[][] = [
      [
        'per operation (load phases)',
        'node CPU',
        'PostgreSQL CPU',
        'statements',
        'of them pg-boss',
        'HTTP requests in',
        'to upstream',
      ],
    ];
    for (const [kind, label] of [
      ['stream', 'streamed run (messages.create + runs.stream)'],
      ['create', 'messages.create'],
      ['list', 'messages.list'],
    ] as const) {
      const entry = loops[`${kind}:server`];
      if (!entry || entry.outcome.completed === 0) {
        continue;
      }
      const { cost } = entry;
      const n = entry.outcome.completed;
      const per = (value: number, digits = 2) => (value / n).toFixed(digits);
      costRows.push([
        label,
        `${per(cost.nodeMs)} ms`,
        cost.postgresMs === null ? '-' : `${per(cost.postgresMs)} ms`,
        per(cost.statements, 1),
        per(cost.bossStatements, 1),
        per(cost.serverRequests),
        per(cost.upstreamRequests),
      ]);
    }
    console.log('');
    console.log(table(costRows));
    const streamEntry = loops['stream:server'];
    const memoryStream = loops['stream:memory'];
    console.log('');
    console.log(
      [
        `Server: ${bench.database}; server, worker and the fake upstream in one Node process (its CPU is "node CPU";`,
        ' the upstream and the in-memory server live there too, so peak RSS includes them);',
        ` the SDK clients in another process (${streamEntry ? (streamEntry.outcome.cpuMs / Math.max(1, streamEntry.outcome.completed)).toFixed(2) : '-'} ms of its CPU per streamed run`,
        memoryStream
          ? `, ${(memoryStream.outcome.cpuMs / Math.max(1, memoryStream.outcome.completed)).toFixed(2)} ms against the in-memory server).`
          : ').',
        `\nPostgreSQL CPU: the backends serving this process's connections, from /proc/<pid>/stat`,
        streamEntry?.cost.clusterMs != null
          ? ` (the whole embedded cluster, background writers included: ${(streamEntry.cost.clusterMs / Math.max(1, streamEntry.outcome.completed)).toFixed(2)} ms per streamed run).`
          : '.',
        `\nLatency rows: ${LATENCY_RUNS} runs of each path taking turns, each run minus the direct upstream stream just before it`,
        ` (direct p50 ${ms(quantile(directTotals, 0.5))} ms); a new thread and message per run, created before the clock starts.`,
        `\nToken latency: the upstream stamps each token as it writes it, the client as it arrives; minus the direct stream's at the same quantile.`,
        `\nLoad phases: a stream client starts a new thread every 10 turns; CRUD clients each have their own thread.`,
        `\nLoad average ${loadBefore} before, ${load()} after (1, 5, 15 min): on a shared machine wall-clock rows move with it, the cost table much less.`,
        ` Settings: ${JSON.stringify(bench.settings)}.`,
      ].join(''),
    );
    const firstErrors = Object.entries(loops).flatMap(([key, { outcome }]) =>
      outcome.errors.slice(0, 2).map((error) => `${key}: ${error}`),
    );
    if (firstErrors.length > 0) {
      console.log(`first errors: ${firstErrors.join('; ')}`);
    }
  } finally {
    clearInterval(sampler);
    await clients.close().catch(() => undefined);
    await memory.close().catch(() => undefined);
    await bench.close().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
