// Console benchmark (issue #14): token → screen latency in the web console against the same
// tokens received by a plain SDK client, in the same runs; and the first load of `/`.
// The SDK starts each run with `stream: true`; the console, open on the thread in headless
// Chromium, receives it over graphql-ws (threadEvents). The fake upstream stamps each token
// as it writes it; the SDK's time is when its textDelta arrives, the page's is the first
// animation frame after the token entered the transcript (when it is painted).
// Usage: npm run bench:console   (needs the console built: npm run console:build; 127.0.0.1 only)
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CONSOLE_DIST } from '../src/http/console-assets.js';
import { CHROMIUM } from '../test/setup/browser.js';
import { startBenchApp } from './setup.js';
import { ms, nowMs, summarize, table } from './stats.js';

const RUNS = Number(process.env.BENCH_CONSOLE_RUNS ?? 8);
const TOKENS = 30;
const GAP_MS = 20;
const LOADS = Number(process.env.BENCH_CONSOLE_LOADS ?? 10);
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function initialJsGzipped(): Promise<number> {
  const index = await readFile(path.join(CONSOLE_DIST, 'index.html'), 'utf8');
  let total = 0;
  for (const match of index.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)) {
    total += gzipSync(await readFile(path.join(CONSOLE_DIST, match[1] ?? ''))).length;
  }
  return total;
}

const bench = await startBenchApp();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
try {
  const baseUrl = bench.openai.baseURL.replace(/\/v1$/, '');
  const apiKey = bench.openai.apiKey ?? '';

  // First load of / in a fresh context each time (nothing cached): navigation timing, and until
  // the sign-in field is on screen.
  const loads: { dcl: number[]; load: number[]; field: number[] } = {
    dcl: [],
    load: [],
    field: [],
  };
  for (let i = 0; i < LOADS; i += 1) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const started = nowMs();
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('API key').waitFor();
    loads.field.push(nowMs() - started);
    const timing = await page.evaluate(() => {
      const [entry] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
      return {
        dcl: entry?.domContentLoadedEventEnd ?? Number.NaN,
        load: entry?.loadEventEnd ?? Number.NaN,
      };
    });
    loads.dcl.push(timing.dcl);
    loads.load.push(timing.load);
    await context.close();
  }

  // The console open on a thread, signed in.
  const assistant = await bench.openai.beta.assistants.create({ model: 'gpt-4o', name: 'Bench' });
  const thread = await bench.openai.beta.threads.create({
    messages: [{ role: 'user', content: 'stream please' }],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.goto(`${baseUrl}/threads/${thread.id}`);
  await page.getByRole('log').waitFor();
  await page.getByText('stream please').waitFor();
  // Bench instrumentation, in the page only: when each token first shows in the transcript.
  await page.evaluate(() => {
    const seen = new Map<string, number>();
    (window as unknown as { tokenPaints: Map<string, number> }).tokenPaints = seen;
    const log = document.querySelector('[role="log"]');
    if (!log) {
      throw new Error('no transcript');
    }
    new MutationObserver(() => {
      const text = log.textContent ?? '';
      requestAnimationFrame(() => {
        const at = performance.timeOrigin + performance.now();
        for (const match of text.matchAll(/(r\d+t\d+) /g)) {
          if (!seen.has(match[1] ?? '')) {
            seen.set(match[1] ?? '', at);
          }
        }
      });
    }).observe(log, { childList: true, subtree: true, characterData: true });
  });

  const emitted = new Map<string, number>();
  const sdkLatencies: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    bench.upstream.script({
      text: Array.from({ length: TOKENS }, (_, index) => `r${run}t${index} `),
      delayMsBetweenChunks: GAP_MS,
      onPiece: (index, atMs) => emitted.set(`r${run}t${index}`, performance.timeOrigin + atMs),
    });
    const stream = bench.openai.beta.threads.runs.stream(thread.id, {
      assistant_id: assistant.id,
    });
    stream.on('textDelta', (delta) => {
      const at = nowMs();
      for (const match of (delta.value ?? '').matchAll(/(r\d+t\d+) /g)) {
        const sent = emitted.get(match[1] ?? '');
        if (sent !== undefined) {
          sdkLatencies.push(at - sent);
        }
      }
    });
    await stream.finalRun();
    await page
      .getByText(`r${run}t${TOKENS - 1}`)
      .waitFor()
      .catch(async (error: unknown) => {
        await page.screenshot({ path: '/tmp/bench-console-fail.png' });
        process.stderr.write(`page said: ${await page.getByRole('main').textContent()}\n`);
        throw error;
      });
    await page.getByRole('status').getByText('Run completed').waitFor();
  }
  const paints = new Map<string, number>(
    await page.evaluate(() => [
      ...(window as unknown as { tokenPaints: Map<string, number> }).tokenPaints,
    ]),
  );
  const screenLatencies = [...emitted].flatMap(([token, sent]) => {
    const painted = paints.get(token);
    return painted === undefined ? [] : [painted - sent];
  });

  const sdk = summarize(sdkLatencies);
  const screen = summarize(screenLatencies);
  const row = (name: string, s: ReturnType<typeof summarize>) => [
    name,
    String(s.n),
    ms(s.p50),
    ms(s.p90),
    ms(s.p99),
    ms(s.max),
  ];
  process.stdout.write(
    `\nConsole bench: ${RUNS} runs × ${TOKENS} tokens, ${GAP_MS} ms apart; ${bench.database}\n\n`,
  );
  process.stdout.write(
    `${table([
      ['token latency (ms)', 'tokens', 'p50', 'p90', 'p99', 'max'],
      row('SDK client (REST stream)', sdk),
      row('console (painted)', screen),
    ])}\n\n`,
  );
  process.stdout.write(
    `console − SDK: p50 ${ms(screen.p50 - sdk.p50)} ms, p99 ${ms(screen.p99 - sdk.p99)} ms\n\n`,
  );
  const field = summarize(loads.field);
  const dcl = summarize(loads.dcl);
  const load = summarize(loads.load);
  process.stdout.write(
    `${table([
      [`first load of / (${LOADS} fresh contexts, ms)`, 'p50', 'p90', 'max'],
      ['DOMContentLoaded', ms(dcl.p50), ms(dcl.p90), ms(dcl.max)],
      ['load event', ms(load.p50), ms(load.p90), ms(load.max)],
      ['sign-in field visible (from goto)', ms(field.p50), ms(field.p90), ms(field.max)],
    ])}\n\ninitial JS: ${((await initialJsGzipped()) / 1024).toFixed(1)} KB gzipped (budget 250 KB)\n`,
  );
  if (screenLatencies.length !== RUNS * TOKENS || pageErrors.length > 0) {
    process.stdout.write(
      `\nWARNING: ${screenLatencies.length} of ${RUNS * TOKENS} tokens seen on screen; page errors: ${pageErrors.join('; ') || 'none'}\n`,
    );
    process.exitCode = 1;
  }
  await context.close();
} finally {
  await browser.close();
  await bench.close();
}
