/**
 * Retrieval benchmark (issue #6): server and worker in one process over real PostgreSQL, the
 * fake upstream's deterministic embeddings. Measures ingestion throughput (MB/s of text from
 * `file_batches.create` to every file searchable) and search latency p50/p99 over 10,000 chunks,
 * keyword-only and hybrid; prints a table.
 *
 *   npm run bench:retrieval
 *
 * Each configuration runs in a child process of its own (fresh embedded PostgreSQL, cold caches).
 * Bounded: a fixed synthetic corpus, a deadline per phase and a hard limit for the process.
 * Talks to 127.0.0.1 only. Exit code 0: done; 1: an ingestion or a search failed; 2: the bench
 * itself failed. From the environment: DATABASE_URL (local only; default: a fresh embedded
 * PostgreSQL), WORKER_CONCURRENCY, BENCH_EMBEDDING_DIMENSIONS (Default: 1536).
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { toFile } from 'openai';
import type { ServiceContext } from '../src/context.js';
import { authenticate } from '../src/services/auth/api-keys.js';
import { runVectorSearch } from '../src/services/vector-stores/search/vector-search.js';
import { type CpuReading, cpuMeter, cpuPer } from './phases.js';
import { type BenchApp, startBenchApp } from './setup.js';
import { ms, nowMs, seededRandom, summarize, table } from './stats.js';

const CORPUS = {
  files: 40,
  /** Static windows of 128 tokens without overlap, so the corpus size sets the chunk count. */
  chunking: { max_chunk_size_tokens: 128, chunk_overlap_tokens: 0 },
  /** Chunks the corpus must come to (each file is sized for its share). */
  chunks: 10_000,
  vocabulary: 6000,
};

const LIMITS = {
  warmupQueries: 20,
  queries: 300,
  ingestMs: 180_000,
  processLimitMs: 600_000,
};

function intFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const DIMENSIONS = intFromEnv('BENCH_EMBEDDING_DIMENSIONS', 1536);

/** Pronounceable made-up words; drawn with a Zipf-like skew, as words are in real text. */
function vocabulary(size: number, next: () => number): string[] {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ra', 'su', 'ti', 'vo', 'ze', 'pa', 'dor', 'lin'];
  const words = new Set<string>();
  while (words.size < size) {
    const length = 2 + Math.floor(next() * 3);
    words.add(
      Array.from({ length }, () => syllables[Math.floor(next() * syllables.length)]).join(''),
    );
  }
  return [...words];
}

function zipfPick(words: string[], next: () => number): string {
  return words[Math.floor(words.length * next() ** 3)] ?? 'x';
}

/** A document of roughly `tokens` tokens: sentences of 8-20 words, paragraphs of 4-8 sentences. */
function documentText(words: string[], tokens: number, next: () => number): string {
  const paragraphs: string[] = [];
  let count = 0;
  while (count < tokens) {
    const sentences: string[] = [];
    for (let s = 4 + Math.floor(next() * 5); s > 0; s -= 1) {
      const length = 8 + Math.floor(next() * 13);
      const sentence = Array.from({ length }, () => zipfPick(words, next)).join(' ');
      sentences.push(`${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`);
      // Made-up words cost ~2-3 tokens each.
      count += length * 2.5;
    }
    paragraphs.push(sentences.join(' '));
  }
  return paragraphs.join('\n\n');
}

interface Ingestion {
  bytes: number;
  seconds: number;
  chunks: number;
  failed: number;
  cpu: CpuReading;
}

async function ingest(bench: BenchApp, texts: string[]): Promise<{ storeId: string } & Ingestion> {
  const { openai } = bench;
  const store = await openai.vectorStores.create({ name: 'bench' });
  const fileIds: string[] = [];
  for (const [index, text] of texts.entries()) {
    const file = await openai.files.create({
      file: await toFile(Buffer.from(text), `doc-${index}.txt`),
      purpose: 'assistants',
    });
    fileIds.push(file.id);
  }
  const meter = await cpuMeter(bench);
  const started = nowMs();
  const batch = await openai.vectorStores.fileBatches.createAndPoll(
    store.id,
    { file_ids: fileIds, chunking_strategy: { type: 'static', static: CORPUS.chunking } },
    { pollIntervalMs: 50 },
  );
  const seconds = (nowMs() - started) / 1000;
  const cpu = await meter();
  if (seconds * 1000 > LIMITS.ingestMs) {
    throw new Error(`ingestion took ${ms(seconds, 1)} s, over the phase deadline`);
  }
  const chunks = await bench.deps.db.vectorStoreChunk.count({ where: { vectorStoreId: store.id } });
  return {
    storeId: store.id,
    bytes: texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0),
    seconds,
    chunks,
    failed: batch.file_counts.failed + batch.file_counts.cancelled,
    cpu,
  };
}

interface Latencies {
  api: number[];
  service: number[];
  /** The first search: for hybrid, it loads the store's vectors into the cache. */
  cold: number;
  empty: number;
  /** CPU over the HTTP searches alone. */
  cpu: CpuReading;
}

async function searchLatencies(
  bench: BenchApp,
  storeId: string,
  queries: string[],
): Promise<Latencies> {
  const ctx: ServiceContext = {
    db: bench.deps.db,
    logger: bench.deps.logger,
    jobs: bench.deps.jobs,
    settings: bench.deps.settings,
    runEvents: bench.deps.runEvents,
    responseEvents: bench.deps.responseEvents,
    storage: bench.deps.storage,
    retrieval: bench.deps.retrieval,
    actor: await authenticate(bench.deps.db, `Bearer ${bench.openai.apiKey}`),
  };
  const timed = async (work: () => Promise<number>) => {
    const started = nowMs();
    const results = await work();
    return { ms: nowMs() - started, results };
  };
  const search = (query: string) =>
    timed(async () => (await bench.openai.vectorStores.search(storeId, { query })).data.length);
  const cold = await search(queries[0] ?? 'x');
  for (const query of queries.slice(0, LIMITS.warmupQueries)) {
    await search(query);
  }
  const api: number[] = [];
  let empty = 0;
  const meter = await cpuMeter(bench);
  for (const query of queries) {
    const call = await search(query);
    api.push(call.ms);
    empty += call.results === 0 ? 1 : 0;
  }
  const result: Latencies = { api, service: [], cold: cold.ms, empty, cpu: await meter() };
  for (const query of queries) {
    const direct = await timed(
      async () =>
        (await runVectorSearch(ctx, { vectorStoreIds: [storeId], query, maxNumResults: 10 })).data
          .length,
    );
    result.service.push(direct.ms);
  }
  return result;
}

/** `cpuPer` speaks of runs; here the unit is a file or a search. */
function cpuEach(reading: CpuReading, count: number): string {
  return cpuPer(reading, count).replace(' per run', ' each');
}

function latencyRow(label: string, values: number[]): string[] {
  const s = summarize(values);
  return [label, String(s.n), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max)];
}

interface PhaseResult {
  ingestion: Ingestion;
  latencies: Latencies;
  vectorIndex: string;
}

const PHASES = {
  'keyword-only': {},
  hybrid: { EMBEDDING_MODEL: 'bench-embed' },
} as const satisfies Record<string, Record<string, string>>;

type PhaseName = keyof typeof PHASES;

/** The same corpus and queries in every process (seeded). */
function workload(): { texts: string[]; queries: string[] } {
  // Seeded, so every run indexes and searches the same text.
  const next = seededRandom(6);
  const words = vocabulary(CORPUS.vocabulary, next);
  const tokensPerFile = (CORPUS.chunks / CORPUS.files) * CORPUS.chunking.max_chunk_size_tokens;
  const texts = Array.from({ length: CORPUS.files }, () =>
    documentText(words, tokensPerFile, next),
  );
  const queries = Array.from({ length: LIMITS.queries }, () =>
    Array.from({ length: 2 + Math.floor(next() * 3) }, () => zipfPick(words, next)).join(' '),
  );
  return { texts, queries };
}

/** One configuration in this process: its own app, database and fake upstream. */
async function runPhase(name: PhaseName): Promise<PhaseResult> {
  const { texts, queries } = workload();
  const bench = await startBenchApp({ env: PHASES[name], embeddingDimensions: DIMENSIONS });
  try {
    const ingestion = await ingest(bench, texts);
    process.stderr.write(
      `${name}: ${ingestion.chunks} chunks from ${ms(ingestion.bytes / 1e6, 1)} MB in ${ms(ingestion.seconds, 1)} s\n`,
    );
    const latencies = await searchLatencies(bench, ingestion.storeId, queries);
    return { ingestion, latencies, vectorIndex: bench.deps.retrieval.vectorIndex.kind };
  } finally {
    await bench.close();
  }
}

/**
 * Runs a phase in a child process: each gets a fresh embedded PostgreSQL and a cold process
 * (a second embedded PostgreSQL in one process trips async-exit-hook), and the last line of its
 * stdout is its result as JSON.
 */
function phaseInChild(name: PhaseName): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1] ?? '', name], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = output.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`phase ${name} exited with ${code}`));
        return;
      }
      resolve(JSON.parse(last) as PhaseResult);
    });
  });
}

async function main(): Promise<number> {
  const limit = setTimeout(() => {
    process.stderr.write(`bench: hard limit of ${LIMITS.processLimitMs} ms reached\n`);
    process.exit(2);
  }, LIMITS.processLimitMs);
  limit.unref();

  const keyword = await phaseInChild('keyword-only');
  const hybrid = await phaseInChild('hybrid');

  const throughput = (run: Ingestion) => ms(run.bytes / 1e6 / run.seconds, 2);
  const out = [
    'Retrieval benchmark: server + worker in one process, fake upstream embeddings',
    `node ${process.version}, ${cpus().length} CPUs; ${CORPUS.files} files, static chunking ` +
      `${CORPUS.chunking.max_chunk_size_tokens}/${CORPUS.chunking.chunk_overlap_tokens} tokens; ` +
      `embeddings ${DIMENSIONS} dims, vector index ${hybrid.vectorIndex}`,
    '',
    table([
      ['ingestion', 'MB', 'chunks', 'seconds', 'MB/s', 'failed'],
      ...(
        [
          ['keyword-only', keyword.ingestion],
          ['hybrid (with embeddings)', hybrid.ingestion],
        ] as const
      ).map(([label, run]) => [
        label,
        ms(run.bytes / 1e6, 2),
        String(run.chunks),
        ms(run.seconds, 2),
        throughput(run),
        String(run.failed),
      ]),
    ]),
    '',
    table([
      ['search ms', 'n', 'p50', 'p90', 'p99', 'max'],
      latencyRow('keyword-only: vectorStores.search (HTTP)', keyword.latencies.api),
      latencyRow('keyword-only: search service', keyword.latencies.service),
      latencyRow('hybrid: vectorStores.search (HTTP)', hybrid.latencies.api),
      latencyRow('hybrid: search service', hybrid.latencies.service),
      ['hybrid: first search (loads the vector cache)', '1', ms(hybrid.latencies.cold), '', '', ''],
    ]),
    '',
    `CPU per file indexed, keyword-only: ${cpuEach(keyword.ingestion.cpu, CORPUS.files)}`,
    `CPU per file indexed, hybrid: ${cpuEach(hybrid.ingestion.cpu, CORPUS.files)}`,
    `CPU per search (HTTP), keyword-only: ${cpuEach(keyword.latencies.cpu, LIMITS.queries)}`,
    `CPU per search (HTTP), hybrid: ${cpuEach(hybrid.latencies.cpu, LIMITS.queries)}`,
    `queries: ${LIMITS.queries} of 2-4 corpus words after ${LIMITS.warmupQueries} warm-up; ` +
      `max_num_results 10; without results: keyword ${keyword.latencies.empty}, hybrid ` +
      `${hybrid.latencies.empty}.`,
    'Ingestion: file_batches.create -> batch completed (extraction, chunking, embedding through',
    'the fake upstream over HTTP, chunk writes); uploads are not counted. Service rows call',
    'runVectorSearch in process (no HTTP, no GraphQL), in a second pass over the same queries.',
    "The fake upstream runs in this process: its embedding work counts as this process's CPU.",
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  clearTimeout(limit);
  const failed = keyword.ingestion.failed + hybrid.ingestion.failed;
  return failed === 0 && keyword.ingestion.chunks >= CORPUS.chunks * 0.9 ? 0 : 1;
}

const requested = process.argv[2];
const run =
  requested === undefined
    ? main()
    : requested in PHASES
      ? runPhase(requested as PhaseName).then((result) => {
          process.stdout.write(`${JSON.stringify(result)}\n`);
          return 0;
        })
      : Promise.reject(new Error(`unknown phase ${requested}`));

run.then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  },
);
