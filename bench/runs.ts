/**
 * Run-engine benchmark (issue #4): server and worker in one process, a zero-latency fake
 * upstream, real PostgreSQL. Measures job pickup, orchestration overhead per run and sustained
 * runs per second with 50 concurrent clients (in this process, and in a process of their own so
 * the server's event loop serves requests only); prints a table and a verdict per target.
 *
 *   npm run bench:runs
 *
 * Bounded: fixed run counts, a deadline per phase and a hard time limit for the process. Talks
 * to 127.0.0.1 only. Exit code 0: every target met; 1: a target missed or a run errored; 2: the
 * bench itself failed. From the environment: DATABASE_URL (local only; default: a fresh embedded
 * PostgreSQL), WORKER_CONCURRENCY, RUN_HEARTBEAT_MS, STREAM_FLUSH_MS, BENCH_CLIENTS, BENCH_POLL_MS.
 */
import { cpus } from 'node:os';
import { type RemoteThroughputResult, startClientProcess } from './client-process.js';
import { recordRunMarks } from './marks.js';
import {
  cpuMeter,
  cpuPer,
  type LatencySample,
  latencyRun,
  polledRun,
  scriptReplies,
  type ThroughputResult,
  throughput,
  writeTransactions,
} from './phases.js';
import { type BenchApp, startBenchApp } from './setup.js';
import { ms, nowMs, quantile, summarize, table } from './stats.js';

function intFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const LIMITS = {
  warmupRuns: 60,
  latencyRuns: 300,
  polledRuns: 100,
  polledIntervalMs: 5,
  clients: intFromEnv('BENCH_CLIENTS', 50),
  /** Sustained load: until this many runs were started or the duration passed. */
  loadRuns: 1000,
  loadMs: 20_000,
  loadPollMs: intFromEnv('BENCH_POLL_MS', 20),
  /** The same load with the SDK's default polling (the server's openai-poll-after-ms). */
  referenceRuns: 400,
  referenceMs: 10_000,
  processLimitMs: 300_000,
};

const TARGETS = { pickupP50: 10, overheadP50: 25, overheadP99: 100, runsPerSecond: 100 };

function row(label: string, values: number[], target = ''): string[] {
  const s = summarize(values);
  return [label, String(s.n), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), target];
}

function runsPerSecond(load: ThroughputResult): number {
  return load.completed / (load.elapsedMs / 1000);
}

function loadLine(label: string, load: ThroughputResult): string {
  return (
    `${label}: ${load.completed}/${load.attempted} runs completed in ` +
    `${ms(load.elapsedMs / 1000, 2)} s = ${ms(runsPerSecond(load))} runs/s, ` +
    `${load.errors.length} errors; event loop ${ms(load.cpu.eventLoop * 100, 0)}% busy; ` +
    `CPU ${cpuPer(load.cpu, load.completed)}`
  );
}

async function main(): Promise<number> {
  const limit = setTimeout(() => {
    process.stderr.write(`bench: hard limit of ${LIMITS.processLimitMs} ms reached\n`);
    process.exit(2);
  }, LIMITS.processLimitMs);
  limit.unref();

  const bench: BenchApp = await startBenchApp();
  try {
    const { openai } = bench;
    const assistant = await openai.beta.assistants.create({
      model: 'bench-model',
      instructions: 'Answer in one word.',
    });
    const loadOptions = { clients: LIMITS.clients, pollIntervalMs: LIMITS.loadPollMs };

    // Warm-up (JIT, connection pools, pg-boss queue): not measured.
    scriptReplies(bench, LIMITS.warmupRuns * 2);
    for (let i = 0; i < LIMITS.warmupRuns; i += 1) {
      await polledRun(bench, assistant.id, `warmup ${i}`, LIMITS.polledIntervalMs);
    }
    const warm = await throughput(bench, assistant.id, {
      ...loadOptions,
      count: LIMITS.warmupRuns,
      deadlineMs: LIMITS.loadMs,
    });
    if (warm.errors.length > 0) {
      throw new Error(`bench: warm-up failed: ${warm.errors[0]}`);
    }

    // Baselines, to read the other numbers against: one trivial API call, one database query.
    const probe = await openai.beta.threads.create();
    const apiRtt: number[] = [];
    const dbRtt: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const t0 = nowMs();
      await openai.beta.threads.retrieve(probe.id);
      apiRtt.push(nowMs() - t0);
      const t1 = nowMs();
      await bench.deps.db.$queryRaw`SELECT 1`;
      dbRtt.push(nowMs() - t1);
    }

    // Latency: one run at a time against idle workers, with PostgreSQL's own commit marks.
    const marks = await recordRunMarks(bench.serverUrl, bench.schema);
    const samples: LatencySample[] = [];
    scriptReplies(bench, LIMITS.latencyRuns);
    const xidBefore = await writeTransactions(bench);
    const latencyMeter = await cpuMeter(bench);
    for (let i = 0; i < LIMITS.latencyRuns; i += 1) {
      samples.push(await latencyRun(bench, marks, assistant.id, `latency ${i}`));
    }
    const latencyCpu = await latencyMeter();
    const xidAfter = await writeTransactions(bench);
    const fetchedAt = await marks.jobFetchTimes();
    await marks.uninstall();
    await marks.close();

    const polled: number[] = [];
    scriptReplies(bench, LIMITS.polledRuns);
    for (let i = 0; i < LIMITS.polledRuns; i += 1) {
      polled.push(await polledRun(bench, assistant.id, `polled ${i}`, LIMITS.polledIntervalMs));
    }

    // Sustained load (without the bench's triggers), then the same with the SDK's default polling.
    scriptReplies(bench, LIMITS.loadRuns + LIMITS.referenceRuns);
    const load = await throughput(bench, assistant.id, {
      ...loadOptions,
      count: LIMITS.loadRuns,
      deadlineMs: LIMITS.loadMs,
    });
    const reference = await throughput(bench, assistant.id, {
      ...loadOptions,
      pollIntervalMs: null,
      count: LIMITS.referenceRuns,
      deadlineMs: LIMITS.referenceMs,
    });

    // The sustained load again from a separate process: clients that share the measured event
    // loop measure themselves too. Its own warm-up first (the child's JIT and sockets).
    const clientProcess = await startClientProcess(bench, assistant.id);
    let remote: RemoteThroughputResult;
    try {
      scriptReplies(bench, LIMITS.warmupRuns + LIMITS.loadRuns);
      const remoteWarm = await clientProcess.throughput({
        ...loadOptions,
        count: LIMITS.warmupRuns,
        deadlineMs: LIMITS.loadMs,
      });
      if (remoteWarm.errors.length > 0) {
        throw new Error(`bench: clients process warm-up failed: ${remoteWarm.errors[0]}`);
      }
      remote = await clientProcess.throughput({
        ...loadOptions,
        count: LIMITS.loadRuns,
        deadlineMs: LIMITS.loadMs,
      });
    } finally {
      await clientProcess.close();
    }

    type Mark = keyof LatencySample['at'];
    const between = (from: Mark, to: Mark) => samples.map((s) => s.at[to] - s.at[from]);
    const fetched = (s: LatencySample) =>
      (fetchedAt.get(s.runId) ?? Number.NaN) - marks.clockOffsetMs;
    const pickup = between('createCommitted', 'claimed');
    const pickupStrict = between('createCommitted', 'claimCommitted');
    const overhead = samples.map((s) => s.overhead);
    const third = Math.ceil(samples.length / 3);
    const thirds = [0, 1, 2].map((i) =>
      ms(quantile(overhead.slice(i * third, (i + 1) * third), 0.5)),
    );
    const loadRate = runsPerSecond(load);
    const loadClean = load.errors.length === 0 && load.completed === load.attempted;
    const remoteRate = runsPerSecond(remote);
    const remoteClean = remote.errors.length === 0 && remote.completed === remote.attempted;

    const results = {
      pickup: quantile(pickup, 0.5) <= TARGETS.pickupP50,
      overheadP50: quantile(overhead, 0.5) <= TARGETS.overheadP50,
      overheadP99: quantile(overhead, 0.99) <= TARGETS.overheadP99,
      throughput: loadRate >= TARGETS.runsPerSecond && loadClean,
      throughputRemote: remoteRate >= TARGETS.runsPerSecond && remoteClean,
    };
    const verdict = (ok: boolean, text: string) => `${ok ? 'PASS' : 'FAIL'}  ${text}`;
    const settings = Object.entries(bench.settings)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');

    const out = [
      'Run engine benchmark: server + worker in one process, zero-latency fake upstream',
      `node ${process.version}, ${cpus().length} CPUs, ${bench.database}; ${settings}`,
      '',
      table([
        ['ms', 'n', 'p50', 'p90', 'p99', 'max', 'target'],
        row('job pickup: create commit -> run claimed', pickup, 'p50 <= 10'),
        row('  strict: create commit -> claim committed', pickupStrict),
        row('overhead: runs.create -> client has completed run', overhead, 'p50 <= 25, p99 <= 100'),
        row(`  as createAndPoll sees it (poll ${LIMITS.polledIntervalMs} ms)`, polled),
        row(
          '  fake upstream own time (subtracted)',
          samples.map((s) => s.upstream),
        ),
        row('stage: runs.create sent -> create commit', between('createSent', 'createCommitted')),
        row(
          'stage: create commit -> job fetched',
          samples.map((s) => fetched(s) - s.at.createCommitted),
        ),
        row(
          'stage: job fetched -> run claimed',
          samples.map((s) => s.at.claimed - fetched(s)),
        ),
        row('stage: run claimed -> claim committed', between('claimed', 'claimCommitted')),
        row('stage: claim committed -> upstream request', between('claimCommitted', 'upstreamIn')),
        row('stage: upstream response -> end committed', between('upstreamOut', 'endCommitted')),
        row('stage: end committed -> client has run', between('endCommitted', 'clientHasRun')),
        row(
          'runs.create round trip',
          samples.map((s) => s.createRtt),
        ),
        row('baseline: threads.retrieve round trip', apiRtt),
        row('baseline: SELECT 1 through Prisma', dbRtt),
        row(`under load: createAndRunPoll duration`, load.latencies),
        row(`  clients in another process: createAndRunPoll duration`, remote.latencies),
      ]),
      '',
      `overhead p50 by thirds of the series: ${thirds.join(' / ')} ms; write transactions per` +
        ` run: ${ms((xidAfter - xidBefore - 1) / samples.length)}; CPU ${cpuPer(latencyCpu, samples.length)}`,
      loadLine(
        `load (${LIMITS.clients} clients, createAndRunPoll, pollIntervalMs ${LIMITS.loadPollMs})`,
        load,
      ),
      loadLine(
        `reference (${LIMITS.clients} clients, SDK default polling = openai-poll-after-ms)`,
        reference,
      ),
      `${loadLine(
        `load, clients in another process (${LIMITS.clients} clients, pollIntervalMs ${LIMITS.loadPollMs})`,
        remote,
      )}; the clients' process ${ms(remote.clientsCpuMs / Math.max(1, remote.completed))} ms` +
        ' per run (counted in other processes); "this process" is the server and worker only',
      '',
      verdict(
        results.pickup,
        `job pickup p50 ${ms(quantile(pickup, 0.5))} ms <= ${TARGETS.pickupP50} ms` +
          ` (strict, to the claim's commit: ${ms(quantile(pickupStrict, 0.5))} ms)`,
      ),
      verdict(
        results.overheadP50,
        `overhead p50 ${ms(quantile(overhead, 0.5))} ms <= ${TARGETS.overheadP50} ms`,
      ),
      verdict(
        results.overheadP99,
        `overhead p99 ${ms(quantile(overhead, 0.99))} ms <= ${TARGETS.overheadP99} ms`,
      ),
      verdict(
        results.throughput,
        `${ms(loadRate)} runs/s >= ${TARGETS.runsPerSecond} with ${LIMITS.clients} clients,` +
          ` ${load.errors.length} errors`,
      ),
      verdict(
        results.throughputRemote,
        `${ms(remoteRate)} runs/s >= ${TARGETS.runsPerSecond} with ${LIMITS.clients} clients in` +
          ` another process, ${remote.errors.length} errors`,
      ),
      ...[...load.errors, ...reference.errors, ...remote.errors]
        .slice(0, 5)
        .map((error) => `  error: ${error}`),
      '',
      'How: commit times are stamped by PostgreSQL itself (deferred triggers, clock_timestamp(), µs);',
      '"run claimed" is the worker\'s claim UPDATE, "job fetched" pg-boss\'s started_on. Overhead is',
      'runs.create sent -> the client holds the completed run (one runs.retrieve issued as the end',
      "commits, told by NOTIFY: no polling delay), minus the fake upstream's own handling time.",
      'Latency runs go one at a time after an idle gap; load runs through threads.createAndRunPoll.',
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    return Object.values(results).every(Boolean) && reference.errors.length === 0 ? 0 : 1;
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
