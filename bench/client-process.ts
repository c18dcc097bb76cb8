import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadOptions, LoadOutcome } from './load.js';
import { cpuMeter, type ThroughputResult } from './phases.js';
import type { BenchApp } from './setup.js';

export interface RemoteThroughputResult extends ThroughputResult {
  /** CPU time of the clients' own process during the phase, in ms. */
  clientsCpuMs: number;
}

export interface ClientProcess {
  /** One load phase from the clients' process; `cpu` is this (the server's) process. */
  throughput(options: LoadOptions): Promise<RemoteThroughputResult>;
  close(): Promise<void>;
}

function isOutcome(message: unknown): message is LoadOutcome & { cpuMs: number } {
  return (
    typeof message === 'object' &&
    message !== null &&
    'completed' in message &&
    'cpuMs' in message &&
    typeof message.cpuMs === 'number'
  );
}

/**
 * Starts bench/clients.ts in a child process (same Node flags, so tsx loads it) talking to the
 * bench's server over loopback, and waits until it is ready. One phase at a time. `target` is the
 * assistant the runs use, or with `kind: 'responses'` the model the responses ask for.
 */
export async function startClientProcess(
  bench: BenchApp,
  target: string,
  kind: 'runs' | 'responses' = 'runs',
): Promise<ClientProcess> {
  const { apiKey, baseURL } = bench.openai;
  if (!apiKey) {
    throw new Error('bench: the bench client has no API key to hand to the clients process');
  }
  const script = fileURLToPath(new URL('./clients.ts', import.meta.url));
  const child: ChildProcess = fork(script, [baseURL, target, kind], {
    env: { ...process.env, BENCH_API_KEY: apiKey },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let waiting: { resolve(message: unknown): void; reject(error: Error): void } | null = null;
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      waiting = { resolve, reject };
    });
  child.on('message', (message) => {
    const current = waiting;
    waiting = null;
    current?.resolve(message);
  });
  child.on('exit', (code, signal) => {
    const current = waiting;
    waiting = null;
    current?.reject(new Error(`bench: clients process exited (${code ?? signal})`));
  });
  child.on('error', (error) => {
    const current = waiting;
    waiting = null;
    current?.reject(error);
  });
  await next();

  return {
    async throughput(options) {
      const meter = await cpuMeter(bench);
      const reply = next();
      child.send(options);
      const message = await reply;
      const cpu = await meter();
      if (!isOutcome(message)) {
        throw new Error(`bench: unexpected message from the clients process`);
      }
      const { cpuMs, ...outcome } = message;
      return { ...outcome, elapsedMs: cpu.elapsedMs, cpu, clientsCpuMs: cpuMs };
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
