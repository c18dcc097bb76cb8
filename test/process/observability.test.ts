import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../setup/fake-upstream.js';
import {
  ensureBuilt,
  phase,
  processDatabase,
  type Running,
  runBuiltProcess,
  waitForLog,
} from '../setup/processes.js';

/** A span as OTLP/HTTP JSON carries it (ids hex, attributes as key/value pairs). */
interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

interface Receiver {
  url: string;
  spans: ExportedSpan[];
  /** Every body received, as text: what left the processes, whole. */
  bodies: string[];
  close(): Promise<void>;
}

/** An OTLP/HTTP trace receiver: the collector the processes export to, inside the test. */
async function startReceiver(): Promise<Receiver> {
  const spans: ExportedSpan[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) {
        bodies.push(text);
        const body = JSON.parse(text) as {
          resourceSpans?: { scopeSpans?: { spans?: ExportedSpan[] }[] }[];
        };
        for (const resource of body.resourceSpans ?? []) {
          for (const scope of resource.scopeSpans ?? []) {
            spans.push(...(scope.spans ?? []));
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        res.writeHead(415).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function attribute(span: ExportedSpan, key: string): unknown {
  const value = span.attributes.find((item) => item.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      const names = receiver.spans.map((span) => `${span.traceId.slice(0, 6)} ${span.name}`);
      throw new Error(`not seen within ${timeoutMs} ms: ${what}; exported: ${names.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const database = processDatabase();
const apiKey = 'sk-observability-key-0123456789';
const metricsToken = 'metrics-token-0123456789abcdef';
const started: Running[] = [];
let receiver: Receiver;
let upstream: FakeUpstream;
let server: Running;
let worker: Running;
let client: OpenAI;
let serverPort: number;
let opsPort: number;

beforeAll(async () => {
  await ensureBuilt();
  receiver = await startReceiver();
  upstream = await startFakeUpstream();
  const common = {
    DATABASE_URL: database.url,
    HOST: '127.0.0.1',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    METRICS_TOKEN: metricsToken,
  };
  server = runBuiltProcess('main.ts', ['--role=server'], {
    ...common,
    PORT: '0',
    API_KEYS: apiKey,
  });
  started.push(server);
  serverPort = Number((await waitForLog(server, (line) => line.msg === 'server listening')).port);
  worker = runBuiltProcess('main.ts', ['--role=worker'], {
    ...common,
    OPS_PORT: '0',
    LLM_BASE_URL: upstream.url,
    LLM_MAX_RETRIES: '0',
  });
  started.push(worker);
  opsPort = Number(
    (await waitForLog(worker, (line) => line.msg === 'ops endpoints listening')).port,
  );
  await waitForLog(worker, (line) => line.msg === 'worker started');
  client = new OpenAI({ apiKey, baseURL: `http://127.0.0.1:${serverPort}/v1`, maxRetries: 0 });
}, 240_000);

afterAll(async () => {
  for (const running of started) {
    running.child.kill('SIGKILL');
  }
  await upstream?.close();
  await receiver?.close();
  await database.drop();
});

describe('the built server and worker, observed', () => {
  it('serve the web console from the compiled build, as from the sources', async () => {
    // dist/src/http sits one level deeper than src/http: the console is still found.
    const page = await fetch(`http://127.0.0.1:${serverPort}/threads/thread_x`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<title>Assistants console</title>');
  });

  it('export one trace from the request through the job to the model call, without the message text', async () => {
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
    upstream.script({ text: 'traced answer', usage: { prompt_tokens: 7, completion_tokens: 2 } });
    const run = await phase(
      'run across processes',
      20_000,
      client.beta.threads.createAndRunPoll({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content: 'whisper the private words' }] },
      }),
      { server, worker },
    );
    expect(run.status).toBe('completed');

    const request = await until('the server span of POST /v1/threads/runs', () =>
      receiver.spans.find((span) => span.name === 'POST /v1/threads/runs'),
    );
    const inTrace = (name: string) =>
      receiver.spans.find((span) => span.traceId === request.traceId && span.name === name);
    const chat = await until('the worker span of the model call, in the same trace', () =>
      inTrace('chat gpt-4o'),
    );
    for (const name of [
      'send execute-run',
      'process execute-run',
      'run.claim',
      'run.context',
      'db.run.write',
    ]) {
      await until(`span ${name} in the request's trace`, () => inTrace(name));
    }
    expect(attribute(request, 'http.route')).toBe('/v1/threads/runs');
    // A REST route's one GraphQL operation is named on the request's span, not a span of its own.
    expect(attribute(request, 'graphql.operation.name')).toBe('CreateThreadAndRun');
    expect(attribute(request, 'graphql.operation.type')).toBe('mutation');
    expect(inTrace('mutation CreateThreadAndRun')).toBeUndefined();
    expect(inTrace('send execute-run')?.parentSpanId).toBe(request.spanId);
    expect(attribute(chat, 'gen_ai.request.model')).toBe('gpt-4o');
    expect(attribute(chat, 'gen_ai.usage.input_tokens')).toBe(7);
    expect(attribute(chat, 'gen_ai.usage.output_tokens')).toBe(2);
    expect(attribute(chat, 'gen_ai.input.messages')).toBeUndefined();
    // The job's span hangs under the enqueue, in the other process.
    const send = inTrace('send execute-run');
    const processed = inTrace('process execute-run');
    expect(processed?.parentSpanId).toBe(send?.spanId);
    expect(receiver.bodies.join('\n')).not.toMatch(/whisper the private words|traced answer/);

    // A GraphQL client's operation keeps its own span, under the request's.
    const graphql = await fetch(`http://127.0.0.1:${serverPort}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query TracedProbe { __typename }' }),
    });
    expect(graphql.status).toBe(200);
    const operation = await until('the span of a /graphql operation', () =>
      receiver.spans.find((span) => span.name === 'query TracedProbe'),
    );
    const graphqlRequest = receiver.spans.find((span) => span.spanId === operation.parentSpanId);
    expect(graphqlRequest?.name).toBe('POST /graphql');
  });

  it('have each their own /metrics, and the worker its /healthz and /readyz on OPS_PORT', async () => {
    const scrape = async (port: number) => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
        headers: { authorization: `Bearer ${metricsToken}` },
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    const workerMetrics = await scrape(opsPort);
    const serverMetrics = await scrape(serverPort);
    expect(workerMetrics).toMatch(/^assistants_runs_total\{status="completed"\} [1-9]/m);
    expect(serverMetrics).not.toMatch(/^assistants_runs_total\{/m);
    expect(serverMetrics).toMatch(/^http_server_request_duration_seconds_count\{/m);
    expect(workerMetrics).not.toMatch(/^http_server_request_duration_seconds_count\{/m);
    expect((await fetch(`http://127.0.0.1:${opsPort}/metrics`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${opsPort}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { shutdown: 'ok', worker: 'ok', database: 'ok' },
    });
    expect((await fetch(`http://127.0.0.1:${opsPort}/v1/assistants`)).status).toBe(404);
  });

  it('make the worker unready as soon as SIGTERM arrives, while it is still alive', async () => {
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
    upstream.script({
      text: ['a ', 'slow ', 'answer ', 'to ', 'finish'],
      delayMsBetweenChunks: 300,
    });
    const before = upstream.requests.length;
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'take your time' }],
    });
    await client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    await upstream.waitForRequest(before + 1);

    worker.child.kill('SIGTERM');
    const draining = await phase(
      'readyz 503 after SIGTERM',
      5000,
      (async () => {
        for (;;) {
          const response = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
          if (response.status === 503) {
            return (await response.json()) as { checks: Record<string, string> };
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })(),
      { worker },
    );
    expect(draining.checks.shutdown).toBe('draining');
    expect((await fetch(`http://127.0.0.1:${opsPort}/healthz`)).status).toBe(200);
    expect(await worker.exit).toBe(0);
  });
});
