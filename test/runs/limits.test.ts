import { describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../setup/app.js';
import { useAppWithUpstream } from '../setup/app-with-upstream.js';
import { assistantAndThread } from '../setup/factories.js';
import type { FakeUpstream } from '../setup/fake-upstream.js';
import { threadWithImage } from '../setup/image-thread.js';
import { sentUserTexts } from '../setup/sent-messages.js';

let t: TestApp;
let upstream: FakeUpstream;

useAppWithUpstream({ env: { LLM_MAX_RETRIES: '1' } }, (app) => {
  ({ t, upstream } = app);
});

function threadWith(contents: string[]) {
  return assistantAndThread(t, { instructions: 'Sys.', messages: contents });
}

describe('what the model receives', () => {
  it('keeps only the last N messages with truncation_strategy last_messages', async () => {
    const { assistant, thread } = await threadWith(['one', 'two', 'three']);
    upstream.script({ text: 'ok' });
    const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
      truncation_strategy: { type: 'last_messages', last_messages: 2 },
    });
    expect(run.truncation_strategy).toEqual({ type: 'last_messages', last_messages: 2 });
    expect(sentUserTexts(upstream.requests.at(-1)?.body)).toEqual(['two', 'three']);
    expect(upstream.requests.at(-1)?.body.messages[0]).toEqual({ role: 'system', content: 'Sys.' });
  });

  it('drops the oldest messages to fit max_prompt_tokens', async () => {
    const long = (label: string) => `${label} ${'word '.repeat(150)}`;
    const { assistant, thread } = await threadWith([long('first'), long('second'), 'third']);
    upstream.script({ text: 'ok' });
    const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
      max_prompt_tokens: 300,
    });
    expect(run.status).toBe('completed');
    expect(run.max_prompt_tokens).toBe(300);
    const texts = sentUserTexts(upstream.requests.at(-1)?.body);
    expect(texts.at(-1)).toBe('third');
    expect(texts.some((text) => text.startsWith('first'))).toBe(false);
  });

  it('counts text in tokens, not characters: Chinese text costs about a token per character', async () => {
    // 600 different CJK characters: o200k_base has a token or more for most of them, where a
    // characters-per-token estimate saw about 170.
    const chinese = Array.from({ length: 600 }, (_, i) =>
      String.fromCodePoint(0x4e00 + ((i * 37) % 20000)),
    ).join('');
    const { assistant, thread } = await threadWith([chinese, 'third']);
    upstream.script({ text: 'ok' });
    const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
      max_prompt_tokens: 400,
    });
    expect(run.status).toBe('completed');
    expect(sentUserTexts(upstream.requests.at(-1)?.body)).toEqual(['third']);
  });

  it('counts an image as the tokens a model charges for it, not its inline base64', async () => {
    // 60 kB of image bytes travel as 80 kB of base64: counted as text, far over the limit.
    const bytes = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from(Array.from({ length: 60_000 }, (_, i) => (i * 7919) % 251)),
    ]);
    const { assistant, thread } = await threadWithImage(t, bytes, 'What does it show?');
    upstream.script({ text: 'A chart.' });
    const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
      max_prompt_tokens: 256,
    });
    expect(run.status).toBe('completed');
    const [message] = upstream.requests.at(-1)?.body.messages ?? [];
    expect(message).toEqual({
      role: 'user',
      content: [
        {
          type: 'image_url',
          image_url: { url: `data:image/png;base64,${bytes.toString('base64')}`, detail: 'low' },
        },
        { type: 'text', text: 'What does it show?' },
      ],
    });
  });

  it('ends incomplete when not even the newest message fits max_prompt_tokens', async () => {
    const { assistant, thread } = await threadWith(['x'.repeat(5000)]);
    const before = upstream.requests.length;
    const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
      max_prompt_tokens: 256,
    });
    expect(run.status).toBe('incomplete');
    expect(run.incomplete_details).toEqual({ reason: 'max_prompt_tokens' });
    expect(upstream.requests.length).toBe(before);
  });

  it('ends incomplete at max_completion_tokens, with the message incomplete too', async () => {
    const { assistant, thread } = await threadWith(['write a lot']);
    upstream.script({ text: ['lots ', 'of ', 'text'], finishReason: 'length' });
    const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
      max_completion_tokens: 256,
    });
    expect(run.status).toBe('incomplete');
    expect(run.incomplete_details).toEqual({ reason: 'max_completion_tokens' });
    expect(upstream.requests.at(-1)?.body.max_tokens).toBe(256);
    const [message] = (await t.openai.beta.threads.messages.list(thread.id, { run_id: run.id }))
      .data;
    expect(message).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_tokens' },
      content: [{ type: 'text', text: { value: 'lots of text' } }],
    });
  });

  it('retries a transient upstream error and completes', async () => {
    const { assistant, thread } = await threadWith(['hi']);
    const before = upstream.requests.length;
    upstream.script({ status: 503, error: { message: 'busy', type: 'server_error' } });
    upstream.script({ text: 'recovered' });
    const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, {
      assistant_id: assistant.id,
    });
    expect(run.status).toBe('completed');
    expect(upstream.requests.length - before).toBe(2);
  });

  it('refuses invalid run parameters with OpenAI’s 400s', async () => {
    const { assistant, thread } = await threadWith(['hi']);
    const cases: [Record<string, unknown>, string][] = [
      [{ max_prompt_tokens: 100 }, 'max_prompt_tokens'],
      [{ max_completion_tokens: 10 }, 'max_completion_tokens'],
      [
        { truncation_strategy: { type: 'last_messages', last_messages: 0 } },
        'truncation_strategy.last_messages',
      ],
      [{ temperature: 5 }, 'temperature'],
      [{ tools: Array.from({ length: 21 }, () => ({ type: 'code_interpreter' })) }, 'tools'],
      [{ tool_choice: { type: 'function' } }, 'tool_choice.function'],
    ];
    for (const [extra, param] of cases) {
      const response = await t.rest(`/threads/${thread.id}/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ assistant_id: assistant.id, ...extra }),
      });
      const body = (await response.json()) as { error: { param: string } };
      expect(response.status, JSON.stringify(extra)).toBe(400);
      expect(body.error.param).toBe(param);
    }
    const unknownAssistant = await t.openai.beta.threads.runs
      .create(thread.id, { assistant_id: 'asst_missing' })
      .catch((e: unknown) => e);
    expect(unknownAssistant).toMatchObject({ status: 404 });
    const runs = await t.openai.beta.threads.runs.list(thread.id);
    expect(runs.data).toEqual([]);
  });
});

describe('expiry', () => {
  it('expires a run left in requires_action, with its step', async () => {
    const quick = await startTestApp({
      LLM_BASE_URL: upstream.url,
      RUN_EXPIRES_AFTER_SECONDS: '1',
      RUN_SWEEP_INTERVAL_MS: '100',
    });
    try {
      const assistant = await quick.openai.beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'function', function: { name: 'wait_for_me' } }],
      });
      const thread = await quick.openai.beta.threads.create({
        messages: [{ role: 'user', content: 'call the tool' }],
      });
      upstream.script({ toolCalls: [{ id: 'call_wait', name: 'wait_for_me', arguments: '{}' }] });
      const paused = await quick.openai.beta.threads.runs.createAndPoll(thread.id, {
        assistant_id: assistant.id,
      });
      expect(paused.status).toBe('requires_action');
      expect(paused.expires_at).toBe(paused.created_at + 1);

      let run = paused;
      const deadline = Date.now() + 10_000;
      while (run.status !== 'expired' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        run = await quick.openai.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
      }
      expect(run.status).toBe('expired');
      const [step] = (
        await quick.openai.beta.threads.runs.steps.list(run.id, { thread_id: thread.id })
      ).data;
      expect(step).toMatchObject({ status: 'expired' });
      expect(step?.expired_at).not.toBeNull();
      await expect(
        quick.openai.beta.threads.runs.submitToolOutputs(run.id, {
          thread_id: thread.id,
          tool_outputs: [{ tool_call_id: 'call_wait', output: 'late' }],
        }),
      ).rejects.toMatchObject({ status: 400 });
    } finally {
      await quick.close();
    }
  });
});

describe('without an upstream', () => {
  it('fails the run with a clear last_error instead of crashing', async () => {
    const bare = await startTestApp();
    try {
      const assistant = await bare.openai.beta.assistants.create({ model: 'llama3' });
      const thread = await bare.openai.beta.threads.create({
        messages: [{ role: 'user', content: 'hi' }],
      });
      const run = await bare.openai.beta.threads.runs.createAndPoll(thread.id, {
        assistant_id: assistant.id,
      });
      expect(run.status).toBe('failed');
      expect(run.last_error?.code).toBe('server_error');
      expect(run.last_error?.message).toContain('llama3');
    } finally {
      await bare.close();
    }
  });
});
