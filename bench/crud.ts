/**
 * REST CRUD throughput through the official SDK: each cycle creates an assistant, retrieves it,
 * updates it, lists a page of assistants and deletes it (5 requests, each one round trip). A
 * fixed number of cycles, so the same work is done every time and a whole-process timing of
 * `npm run bench:rest-crud` compares trees too.
 */
import type OpenAI from 'openai';
import { cpuMeter } from './phases.js';
import type { BenchApp } from './setup.js';
import { ms, nowMs, summarize } from './stats.js';

export const CRUD_OPERATIONS = ['create', 'retrieve', 'update', 'list', 'delete'] as const;
export type CrudOperation = (typeof CRUD_OPERATIONS)[number];

export interface CrudResult {
  clients: number;
  cycles: number;
  elapsedMs: number;
  /** Round-trip times per operation, in ms. */
  latencies: Record<CrudOperation, number[]>;
  /**
   * CPU of this process (server and the clients) and statements it sent (pg-boss's polling
   * included), per request.
   */
  processMsPerOp: number;
  statementsPerOp: number;
  errors: string[];
}

async function cycle(
  openai: OpenAI,
  label: string,
  latencies: Record<CrudOperation, number[]>,
): Promise<void> {
  const timed = async <T>(operation: CrudOperation, call: () => Promise<T>): Promise<T> => {
    const t0 = nowMs();
    const result = await call();
    latencies[operation].push(nowMs() - t0);
    return result;
  };
  const created = await timed('create', () =>
    openai.beta.assistants.create({
      model: 'bench-model',
      name: label,
      instructions: 'Answer in one word.',
      metadata: { bench: 'crud' },
    }),
  );
  const seen = await timed('retrieve', () => openai.beta.assistants.retrieve(created.id));
  if (seen.id !== created.id) {
    throw new Error(`retrieve answered ${seen.id} for ${created.id}`);
  }
  await timed('update', () =>
    openai.beta.assistants.update(created.id, { name: `${label} (updated)` }),
  );
  // One page, as a client shows a list: the SDK's page object, not auto-pagination.
  const page = await timed('list', () => openai.beta.assistants.list({ limit: 20 }));
  if (page.data.length === 0) {
    throw new Error('list answered no assistants');
  }
  const deleted = await timed('delete', () => openai.beta.assistants.delete(created.id));
  if (!deleted.deleted) {
    throw new Error(`delete of ${created.id} answered deleted: false`);
  }
}

/** `cycles` CRUD cycles shared by `clients` concurrent clients (each one request at a time). */
export async function restCrud(
  bench: BenchApp,
  options: { clients: number; cycles: number },
): Promise<CrudResult> {
  const latencies = Object.fromEntries(CRUD_OPERATIONS.map((op) => [op, [] as number[]])) as Record<
    CrudOperation,
    number[]
  >;
  const errors: string[] = [];
  let next = 0;
  const meter = await cpuMeter(bench);
  const start = nowMs();
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (next < options.cycles) {
        const index = next;
        next += 1;
        try {
          await cycle(bench.openai, `crud ${index}`, latencies);
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  const elapsedMs = nowMs() - start;
  const cpu = await meter();
  const operations = options.cycles * CRUD_OPERATIONS.length;
  return {
    clients: options.clients,
    cycles: options.cycles,
    elapsedMs,
    latencies,
    processMsPerOp: cpu.processMs / operations,
    statementsPerOp: cpu.statements / operations,
    errors,
  };
}

export function opsPerSecond(result: CrudResult): number {
  return (result.cycles * CRUD_OPERATIONS.length) / (result.elapsedMs / 1000);
}

/** Table rows, one per operation: round trips in ms, n, p50, p99. */
export function crudRows(result: CrudResult, label: string): string[][] {
  return CRUD_OPERATIONS.map((op) => {
    const s = summarize(result.latencies[op]);
    return [`${label}: ${op}`, String(s.n), ms(s.p50), ms(s.p99)];
  });
}

export function crudLine(result: CrudResult, label: string): string {
  return (
    `${label}: ${result.cycles * CRUD_OPERATIONS.length} requests in ${ms(result.elapsedMs / 1000, 2)} s` +
    ` = ${ms(opsPerSecond(result), 0)} ops/s, ${result.errors.length} errors;` +
    ` this process ${ms(result.processMsPerOp, 2)} ms CPU and ${ms(result.statementsPerOp)} statements (all pools) per request`
  );
}
