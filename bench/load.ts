import type OpenAI from 'openai';
import { nowMs } from './stats.js';

export interface LoadOptions {
  count: number;
  clients: number;
  /** `null` leaves the interval to the server's `openai-poll-after-ms`. */
  pollIntervalMs: number | null;
  deadlineMs: number;
}

export interface LoadOutcome {
  attempted: number;
  completed: number;
  errors: string[];
  /** Client-side createAndRunPoll durations of completed runs. */
  latencies: number[];
}

/**
 * `clients` concurrent SDK clients, each doing thread-and-run + poll until `count` runs were
 * started or `deadlineMs` passed. Shared by the in-process phase and the clients' own process
 * (bench/clients.ts), so both generate exactly the same load.
 */
export async function generateLoad(
  openai: OpenAI,
  assistantId: string,
  options: LoadOptions,
): Promise<LoadOutcome> {
  const errors: string[] = [];
  const latencies: number[] = [];
  let next = 0;
  let completed = 0;
  const deadline = nowMs() + options.deadlineMs;

  async function client(): Promise<void> {
    while (next < options.count && nowMs() < deadline) {
      const n = next;
      next += 1;
      const t0 = nowMs();
      try {
        const run = await openai.beta.threads.createAndRunPoll(
          {
            assistant_id: assistantId,
            thread: { messages: [{ role: 'user', content: `load ${n}` }] },
          },
          options.pollIntervalMs === null ? {} : { pollIntervalMs: options.pollIntervalMs },
        );
        if (run.status === 'completed') {
          completed += 1;
          latencies.push(nowMs() - t0);
        } else {
          errors.push(`run ${run.id} ended ${run.status}: ${JSON.stringify(run.last_error)}`);
        }
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  }
  await Promise.all(Array.from({ length: options.clients }, client));
  return { attempted: next, completed, errors, latencies };
}

/**
 * The same load over the Responses API: `clients` concurrent SDK clients, each doing
 * `responses.create` (which returns once the worker has completed the response) until `count`
 * were started or `deadlineMs` passed. `pollIntervalMs` does not apply.
 */
export async function generateResponseLoad(
  openai: OpenAI,
  model: string,
  options: LoadOptions,
): Promise<LoadOutcome> {
  const errors: string[] = [];
  const latencies: number[] = [];
  let next = 0;
  let completed = 0;
  const deadline = nowMs() + options.deadlineMs;

  async function client(): Promise<void> {
    while (next < options.count && nowMs() < deadline) {
      const n = next;
      next += 1;
      const t0 = nowMs();
      try {
        const response = await openai.responses.create({ model, input: `load ${n}` });
        if (response.status === 'completed') {
          completed += 1;
          latencies.push(nowMs() - t0);
        } else {
          errors.push(`response ${response.id} ended ${response.status}`);
        }
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  }
  await Promise.all(Array.from({ length: options.clients }, client));
  return { attempted: next, completed, errors, latencies };
}
