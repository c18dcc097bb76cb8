import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTEXT_WINDOW, knownContextWindow } from '../../src/models/context-window.js';
import { chatMessageTokens } from '../../src/services/runs/engine/token-count.js';
import { startTestApp, type TestApp, useStarted } from '../setup/app.js';
import {
  type ChatRequestBody,
  type FakeUpstream,
  startFakeUpstream,
} from '../setup/fake-upstream.js';
import { sentUserTexts } from '../setup/sent-messages.js';

/** The app over a scripted upstream, with a routes file giving `small-ctx` a 2,048-token window. */
async function startWithRoutes() {
  const upstream = await startFakeUpstream();
  const dir = await mkdtemp(path.join(tmpdir(), 'routes-'));
  const routesFile = path.join(dir, 'routes.json');
  await writeFile(
    routesFile,
    JSON.stringify({
      default: { baseURL: upstream.url },
      routes: [{ match: 'small-ctx', baseURL: upstream.url, contextWindow: 2_048 }],
    }),
  );
  const t = await startTestApp({ MODEL_ROUTES_FILE: routesFile, LLM_MAX_RETRIES: '2' });
  return {
    t,
    upstream,
    async close() {
      await t.close();
      await upstream.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let t: TestApp;
let upstream: FakeUpstream;
useStarted(startWithRoutes, (started) => {
  ({ t, upstream } = started);
});

/** A message of about `tokens` tokens, numbered so its place in the thread shows. */
function numbered(index: number, tokens: number): string {
  return `message ${index}:${' word'.repeat(tokens)}`;
}

/** Mutations of one document run one after the other: 25 messages a request, in order. */
const MESSAGES_PER_REQUEST = 25;

async function threadOf(model: string, count: number, tokens: number) {
  const assistant = await t.openai.beta.assistants.create({ model, instructions: 'Be brief.' });
  const thread = await t.openai.beta.threads.create();
  for (let start = 0; start < count; start += MESSAGES_PER_REQUEST) {
    const indexes = Array.from(
      { length: Math.min(MESSAGES_PER_REQUEST, count - start) },
      (_, i) => start + i,
    );
    const fields = indexes.map(
      (index) =>
        `m${index}: createMessage(threadId: $threadId, input: { role: user, content: [{ type: text, text: ${JSON.stringify(numbered(index, tokens))} }] }) { id }`,
    );
    const created = await t.graphql(`mutation ($threadId: ID!) { ${fields.join(' ')} }`, {
      threadId: thread.id,
    });
    expect(created.errors).toBeUndefined();
  }
  return { assistant, thread };
}

/** The prompt tokens of what the upstream received, counted as the engine counts them. */
function sentTokens(body: ChatRequestBody | undefined): number {
  return (body?.messages ?? []).reduce(
    (sum, message) => sum + chatMessageTokens(message as Parameters<typeof chatMessageTokens>[0]),
    0,
  );
}

async function run(assistantId: string, threadId: string) {
  return t.openai.beta.threads.runs.createAndPoll(
    threadId,
    { assistant_id: assistantId, truncation_strategy: { type: 'auto' } },
    { pollIntervalMs: 50 },
  );
}

describe('context windows of models', () => {
  it('knows well-known families by name, vendor paths and case aside, and is conservative otherwise', () => {
    expect(knownContextWindow('gpt-4o')).toBe(128_000);
    expect(knownContextWindow('openai/GPT-4o-mini-2024-07-18')).toBe(128_000);
    expect(knownContextWindow('gpt-4.1-nano')).toBe(1_047_576);
    expect(knownContextWindow('gpt-4')).toBe(8_192);
    expect(knownContextWindow('meta-llama/Llama3.1-8b')).toBe(131_072);
    expect(knownContextWindow('my-finetune')).toBe(DEFAULT_CONTEXT_WINDOW);
    expect(DEFAULT_CONTEXT_WINDOW).toBe(8_192);
  });
});

describe('truncation_strategy auto without max_prompt_tokens', () => {
  it('sends a 1,000-message thread to gpt-4o as its newest messages that fit 128k, in order', async () => {
    const { assistant, thread } = await threadOf('gpt-4o', 1_000, 400);
    upstream.script({ text: 'ok' });
    const ended = await run(assistant.id, thread.id);
    expect(ended.status).toBe('completed');
    const body = upstream.requests.at(-1)?.body;
    const texts = sentUserTexts(body);
    // 1,000 messages of about 404 tokens (402,000 in all) do not fit; the newest ones do.
    expect(texts.length).toBeGreaterThan(200);
    expect(texts.length).toBeLessThan(320);
    const first = 1_000 - texts.length;
    expect(texts).toEqual(Array.from({ length: texts.length }, (_, i) => numbered(first + i, 400)));
    expect(sentTokens(body)).toBeLessThanOrEqual(128_000 - 4_096);
    expect(sentTokens(body)).toBeGreaterThan(100_000);
  }, 120_000);

  it('fits a route’s contextWindow, keeping room for the completion', async () => {
    const { assistant, thread } = await threadOf('small-ctx', 20, 200);
    upstream.script({ text: 'ok' });
    const ended = await run(assistant.id, thread.id);
    expect(ended.status).toBe('completed');
    const body = upstream.requests.at(-1)?.body;
    const texts = sentUserTexts(body);
    expect(texts.at(-1)).toBe(numbered(19, 200));
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.length).toBeLessThan(6);
    // Half of a small window is kept for the answer.
    expect(sentTokens(body)).toBeLessThanOrEqual(1_024);
  });

  it('fits the conservative default window for a model nobody described', async () => {
    const { assistant, thread } = await threadOf('mystery-model', 40, 200);
    upstream.script({ text: 'ok' });
    await run(assistant.id, thread.id);
    const body = upstream.requests.at(-1)?.body;
    expect(sentUserTexts(body).at(-1)).toBe(numbered(39, 200));
    expect(sentTokens(body)).toBeLessThanOrEqual(DEFAULT_CONTEXT_WINDOW - 4_096);
    expect(sentTokens(body)).toBeGreaterThan(3_000);
  });

  it('fails the run with invalid_prompt, calling nothing upstream, when the newest message alone is too long', async () => {
    const { assistant, thread } = await threadOf('small-ctx', 1, 3_000);
    const before = upstream.requests.length;
    const ended = await run(assistant.id, thread.id);
    expect(ended.status).toBe('failed');
    expect(ended.last_error?.code).toBe('invalid_prompt');
    expect(ended.last_error?.message).toMatch(
      /more than model 'small-ctx' can take: its context window is 2048 tokens/,
    );
    expect(upstream.requests.length).toBe(before);
  });
});

describe('an upstream that still answers context-length-exceeded', () => {
  const tooLong = {
    message:
      "This model's maximum context length is 2048 tokens. However, you requested 2100 tokens.",
    type: 'invalid_request_error',
    code: 'context_length_exceeded',
  };

  it('fails the run once with invalid_prompt and the upstream’s words (a 400)', async () => {
    const { assistant, thread } = await threadOf('small-ctx', 2, 10);
    const before = upstream.requests.length;
    upstream.script({ status: 400, error: tooLong });
    const ended = await run(assistant.id, thread.id);
    expect(ended.status).toBe('failed');
    expect(ended.last_error?.code).toBe('invalid_prompt');
    expect(ended.last_error?.message).toContain('context_length_exceeded');
    expect(ended.last_error?.message).toContain('maximum context length is 2048 tokens');
    expect(upstream.requests.length - before).toBe(1);
  });

  it('is not retried when it comes as a 500, however many retries are allowed', async () => {
    const { assistant, thread } = await threadOf('small-ctx', 2, 10);
    const before = upstream.requests.length;
    upstream.script({
      status: 500,
      error: { message: 'the request exceeds the available context size', type: 'server_error' },
    });
    const ended = await run(assistant.id, thread.id);
    expect(ended.status).toBe('failed');
    expect(ended.last_error?.code).toBe('invalid_prompt');
    expect(upstream.requests.length - before).toBe(1);
  });

  it('still retries a 500 that says something else (LLM_MAX_RETRIES is 2 here)', async () => {
    const { assistant, thread } = await threadOf('small-ctx', 2, 10);
    const before = upstream.requests.length;
    upstream.script({ status: 500, error: { message: 'overloaded', type: 'server_error' } });
    upstream.script({ text: 'recovered' });
    const ended = await run(assistant.id, thread.id);
    expect(ended.status).toBe('completed');
    expect(upstream.requests.length - before).toBe(2);
  });
});
