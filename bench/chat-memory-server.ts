import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';

/**
 * The floor the chat bench compares against: a tiny server with no database that answers the
 * chat paths in the same wire shape as ours (a message, a page of messages, a run's SSE stream
 * from the upstream's chunks), so what the bench client, the SDK and the upstream cost by
 * themselves is visible next to what the real server adds. It keeps nothing but counters.
 */
export interface MemoryServer {
  /** Base URL including `/v1`. */
  url: string;
  close(): Promise<void>;
}

let counter = 0;
function nextId(prefix: string): string {
  counter += 1;
  return `${prefix}_mem${counter.toString(36).padStart(20, '0')}`;
}

function message(threadId: string, role: 'user' | 'assistant', text: string, runId?: string) {
  return {
    id: nextId('msg'),
    object: 'thread.message',
    created_at: Math.floor(Date.now() / 1000),
    assistant_id: null,
    thread_id: threadId,
    run_id: runId ?? null,
    role,
    content: [{ type: 'text', text: { value: text, annotations: [] } }],
    attachments: [],
    metadata: {},
    status: 'completed',
    incomplete_details: null,
    incomplete_at: null,
    completed_at: Math.floor(Date.now() / 1000),
  };
}

function run(threadId: string, assistantId: string, status: string) {
  return {
    id: nextId('run'),
    object: 'thread.run',
    created_at: Math.floor(Date.now() / 1000),
    thread_id: threadId,
    assistant_id: assistantId,
    status,
    model: 'gpt-4o',
    instructions: '',
    tools: [],
    metadata: {},
    usage: null,
    temperature: 1,
    top_p: 1,
    max_prompt_tokens: null,
    max_completion_tokens: null,
    truncation_strategy: { type: 'auto', last_messages: null },
    response_format: 'auto',
    tool_choice: 'auto',
    parallel_tool_calls: true,
    required_action: null,
    last_error: null,
    incomplete_details: null,
    started_at: null,
    expires_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
  };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

function json(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function streamRun(
  upstream: OpenAI,
  res: ServerResponse,
  threadId: string,
  body: Record<string, unknown>,
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const send = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const created = run(threadId, String(body.assistant_id ?? ''), 'queued');
  send('thread.run.created', created);
  send('thread.run.queued', created);
  send('thread.run.in_progress', { ...created, status: 'in_progress' });
  const reply = message(threadId, 'assistant', '', created.id);
  const stream = await upstream.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'hello' }],
    stream: true,
  });
  let first = true;
  let text = '';
  for await (const chunk of stream) {
    const piece = chunk.choices[0]?.delta.content;
    if (!piece) {
      continue;
    }
    if (first) {
      first = false;
      send('thread.message.created', { ...reply, status: 'in_progress', content: [] });
      send('thread.message.in_progress', { ...reply, status: 'in_progress', content: [] });
    }
    text += piece;
    send('thread.message.delta', {
      id: reply.id,
      object: 'thread.message.delta',
      delta: { content: [{ index: 0, type: 'text', text: { value: piece, annotations: [] } }] },
    });
  }
  send('thread.message.completed', {
    ...reply,
    content: [{ type: 'text', text: { value: text, annotations: [] } }],
  });
  send('thread.run.completed', { ...created, status: 'completed' });
  res.end('event: done\ndata: [DONE]\n\n');
}

/** Starts the in-memory server on 127.0.0.1, streaming runs from `upstreamUrl`. */
export async function startMemoryServer(upstreamUrl: string): Promise<MemoryServer> {
  const upstream = new OpenAI({
    apiKey: 'bench-upstream-key',
    baseURL: upstreamUrl,
    maxRetries: 0,
  });
  const page = (threadId: string) =>
    Array.from({ length: 20 }, (_, index) => message(threadId, 'user', `message ${index}`));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const body = await readBody(req);
    const threadMessages = /^\/v1\/threads\/([^/]+)\/messages$/.exec(path);
    const threadRuns = /^\/v1\/threads\/([^/]+)\/runs$/.exec(path);
    if (req.method === 'POST' && path === '/v1/threads') {
      json(res, {
        id: nextId('thread'),
        object: 'thread',
        created_at: 0,
        metadata: {},
        tool_resources: {},
      });
    } else if (req.method === 'POST' && threadMessages) {
      json(res, message(threadMessages[1] ?? '', 'user', String(body.content ?? '')));
    } else if (req.method === 'GET' && threadMessages) {
      const data = page(threadMessages[1] ?? '');
      json(res, {
        object: 'list',
        data,
        first_id: data[0]?.id ?? null,
        last_id: data.at(-1)?.id ?? null,
        has_more: true,
      });
    } else if (req.method === 'POST' && threadRuns && body.stream === true) {
      await streamRun(upstream, res, threadRuns[1] ?? '', body);
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `not here: ${req.method} ${path}` } }));
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
      }
      res.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
