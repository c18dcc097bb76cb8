/**
 * GraphQL graph benchmark: one nested query for a thread's page of messages and runs (with the
 * messages' runs and assistants, the runs' steps and the steps' messages) against the flat
 * queries a client without relations sends for the same data, one round trip each; then a short
 * REST CRUD throughput measurement. Server and worker in one process, zero-latency fake upstream,
 * real PostgreSQL; prints a table.
 *
 *   npm run bench:graph
 *
 * The nested query and the flat sequence take turns, iteration by iteration, so drift in the
 * machine's speed hits both alike; read the ratio. Statements are counted for one request of
 * each after the warm-up (every `pg.Client#query` but pg-boss's own pool). Bounded: fixed
 * counts and a hard time limit for the process. Talks to 127.0.0.1 only. Exit code 0: done;
 * 1: a request failed or the two answers differ; 2: the bench itself failed. From the
 * environment: DATABASE_URL (local only; default: a fresh embedded PostgreSQL),
 * BENCH_ITERATIONS (Default: 300), BENCH_CLIENTS (REST CRUD; Default: 10).
 */
import { cpus } from 'node:os';
import pg from 'pg';
import { CRUD_OPERATIONS, type CrudResult, crudLine, opsPerSecond, restCrud } from './crud.js';
import { type BenchApp, startBenchApp } from './setup.js';
import { ms, nowMs, quantile, summarize, table } from './stats.js';

function intFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const SHAPE = { userMessages: 15, runs: 5 }; // 15 questions + 5 answers = 20 messages

const LIMITS = {
  warmup: 30,
  iterations: intFromEnv('BENCH_ITERATIONS', 300),
  crudWarmupCycles: 50,
  crudCycles: 100,
  crudClients: intFromEnv('BENCH_CLIENTS', 10),
  processLimitMs: 240_000,
};

const NESTED = `query Nested($id: ID!) {
  thread(id: $id) {
    id
    messages(first: 20) {
      nodes { id role content { text { value } } run { id status assistant { id name } } }
    }
    runs(first: 5) {
      nodes { id status assistant { id } steps { nodes { id type message { id } } } }
    }
  }
}`;

/** The same data the REST way: one object or list per request, related objects by their ids. */
const FLAT = {
  thread: 'query Thread($id: ID!) { thread(id: $id) { id } }',
  messages: `query Messages($threadId: ID!) {
    messages(threadId: $threadId, first: 20) {
      nodes { id role content { text { value } } runId }
    }
  }`,
  runs: `query Runs($threadId: ID!) {
    runs(threadId: $threadId, first: 5) { nodes { id status assistantId } }
  }`,
  runSteps: `query RunSteps($threadId: ID!, $runId: ID!) {
    runSteps(threadId: $threadId, runId: $runId) {
      nodes { id type stepDetails { messageCreation { messageId } } }
    }
  }`,
  assistant: 'query Assistant($id: ID!) { assistant(id: $id) { id name } }',
};

interface Text {
  text: { value: string } | null;
}
interface NestedData {
  thread: {
    id: string;
    messages: {
      nodes: {
        id: string;
        role: string;
        content: Text[];
        run: { id: string; status: string; assistant: { id: string; name: string | null } | null };
      }[];
    };
    runs: {
      nodes: {
        id: string;
        status: string;
        assistant: { id: string } | null;
        steps: { nodes: { id: string; type: string; message: { id: string } | null }[] };
      }[];
    };
  };
}
interface FlatMessages {
  messages: { nodes: { id: string; role: string; content: Text[]; runId: string | null }[] };
}
interface FlatRuns {
  runs: { nodes: { id: string; status: string; assistantId: string }[] };
}
interface FlatSteps {
  runSteps: {
    nodes: {
      id: string;
      type: string;
      stepDetails: { messageCreation: { messageId: string } | null };
    }[];
  };
}
interface FlatAssistant {
  assistant: { id: string; name: string | null };
}

interface Timed {
  ms: number;
  cpuMs: number;
}

/** POST /graphql as a client does (fetch, keep-alive), failing on any GraphQL error. */
function graphqlClient(bench: BenchApp) {
  const url = `${new URL(bench.openai.baseURL).origin}/graphql`;
  const headers = {
    authorization: `Bearer ${bench.openai.apiKey}`,
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  let bytes = 0;
  const request = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    bytes += text.length;
    const body = JSON.parse(text) as { data?: T | null; errors?: { message: string }[] };
    if (response.status !== 200 || body.errors || !body.data) {
      throw new Error(`graphql ${response.status}: ${text.slice(0, 300)}`);
    }
    return body.data;
  };
  return {
    request,
    /** Response bytes read since the last call. */
    takeBytes() {
      const taken = bytes;
      bytes = 0;
      return taken;
    },
  };
}

type Client = ReturnType<typeof graphqlClient>;

/** The page as both ways see it, to check that they answer the same. */
interface View {
  messages: {
    id: string;
    role: string;
    text: string;
    run: { id: string; status: string; assistant: unknown } | null;
  }[];
  runs: { id: string; status: string; assistantId: string | null; steps: unknown[] }[];
}

const textOf = (content: Text[]) => content.map((part) => part.text?.value ?? '').join('');

async function nested(client: Client, threadId: string): Promise<View> {
  const { thread } = await client.request<NestedData>(NESTED, { id: threadId });
  return {
    messages: thread.messages.nodes.map((m) => ({
      id: m.id,
      role: m.role,
      text: textOf(m.content),
      run: m.run && { id: m.run.id, status: m.run.status, assistant: m.run.assistant },
    })),
    runs: thread.runs.nodes.map((r) => ({
      id: r.id,
      status: r.status,
      assistantId: r.assistant?.id ?? null,
      steps: r.steps.nodes.map((s) => ({ id: s.id, type: s.type, messageId: s.message?.id })),
    })),
  };
}

/** thread, messages, runs, then each run's steps and assistant: 3 + 2 × runs round trips. */
async function flat(client: Client, threadId: string): Promise<View> {
  await client.request(FLAT.thread, { id: threadId });
  const messages = await client.request<FlatMessages>(FLAT.messages, { threadId });
  const runs = await client.request<FlatRuns>(FLAT.runs, { threadId });
  const runsById = new Map<string, View['runs'][number] & { assistant: unknown }>();
  for (const run of runs.runs.nodes) {
    const steps = await client.request<FlatSteps>(FLAT.runSteps, { threadId, runId: run.id });
    const assistant = await client.request<FlatAssistant>(FLAT.assistant, { id: run.assistantId });
    runsById.set(run.id, {
      id: run.id,
      status: run.status,
      assistantId: assistant.assistant.id,
      assistant: assistant.assistant,
      steps: steps.runSteps.nodes.map((s) => ({
        id: s.id,
        type: s.type,
        messageId: s.stepDetails.messageCreation?.messageId,
      })),
    });
  }
  return {
    messages: messages.messages.nodes.map((m) => {
      const run = m.runId ? runsById.get(m.runId) : undefined;
      return {
        id: m.id,
        role: m.role,
        text: textOf(m.content),
        run: run ? { id: run.id, status: run.status, assistant: run.assistant } : null,
      };
    }),
    runs: [...runsById.values()].map(({ assistant: _, ...run }) => run),
  };
}

/** Wall and CPU time of this process (server and client: one request in flight at a time). */
async function timed(work: () => Promise<unknown>): Promise<Timed> {
  const cpu = process.cpuUsage();
  const t0 = nowMs();
  await work();
  const elapsed = nowMs() - t0;
  const used = process.cpuUsage(cpu);
  return { ms: elapsed, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * Statements `work` sends through the app's pools: every `pg.Client#query` call while it runs,
 * but those of pg-boss's pool (the worker's polling, on its own timer). Wrapped for the duration
 * of `work` only, then put back as it was.
 */
async function statementsOf(work: () => Promise<unknown>): Promise<number> {
  const query = pg.Client.prototype.query;
  let statements = 0;
  const counting = function (this: pg.Client, ...args: unknown[]) {
    const client = this as pg.Client & { connectionParameters?: { application_name?: string } };
    if (client.connectionParameters?.application_name !== 'pgboss') {
      statements += 1;
    }
    return Reflect.apply(query, this, args);
  };
  pg.Client.prototype.query = counting as typeof query;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = query;
  }
  return statements;
}

/** An assistant and a thread of 15 questions answered by 5 completed runs (a step each). */
async function seed(bench: BenchApp): Promise<string> {
  const { openai } = bench;
  const assistant = await openai.beta.assistants.create({
    model: 'bench-model',
    name: 'Graph bench',
    instructions: 'Answer in one word.',
  });
  const thread = await openai.beta.threads.create({
    messages: Array.from({ length: SHAPE.userMessages }, (_, index) => ({
      role: 'user' as const,
      content: `question ${index}: ${'lorem ipsum '.repeat(8)}`,
    })),
  });
  for (let index = 0; index < SHAPE.runs; index += 1) {
    bench.upstream.script({ text: `answer ${index}` });
    const run = await openai.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id },
      { pollIntervalMs: 20 },
    );
    if (run.status !== 'completed') {
      throw new Error(`bench: seed run ${run.id} ended ${run.status}`);
    }
  }
  return thread.id;
}

function checkView(view: View): void {
  const answered = view.messages.filter((m) => m.run !== null).length;
  const steps = view.runs.flatMap((r) => r.steps);
  if (
    view.messages.length !== SHAPE.userMessages + SHAPE.runs ||
    view.runs.length !== SHAPE.runs ||
    answered !== SHAPE.runs ||
    steps.length !== SHAPE.runs
  ) {
    throw new Error(
      `bench: the page has ${view.messages.length} messages (${answered} by runs), ` +
        `${view.runs.length} runs, ${steps.length} steps`,
    );
  }
}

function row(label: string, values: number[], extra: string[]): string[] {
  const s = summarize(values);
  return [label, String(s.n), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), ...extra];
}

function crudRow(result: CrudResult, label: string): string[] {
  const all = CRUD_OPERATIONS.flatMap((op) => result.latencies[op]);
  const s = summarize(all);
  return [
    label,
    String(s.n),
    ms(s.p50),
    ms(s.p90),
    ms(s.p99),
    ms(s.max),
    `${ms(opsPerSecond(result), 0)} ops/s`,
  ];
}

async function main(): Promise<number> {
  const limit = setTimeout(() => {
    process.stderr.write(`bench: hard limit of ${LIMITS.processLimitMs} ms reached\n`);
    process.exit(2);
  }, LIMITS.processLimitMs);
  limit.unref();

  // The run sweep is pushed out of the way: only the measured requests use the app's pools.
  const bench = await startBenchApp({ env: { RUN_SWEEP_INTERVAL_MS: '3600000' } });
  try {
    const threadId = await seed(bench);
    const client = graphqlClient(bench);

    // Both ways must answer the same page before either is timed.
    const nestedView = await nested(client, threadId);
    const flatView = await flat(client, threadId);
    checkView(nestedView);
    if (JSON.stringify(nestedView) !== JSON.stringify(flatView)) {
      process.stderr.write(
        `nested: ${JSON.stringify(nestedView)}\nflat:   ${JSON.stringify(flatView)}\n`,
      );
      process.stdout.write('FAIL  the nested query and the flat queries answer differently\n');
      return 1;
    }
    const flatRequests = 3 + 2 * SHAPE.runs;

    // Warm-up (JIT, prepared statements, the key cache, keep-alive sockets): not measured.
    for (let i = 0; i < LIMITS.warmup; i += 1) {
      await nested(client, threadId);
      await flat(client, threadId);
    }
    client.takeBytes();
    const nestedStatements = await statementsOf(() => nested(client, threadId));
    const nestedBytes = client.takeBytes();
    const flatStatements = await statementsOf(() => flat(client, threadId));
    const flatBytes = client.takeBytes();

    // Turn by turn, each going first every other iteration.
    const nestedTimes: Timed[] = [];
    const flatTimes: Timed[] = [];
    for (let i = 0; i < LIMITS.iterations; i += 1) {
      const one = () => timed(() => nested(client, threadId));
      const all = () => timed(() => flat(client, threadId));
      if (i % 2 === 0) {
        nestedTimes.push(await one());
        flatTimes.push(await all());
      } else {
        flatTimes.push(await all());
        nestedTimes.push(await one());
      }
    }
    const ratios = nestedTimes.map((n, i) => (flatTimes[i]?.ms ?? Number.NaN) / n.ms);

    // REST CRUD through the official SDK (bench:rest-crud measures the same on its own).
    const crudWarm = await restCrud(bench, {
      clients: LIMITS.crudClients,
      cycles: LIMITS.crudWarmupCycles,
    });
    const crudOne = await restCrud(bench, { clients: 1, cycles: LIMITS.crudCycles });
    const crudMany = await restCrud(bench, {
      clients: LIMITS.crudClients,
      cycles: LIMITS.crudCycles,
    });
    const crudErrors = [...crudWarm.errors, ...crudOne.errors, ...crudMany.errors];

    const cpuP50 = (times: Timed[]) =>
      ms(
        quantile(
          times.map((t) => t.cpuMs),
          0.5,
        ),
      );
    const out = [
      'GraphQL graph benchmark: server + worker in one process, over HTTP POST /graphql',
      `node ${process.version}, ${cpus().length} CPUs, ${bench.database}; thread of ` +
        `${SHAPE.userMessages + SHAPE.runs} messages and ${SHAPE.runs} runs (a step each)`,
      '',
      table([
        ['ms', 'n', 'p50', 'p90', 'p99', 'max', 'round trips', 'statements', 'CPU p50'],
        row(
          'nested thread query',
          nestedTimes.map((t) => t.ms),
          ['1', String(nestedStatements), cpuP50(nestedTimes)],
        ),
        row(
          'flat queries, in sequence',
          flatTimes.map((t) => t.ms),
          [String(flatRequests), String(flatStatements), cpuP50(flatTimes)],
        ),
        row('flat / nested, pair by pair (ratio)', ratios, ['', '', '']),
      ]),
      '',
      `response bytes: nested ${nestedBytes}, flat ${flatBytes} in ${flatRequests} responses. ` +
        'CPU: this process (client and server), per query or sequence.',
      '',
      table([
        ['REST CRUD, ms per request', 'n', 'p50', 'p90', 'p99', 'max', 'throughput'],
        crudRow(crudOne, '1 client'),
        crudRow(crudMany, `${LIMITS.crudClients} clients`),
      ]),
      '',
      crudLine(crudOne, 'REST CRUD, 1 client'),
      crudLine(crudMany, `REST CRUD, ${LIMITS.crudClients} clients`),
      ...crudErrors.slice(0, 5).map((error) => `  error: ${error}`),
      '',
      'How: the flat sequence is thread, messages(threadId), runs(threadId), then for each run',
      'runSteps(threadId, runId) and assistant(id), one POST each, awaited in turn as a REST client',
      "does; both answers are checked equal first. REST CRUD: an assistant's create, retrieve,",
      'update, list (one page) and delete through the official SDK; ops/s = requests per second.',
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    return crudErrors.length === 0 ? 0 : 1;
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
