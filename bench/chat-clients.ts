/**
 * The chat bench's clients, in a process of their own (started by bench/chat.ts over IPC): the
 * official SDK doing what chat front ends do, against the real server, the in-memory server or
 * the upstream directly. Each request from the bench names one operation; the reply carries what
 * this process saw, timed on its own clock (epoch ms, sub-ms), and the CPU it used.
 *
 *   env: BENCH_SERVER_URL, BENCH_MEMORY_URL, BENCH_UPSTREAM_URL, BENCH_API_KEY
 */
import OpenAI from 'openai';
import { nowMs } from './stats.js';

export type Target = 'server' | 'memory';

export type ChatOperation =
  | { op: 'direct' }
  | { op: 'run'; target: Target; assistantId: string }
  | { op: 'threads'; target: Target; count: number; messages: number }
  | {
      op: 'loop';
      target: Target;
      kind: 'stream' | 'create' | 'list';
      threadIds: string[];
      seconds: number;
      assistantId: string;
    };

export interface TokenSeen {
  token: string;
  at: number;
}

export interface StreamTiming {
  /** Request sent → the end (chunk with finish, or `thread.run.completed`), ms. */
  total: number;
  /** Request sent → first text piece, ms. */
  first: number;
  tokens: TokenSeen[];
  /** SSE events (server) or chunks (upstream) received. */
  events: number;
  error: string | null;
}

export interface LoopOutcome {
  completed: number;
  errors: string[];
  latencies: number[];
  elapsedMs: number;
}

export interface Threads {
  threadIds: string[];
}

export type ChatReply = (StreamTiming | LoopOutcome | Threads) & { cpuMs: number };

const TOKEN = /(s\d+t\d+) /g;

function seen(text: string, at: number, into: TokenSeen[]): void {
  for (const match of text.matchAll(TOKEN)) {
    into.push({ token: match[1] ?? '', at });
  }
}

function clients(): { server: OpenAI; memory: OpenAI; upstream: OpenAI } {
  const apiKey = process.env.BENCH_API_KEY;
  const server = process.env.BENCH_SERVER_URL;
  const memory = process.env.BENCH_MEMORY_URL;
  const upstream = process.env.BENCH_UPSTREAM_URL;
  if (!apiKey || !server || !memory || !upstream) {
    throw new Error('bench chat clients: BENCH_* URLs and key missing');
  }
  // The settings of every bench client: no retry hides an error, a stuck call ends.
  const options = { apiKey, maxRetries: 0, timeout: 30_000 };
  return {
    server: new OpenAI({ ...options, baseURL: server }),
    memory: new OpenAI({ ...options, baseURL: memory }),
    upstream: new OpenAI({ ...options, baseURL: upstream }),
  };
}

async function direct(upstream: OpenAI): Promise<StreamTiming> {
  const tokens: TokenSeen[] = [];
  let events = 0;
  let first = Number.NaN;
  const t0 = nowMs();
  const stream = await upstream.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'hello' }],
    stream: true,
  });
  for await (const chunk of stream) {
    events += 1;
    const piece = chunk.choices[0]?.delta.content;
    if (piece) {
      const at = nowMs();
      if (Number.isNaN(first)) {
        first = at - t0;
      }
      seen(piece, at, tokens);
    }
  }
  return { total: nowMs() - t0, first, tokens, events, error: null };
}

/** One streamed run on a new thread: the message is created first, untimed. */
async function streamedRun(
  openai: OpenAI,
  threadId: string,
  assistantId: string,
): Promise<StreamTiming> {
  const tokens: TokenSeen[] = [];
  let events = 0;
  let first = Number.NaN;
  let total = Number.NaN;
  let status = 'none';
  const t0 = nowMs();
  const stream = openai.beta.threads.runs.stream(threadId, { assistant_id: assistantId });
  for await (const event of stream) {
    const at = nowMs();
    events += 1;
    if (event.event === 'thread.message.delta') {
      if (Number.isNaN(first)) {
        first = at - t0;
      }
      for (const part of event.data.delta.content ?? []) {
        if (part.type === 'text') {
          seen(part.text?.value ?? '', at, tokens);
        }
      }
    } else if (
      event.event.startsWith('thread.run.') &&
      !event.event.startsWith('thread.run.step')
    ) {
      status = event.event.slice('thread.run.'.length);
      if (event.event === 'thread.run.completed') {
        total = at - t0;
      }
    }
  }
  return {
    total,
    first,
    tokens,
    events,
    error: status === 'completed' ? null : `run ended with ${status}`,
  };
}

async function oneRun(openai: OpenAI, assistantId: string): Promise<StreamTiming> {
  const thread = await openai.beta.threads.create();
  await openai.beta.threads.messages.create(thread.id, { role: 'user', content: 'hello' });
  return streamedRun(openai, thread.id, assistantId);
}

/** A new thread every this many turns: a conversation's length, so cost does not grow with time. */
const TURNS_PER_THREAD = 10;

/**
 * Threads for a load phase, each with `messages` messages, made before its clock starts, a few at
 * a time (setup is not what is measured, and must not fail from contention).
 */
async function threads(openai: OpenAI, count: number, messages: number): Promise<Threads> {
  const threadIds: string[] = [];
  const make = async () => {
    const thread = await openai.beta.threads.create();
    for (let index = 0; index < messages; index += 1) {
      await openai.beta.threads.messages.create(thread.id, {
        role: 'user',
        content: `message ${index}`,
      });
    }
    threadIds.push(thread.id);
  };
  while (threadIds.length < count) {
    await Promise.all(Array.from({ length: Math.min(5, count - threadIds.length) }, make));
  }
  return { threadIds };
}

async function loop(
  openai: OpenAI,
  operation: Extract<ChatOperation, { op: 'loop' }>,
): Promise<LoopOutcome> {
  const errors: string[] = [];
  const latencies: number[] = [];
  let completed = 0;
  const threads = operation.threadIds;
  const start = nowMs();
  const deadline = start + operation.seconds * 1000;

  async function client(index: number): Promise<void> {
    let threadId = threads[index] ?? '';
    let turns = 0;
    while (nowMs() < deadline) {
      const t0 = nowMs();
      try {
        if (operation.kind === 'stream') {
          if (turns === TURNS_PER_THREAD) {
            threadId = (await openai.beta.threads.create()).id;
            turns = 0;
          }
          turns += 1;
          await openai.beta.threads.messages.create(threadId, { role: 'user', content: 'hi' });
          const run = await streamedRun(openai, threadId, operation.assistantId);
          if (run.error) {
            errors.push(run.error);
            continue;
          }
        } else if (operation.kind === 'create') {
          await openai.beta.threads.messages.create(threadId, { role: 'user', content: 'hi' });
        } else {
          const page = await openai.beta.threads.messages.list(threadId, { limit: 20 });
          if (page.data.length !== 20) {
            errors.push(`list returned ${page.data.length} messages`);
            continue;
          }
        }
        completed += 1;
        latencies.push(nowMs() - t0);
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  }
  await Promise.all(threads.map((_, index) => client(index)));
  return { completed, errors, latencies, elapsedMs: nowMs() - start };
}

const send = process.send?.bind(process);
if (!send) {
  process.stderr.write('bench chat clients: needs an IPC channel\n');
  process.exit(2);
}
const sdk = clients();

process.on('message', (operation: ChatOperation) => {
  const cpu = process.cpuUsage();
  const work =
    operation.op === 'direct'
      ? direct(sdk.upstream)
      : operation.op === 'run'
        ? oneRun(sdk[operation.target], operation.assistantId)
        : operation.op === 'threads'
          ? threads(sdk[operation.target], operation.count, operation.messages)
          : loop(sdk[operation.target], operation);
  work.then(
    (outcome) => {
      const used = process.cpuUsage(cpu);
      send({ ...outcome, cpuMs: (used.user + used.system) / 1000 });
    },
    (error: unknown) => {
      process.stderr.write(`bench chat clients: ${error instanceof Error ? error.stack : error}\n`);
      process.exit(2);
    },
  );
});
process.on('disconnect', () => process.exit(0));
send({ ready: true });
