import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ScriptedReply } from '../test/setup/fake-upstream.js';
import { generateLoad, type LoadOptions } from './load.js';
import type { MarkRecorder } from './marks.js';
import type { BenchApp } from './setup.js';
import { nowMs } from './stats.js';

/** One zero-latency reply per run: a single text piece, then the finish. */
export function scriptReplies(bench: BenchApp, count: number): void {
  const reply: ScriptedReply = { text: 'ok' };
  bench.upstream.script(...Array.from({ length: count }, () => reply));
}

/** The fake upstream's own handling time of a request (read → response ended), in ms. */
function upstreamMs(bench: BenchApp, index: number, marker: string): number {
  const request = bench.upstream.requests[index];
  if (!request || request.respondedAt === null) {
    throw new Error(`bench: upstream request #${index + 1} missing or unfinished`);
  }
  if (!JSON.stringify(request.body.messages).includes(marker)) {
    throw new Error(`bench: upstream request #${index + 1} is not the one of '${marker}'`);
  }
  return request.respondedAt - request.receivedAt;
}

export interface LatencySample {
  runId: string;
  /** create sent → completed run received by the client, minus the upstream's own time. */
  overhead: number;
  upstream: number;
  createRtt: number;
  /** Epoch ms on this process's clock (PostgreSQL marks shifted by the measured offset). */
  at: {
    createSent: number;
    createCommitted: number;
    claimed: number;
    claimCommitted: number;
    upstreamIn: number;
    upstreamOut: number;
    endCommitted: number;
    clientHasRun: number;
  };
}

/**
 * One run at a time against idle workers: create the run (REST, official SDK), wait for the
 * commit of its end (NOTIFY from the bench trigger), then read it once through the API, so the
 * client sees `completed` one GET after the fact instead of up to a poll interval later.
 */
export async function latencyRun(
  bench: BenchApp,
  marks: MarkRecorder,
  assistantId: string,
  label: string,
): Promise<LatencySample> {
  const { openai } = bench;
  const thread = await openai.beta.threads.create({ messages: [{ role: 'user', content: label }] });
  // Idle gap with jitter: workers are asleep (not finishing the previous job) when the job comes.
  await sleep(10 + Math.random() * 10);
  const requestIndex = bench.upstream.requests.length;
  const t0 = nowMs();
  const run = await openai.beta.threads.runs.create(thread.id, { assistant_id: assistantId });
  const t1 = nowMs();
  const mark = await marks.waitForEnd(run.id);
  const seen = await openai.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
  const t3 = nowMs();
  if (seen.status !== 'completed') {
    throw new Error(
      `bench: run ${run.id} ended ${seen.status}: ${JSON.stringify(seen.last_error)}`,
    );
  }
  const { created, claimed, claimCommitted, ended } = mark;
  if (
    created === undefined ||
    claimed === undefined ||
    claimCommitted === undefined ||
    ended === undefined
  ) {
    throw new Error(`bench: run ${run.id} is missing commit marks`);
  }
  const request = bench.upstream.requests[requestIndex];
  const upstream = upstreamMs(bench, requestIndex, label);
  const local = (pgMs: number) => pgMs - marks.clockOffsetMs;
  const upstreamIn = performance.timeOrigin + (request?.receivedAt ?? Number.NaN);
  return {
    runId: run.id,
    overhead: t3 - t0 - upstream,
    upstream,
    createRtt: t1 - t0,
    at: {
      createSent: t0,
      createCommitted: local(created),
      claimed: local(claimed),
      claimCommitted: local(claimCommitted),
      upstreamIn,
      upstreamOut: upstreamIn + upstream,
      endCommitted: local(ended),
      clientHasRun: t3,
    },
  };
}

/** What a polling client sees: the SDK's createAndPoll with a small fixed interval. */
export async function polledRun(
  bench: BenchApp,
  assistantId: string,
  label: string,
  pollIntervalMs: number,
): Promise<number> {
  const { openai } = bench;
  const thread = await openai.beta.threads.create({ messages: [{ role: 'user', content: label }] });
  await sleep(10 + Math.random() * 10);
  const requestIndex = bench.upstream.requests.length;
  const t0 = nowMs();
  const run = await openai.beta.threads.runs.createAndPoll(
    thread.id,
    { assistant_id: assistantId },
    { pollIntervalMs },
  );
  const elapsed = nowMs() - t0;
  if (run.status !== 'completed') {
    throw new Error(`bench: run ${run.id} ended ${run.status}`);
  }
  return elapsed - upstreamMs(bench, requestIndex, label);
}

export interface ThroughputResult {
  attempted: number;
  completed: number;
  errors: string[];
  elapsedMs: number;
  /** Client-side createAndRunPoll durations of completed runs. */
  latencies: number[];
  cpu: CpuReading;
}

function machineTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + idle + irq;
  }
  return { busy, total };
}

export interface CpuReading {
  elapsedMs: number;
  /** CPU time of this process (server, worker and the bench's clients), in ms. */
  processMs: number;
  /** CPU time of the embedded PostgreSQL, in ms (null with DATABASE_URL). */
  postgresMs: number | null;
  /** CPU time of the whole machine (this process, PostgreSQL, anything else), in ms. */
  machineMs: number;
  /** Event-loop utilization of this process, 0..1. */
  eventLoop: number;
  /** Statements this process sent to PostgreSQL. */
  statements: number;
}

/** Starts measuring CPU; call the result to read what was used since. */
export async function cpuMeter(bench: BenchApp): Promise<() => Promise<CpuReading>> {
  const postgres = await bench.postgresCpuMs();
  const statements = bench.statements();
  const cpu = process.cpuUsage();
  const machine = machineTimes();
  const elu = performance.eventLoopUtilization();
  const start = nowMs();
  return async () => {
    const elapsedMs = nowMs() - start;
    const used = process.cpuUsage(cpu);
    const sent = bench.statements() - statements;
    const after = machineTimes();
    const eventLoop = performance.eventLoopUtilization(elu).utilization;
    const postgresAfter = await bench.postgresCpuMs();
    const share = (after.busy - machine.busy) / (after.total - machine.total);
    return {
      elapsedMs,
      processMs: (used.user + used.system) / 1000,
      postgresMs: postgres === null || postgresAfter === null ? null : postgresAfter - postgres,
      machineMs: share * cpus().length * elapsedMs,
      eventLoop,
      statements: sent,
    };
  };
}

/**
 * "this process 12.3 ms, PostgreSQL 4.5 ms, 20.0 statements per run; other processes 3% of a
 * core": where the CPU went, how many statements a run cost, and how much the rest of the
 * machine (noise) took meanwhile.
 */
export function cpuPer(reading: CpuReading, count: number): string {
  const per = (value: number) => (value / count).toFixed(1);
  const other = Math.max(0, reading.machineMs - reading.processMs - (reading.postgresMs ?? 0));
  const share = ((other / reading.elapsedMs) * 100).toFixed(0);
  const statements = `${per(reading.statements)} statements`;
  return reading.postgresMs === null
    ? `this process ${per(reading.processMs)} ms, ${statements} per run; PostgreSQL and other processes ${share}% of a core`
    : `this process ${per(reading.processMs)} ms, PostgreSQL ${per(reading.postgresMs)} ms, ${statements} per run;` +
        ` other processes ${share}% of a core`;
}

/**
 * The load of bench/load.ts from this process's own clients, with the CPU it cost. Upstream
 * replies must be scripted beforehand.
 */
export async function throughput(
  bench: BenchApp,
  assistantId: string,
  options: LoadOptions,
): Promise<ThroughputResult> {
  const meter = await cpuMeter(bench);
  const outcome = await generateLoad(bench.openai, assistantId, options);
  const cpu = await meter();
  return { ...outcome, elapsedMs: cpu.elapsedMs, cpu };
}

/**
 * Transaction ids handed out so far. PostgreSQL assigns one to every transaction that writes,
 * so the difference across a phase counts write transactions exactly (plus this probe's own).
 */
export async function writeTransactions(bench: BenchApp): Promise<number> {
  const [row] = await bench.deps.db.$queryRaw<{ xid: string }[]>`
    SELECT pg_current_xact_id()::text AS xid`;
  return Number(row?.xid ?? Number.NaN);
}
