import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { embeddingsResponse, words } from './fake-embeddings.js';

/**
 * The one fake of the test suite: a scripted OpenAI-compatible server on a real port, speaking
 * the wire format of `POST /v1/chat/completions` (streamed and not) and `POST /v1/embeddings`.
 * Chat replies are scripted FIFO; embeddings are computed (hashed bag of words), so they need none.
 */

export interface ScriptedToolCall {
  /** (Default: `call_<random>`) */
  id?: string;
  name: string;
  /** A string goes out in pieces of up to 8 characters, as real servers stream; an array as is. */
  arguments: string | string[];
}

export interface ScriptedReply {
  /** A string is one `delta.content` piece; an array is sent piece by piece, in order. */
  text?: string | string[];
  /** Streamed one call after the other, after the text. */
  toolCalls?: ScriptedToolCall[];
  /** (Default: 'tool_calls' with tool calls, else 'stop') */
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /**
   * Sent when the request asks for `stream_options.include_usage` (and in non-streamed replies).
   * `null` sends no usage chunk, like servers that ignore the option.
   * (Default: word count of the messages; one completion token per piece)
   */
  usage?: {
    prompt_tokens: number;
    completion_tokens: number;
    prompt_tokens_details?: { cached_tokens: number };
  } | null;
  /** An error status instead of a completion (400, 429, 500…), in OpenAI's error envelope. */
  status?: number;
  /** The envelope's `error` (Default: a message naming the status). Alone, it means a 500. */
  error?: { message: string; type?: string; code?: string | null; param?: string | null };
  /**
   * `retry-after-ms` on a retryable error status. The SDK obeys it instead of its own backoff
   * (0.5 s, 1 s, 2 s…), so retry tests stay fast. `null` sends none. (Default: 0)
   */
  retryAfterMs?: number | null;
  /** Pause before each SSE event, in milliseconds. (Default: 0) */
  delayMsBetweenChunks?: number;
  /** Called as each text piece is written (its index, `performance.now()`), for latency benches. */
  onPiece?: (index: number, atMs: number) => void;
  /** Send everything but the finish, then hold the response until the client goes away. */
  hang?: boolean;
  /** Send everything but the finish, then cut the connection (an upstream crash). */
  disconnect?: boolean;
}

export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: unknown; [field: string]: unknown }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  [field: string]: unknown;
}

export interface EmbeddingRequestBody {
  model: string;
  input: string | string[] | number[] | number[][];
  dimensions?: number;
  encoding_format?: 'float' | 'base64';
  [field: string]: unknown;
}

export interface ReceivedRequest<Body = ChatRequestBody> {
  /** The parsed JSON body, as the client sent it. */
  body: Body;
  headers: IncomingHttpHeaders;
  /** Resolves true if the connection closed before the response ended, false once it ended. */
  aborted: Promise<boolean>;
  /** `performance.now()` once the request (headers and body) was read, in milliseconds. */
  receivedAt: number;
  /** `performance.now()` when the response ended; null until then, or if it never ended. */
  respondedAt: number | null;
}

export interface FakeUpstream {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:PORT/v1`. */
  url: string;
  /** Every chat completion request received, in order (malformed ones included). */
  requests: ReceivedRequest[];
  embeddingRequests: ReceivedRequest<EmbeddingRequestBody>[];
  /**
   * Queues replies for the next chat completions, FIFO; each SDK retry consumes one. A request
   * with nothing scripted gets a non-retryable 500 saying so, never a made-up answer.
   */
  script(...replies: ScriptedReply[]): void;
  /** Scripted replies not consumed yet. */
  readonly pending: number;
  /** Resolves with the n-th chat request (1-based) once it arrived. (Default timeout: 10 s) */
  waitForRequest(n: number, timeoutMs?: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

interface ErrorBody {
  message: string;
  type?: string;
  code?: string | null;
  param?: string | null;
}

interface Waiter {
  n: number;
  resolve: (request: ReceivedRequest) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** @param options.embeddingDimensions when a request has no `dimensions` (Default: 256) */
export async function startFakeUpstream(
  options: { embeddingDimensions?: number } = {},
): Promise<FakeUpstream> {
  const replies: ScriptedReply[] = [];
  const requests: ReceivedRequest[] = [];
  const embeddingRequests: ReceivedRequest<EmbeddingRequestBody>[] = [];
  let waiters: Waiter[] = [];

  function record<Body>(
    list: ReceivedRequest<Body>[],
    body: Body,
    req: IncomingMessage,
    res: ServerResponse,
  ) {
    // 'close' follows a normal end too; only an unfinished response means the client left.
    const aborted = new Promise<boolean>((resolve) => {
      res.once('close', () => resolve(!res.writableFinished));
    });
    const received: ReceivedRequest<Body> = {
      body,
      headers: req.headers,
      aborted,
      receivedAt: performance.now(),
      respondedAt: null,
    };
    res.once('finish', () => {
      received.respondedAt = performance.now();
    });
    list.push(received);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url?.split('?')[0];
    const known = path === '/v1/chat/completions' || path === '/v1/embeddings';
    if (req.method !== 'POST' || !known) {
      sendError(res, 404, { message: `Unknown request URL: ${req.method} ${path}` });
      return;
    }
    const body = await readJson(req);
    if (body === null) {
      invalid(res, 'The request body is not a JSON object.');
      return;
    }
    if (path === '/v1/embeddings') {
      const embeddingBody = body as EmbeddingRequestBody;
      record(embeddingRequests, embeddingBody, req, res);
      answerEmbeddings(res, embeddingBody, options.embeddingDimensions ?? 256);
      return;
    }
    const chatBody = body as ChatRequestBody;
    record(requests, chatBody, req, res);
    for (const waiter of waiters.filter(({ n }) => requests.length >= n)) {
      clearTimeout(waiter.timer);
      waiter.resolve(requests[waiter.n - 1] as ReceivedRequest);
    }
    waiters = waiters.filter(({ n }) => requests.length < n);
    if (typeof chatBody.model !== 'string' || chatBody.model === '') {
      invalid(res, 'you must provide a model parameter', 'model');
      return;
    }
    if (!Array.isArray(chatBody.messages) || chatBody.messages.length === 0) {
      invalid(res, "'messages' must contain at least one message.", 'messages');
      return;
    }
    const reply = replies.shift();
    if (!reply) {
      const message = `Fake upstream: no reply was scripted for this chat completion (model '${chatBody.model}'). Call upstream.script(...) first.`;
      // `x-should-retry: false`: the SDK fails at once with this message instead of retrying.
      sendError(res, 500, { message }, { 'x-should-retry': 'false' });
      return;
    }
    await answerChat(req, res, chatBody, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
      } else {
        sendError(res, 500, { message: `Fake upstream crashed: ${String(error)}` });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    embeddingRequests,
    script(...scripted) {
      replies.push(...scripted);
    },
    get pending() {
      return replies.length;
    },
    waitForRequest(n, timeoutMs = 10_000) {
      const arrived = requests[n - 1];
      if (arrived) {
        return Promise.resolve(arrived);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter.timer !== timer);
          const got = `got ${requests.length}`;
          reject(
            new Error(
              `Fake upstream: chat request #${n} did not come in ${timeoutMs} ms (${got}).`,
            ),
          );
        }, timeoutMs);
        waiters.push({ n, resolve, reject, timer });
      });
    },
    async close() {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error('Fake upstream closed.'));
      }
      waiters = [];
      // Hung responses and idle keep-alive sockets would otherwise keep close() waiting.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

async function answerChat(
  req: IncomingMessage,
  res: ServerResponse,
  body: ChatRequestBody,
  reply: ScriptedReply,
): Promise<void> {
  if (reply.status !== undefined || reply.error !== undefined) {
    const status = reply.status ?? 500;
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    const retryAfterMs = reply.retryAfterMs === undefined ? 0 : reply.retryAfterMs;
    const type = status >= 500 ? 'server_error' : 'invalid_request_error';
    sendError(
      res,
      status,
      reply.error ?? { message: `Scripted upstream error ${status}.`, type },
      retryable && retryAfterMs !== null ? { 'retry-after-ms': String(retryAfterMs) } : {},
    );
    return;
  }
  const text = typeof reply.text === 'string' ? [reply.text] : (reply.text ?? []);
  const toolCalls = (reply.toolCalls ?? []).map((call) => ({
    id: call.id ?? `call_${randomBytes(9).toString('base64url')}`,
    name: call.name,
    pieces: typeof call.arguments === 'string' ? splitEvery(call.arguments, 8) : call.arguments,
  }));
  const finishReason = reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
  const completionTokens =
    text.length + toolCalls.reduce((sum, { pieces }) => sum + pieces.length, 0);
  const promptWords = words(body.messages.map((message) => textOf(message.content)).join(' '));
  const usage = withTotal(
    reply.usage ?? { prompt_tokens: promptWords.length, completion_tokens: completionTokens },
  );
  const base = {
    id: `chatcmpl-${randomBytes(12).toString('base64url')}`,
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    system_fingerprint: 'fp_fake',
  };

  if (body.stream !== true) {
    if (reply.hang) {
      await clientGone(req, res);
      return;
    }
    const calls = toolCalls.map(({ id, name, pieces }) => ({
      id,
      type: 'function',
      function: { name, arguments: pieces.join('') },
    }));
    const message = {
      role: 'assistant',
      content: text.length > 0 ? text.join('') : null,
      refusal: null,
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
    };
    const choice = { index: 0, message, logprobs: null, finish_reason: finishReason };
    sendJson(res, 200, { ...base, object: 'chat.completion', choices: [choice], usage });
    return;
  }

  const includeUsage = body.stream_options?.include_usage === true && reply.usage !== null;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    ...base,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    // OpenAI puts `usage: null` on every chunk but the last when usage was asked for.
    ...(includeUsage ? { usage: null } : {}),
  });
  const content: unknown[] = [
    chunk({ role: 'assistant', content: text.length > 0 ? '' : null, refusal: null }),
    ...text.map((piece) => chunk({ content: piece })),
    ...toolCalls.flatMap(({ id, name, pieces }, index) => [
      chunk({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] }),
      ...pieces.map((piece) => chunk({ tool_calls: [{ index, function: { arguments: piece } }] })),
    ]),
  ];
  const ending: unknown[] = [
    chunk({}, finishReason),
    ...(includeUsage ? [{ ...base, object: 'chat.completion.chunk', choices: [], usage }] : []),
    '[DONE]',
  ];
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  });
  const onWrite = (index: number) => {
    // content[0] is the role chunk; text pieces follow it.
    if (index >= 1 && index <= text.length) {
      reply.onPiece?.(index - 1, performance.now());
    }
  };
  if (!(await sendEvents(res, content, reply.delayMsBetweenChunks, onWrite))) {
    return;
  }
  if (reply.hang) {
    await clientGone(req, res);
  } else if (reply.disconnect) {
    // end(), not destroy(): what was written still arrives, then the body breaks off unfinished.
    res.socket?.end();
  } else if (await sendEvents(res, ending, reply.delayMsBetweenChunks)) {
    res.end();
  }
}

/** Writes SSE events; false if the client went away meanwhile. */
async function sendEvents(
  res: ServerResponse,
  events: unknown[],
  delayMs = 0,
  onWrite?: (index: number) => void,
): Promise<boolean> {
  for (const [index, event] of events.entries()) {
    if (delayMs > 0) {
      await sleep(delayMs);
    }
    if (res.destroyed) {
      return false;
    }
    res.write(`data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`);
    onWrite?.(index);
  }
  return true;
}

function clientGone(req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) {
      resolve();
      return;
    }
    res.once('close', () => resolve());
    req.socket.once('close', () => resolve());
  });
}

function answerEmbeddings(
  res: ServerResponse,
  body: EmbeddingRequestBody,
  defaultDimensions: number,
): void {
  const result = embeddingsResponse(body, defaultDimensions);
  if ('invalid' in result) {
    invalid(res, result.invalid, result.param);
  } else {
    sendJson(res, 200, result.body);
  }
}

/** The text of a message's content: a string or an array of parts. */
function textOf(content: unknown): string {
  if (typeof content === 'string') {
    return content;
  }
  const parts: unknown[] = Array.isArray(content) ? content : [];
  return parts
    .map((part) =>
      typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string'
        ? part.text
        : '',
    )
    .join(' ');
}

function splitEvery(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) {
    pieces.push(text.slice(start, start + size));
  }
  return pieces;
}

function withTotal(usage: { prompt_tokens: number; completion_tokens: number }) {
  return { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const parts: Buffer[] = [];
  for await (const part of req) {
    parts.push(part as Buffer);
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(parts).toString('utf8'));
    const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    return isObject ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const requestId = `req_${randomBytes(8).toString('hex')}`;
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-request-id': requestId,
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  status: number,
  error: ErrorBody,
  headers: Record<string, string> = {},
) {
  const type = status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, status, { error: { type, param: null, code: null, ...error } }, headers);
}

function invalid(res: ServerResponse, message: string, param: string | null = null) {
  sendError(res, 400, { message, type: 'invalid_request_error', param });
}
