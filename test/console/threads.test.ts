// The console's assistants and live threads in headless Chromium, against the real server with
// its worker, real PostgreSQL and the scripted upstream model.
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppWithUpstream, useAppWithUpstream } from '../setup/app-with-upstream.js';
import {
  type ConsoleBrowser,
  type ConsolePage,
  expectNoPageErrors,
  screenshot,
  signIn,
  useBrowser,
} from '../setup/browser.js';
import {
  newThread,
  send,
  transcriptText,
  waitForRunStatus,
  waitForTranscript,
} from '../setup/console-page.js';

let app: AppWithUpstream;
useAppWithUpstream({}, (started) => {
  app = started;
});
let browser: ConsoleBrowser;
useBrowser((started) => {
  browser = started;
});

let opened: ConsolePage;
let page: Page;

afterEach(async (context) => {
  // What the screen showed when a test failed, beside its error.
  if (context.task.result?.state === 'fail' && page) {
    await screenshot(page, `failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  }
});

async function latestRunStatus(threadId: string): Promise<string | undefined> {
  const runs = await app.t.openai.beta.threads.runs.list(threadId);
  return runs.data[0]?.status;
}

describe('assistants', () => {
  it('creates an assistant with a function tool, checking its JSON-schema parameters as typed', async () => {
    opened = await browser.open();
    page = opened.page;
    await signIn(page, app.t.baseUrl, app.t.apiKey);
    await page.getByRole('link', { name: 'Assistants' }).click();
    await page.getByRole('button', { name: 'New assistant' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Weather bot');
    await page.getByLabel('Model').fill('gpt-4o');
    await page.getByLabel('Instructions').fill('Answer about the weather.');
    await page.getByLabel('Temperature').fill('0.5');
    await page.getByRole('button', { name: 'Add function' }).click();
    await page.getByLabel('Function name').fill('get_weather');
    await page.getByLabel('Function description').fill('Weather in a city');
    const parameters = page.getByLabel('Parameters (JSON Schema)');
    const create = page.getByRole('button', { name: 'Create assistant' });

    // The problem shown under the field (its aria-describedby), as each version is typed.
    const problem = page.locator(`[id="${await parameters.getAttribute('aria-describedby')}"]`);
    const problemFor = async (text: string) => {
      await parameters.fill(text);
      return problem.textContent();
    };
    expect(await problemFor('{"type": "object", "properties": {"city": {"type": "text"}}')).toMatch(
      /^Not valid JSON/,
    );
    expect(await parameters.getAttribute('aria-invalid')).toBe('true');
    expect(await create.isDisabled()).toBe(true);
    expect(
      await problemFor('{"type": "object", "properties": {"city": {"type": "text"}}}'),
    ).toMatch(/^parameters\.properties\.city\.type must be one of object, array, string/);
    expect(
      await problemFor(
        '{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["town"]}',
      ),
    ).toBe('parameters.required names "town", which is not in parameters.properties.');
    expect(await problemFor('[1, 2]')).toBe('parameters must be a JSON object (a schema).');
    expect(await create.isDisabled()).toBe(true);
    expect(
      await problemFor(
        '{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}',
      ),
    ).toBe('Valid JSON Schema.');
    expect(await parameters.getAttribute('aria-invalid')).toBeNull();
    expect(await create.isDisabled()).toBe(false);
    await screenshot(page, 'assistant-form');
    await create.click();
    await page.getByRole('button', { name: 'Edit Weather bot' }).waitFor();

    const [assistant] = (await app.t.openai.beta.assistants.list()).data;
    expect(assistant).toMatchObject({
      name: 'Weather bot',
      model: 'gpt-4o',
      instructions: 'Answer about the weather.',
      temperature: 0.5,
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather in a city',
            parameters: {
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
            },
          },
        },
      ],
    });
    expectNoPageErrors(opened);
  });

  it('edits and deletes assistants', async () => {
    await page.getByRole('button', { name: 'New assistant' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Scratch');
    await page.getByRole('button', { name: 'Create assistant' }).click();
    await page.getByRole('button', { name: 'Edit Scratch' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Scratch two');
    await page.getByLabel('Response format').selectOption('json_object');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('button', { name: 'Delete Scratch two' }).waitFor();
    const edited = (await app.t.openai.beta.assistants.list()).data.find(
      (assistant) => assistant.name === 'Scratch two',
    );
    expect(edited?.response_format).toEqual({ type: 'json_object' });
    await page.getByRole('button', { name: 'Delete Scratch two' }).click();
    await page.getByRole('button', { name: 'Delete Scratch two' }).waitFor({ state: 'detached' });
    const names = (await app.t.openai.beta.assistants.list()).data.map((a) => a.name);
    expect(names).toEqual(['Weather bot']);
    expectNoPageErrors(opened);
  });
});

describe('threads', () => {
  let threadId: string;

  it('streams the answer onto the screen while the run is still in progress', async () => {
    app.upstream.script({
      text: ['Hello', ' there,', ' this', ' is', ' a', ' slow', ' stream.'],
      delayMsBetweenChunks: 250,
    });
    threadId = await newThread(page);
    expect(page.url()).toBe(`${app.t.baseUrl}/threads/${threadId}`);
    expect(await page.getByRole('log').getAttribute('aria-live')).toBe('polite');
    await send(page, 'Say hello slowly');
    await waitForTranscript(page, 'Say hello slowly');
    await waitForTranscript(page, 'Hello there,');
    // On screen before the server has finished the run.
    expect(await latestRunStatus(threadId)).toBe('in_progress');
    expect(await transcriptText(page)).not.toContain('slow stream.');
    await waitForRunStatus(page, 'Running');
    await waitForRunStatus(page, 'Run completed');
    expect(await transcriptText(page)).toContain('Hello there, this is a slow stream.');
    expect(await latestRunStatus(threadId)).toBe('completed');
    // The new thread is in the list, newest first.
    await page
      .getByRole('navigation', { name: 'Threads' })
      .getByRole('link', { name: threadId })
      .waitFor();
    await screenshot(page, 'thread');
    expectNoPageErrors(opened);
  });

  it('shows a function call, takes its output and continues the run live', async () => {
    app.upstream.script(
      { toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { text: ['It is ', 'sunny in ', 'Paris.'] },
    );
    await send(page, 'Weather in Paris?');
    const output = page.getByLabel('Output for get_weather');
    await output.waitFor();
    await waitForRunStatus(page, 'Waiting for function outputs');
    expect(await page.getByRole('form', { name: 'Function calls' }).textContent()).toContain(
      '{"city":"Paris"}',
    );
    await output.fill('sunny, 21 °C');
    await page.getByRole('button', { name: 'Submit outputs' }).click();
    await waitForTranscript(page, 'It is sunny in Paris.');
    await waitForRunStatus(page, 'Run completed');
    expect(await output.count()).toBe(0);
    // The model got the function and then the output.
    const [first, second] = app.upstream.requests.slice(-2);
    expect(JSON.stringify(first?.body.tools)).toContain('get_weather');
    expect(second?.body.messages.at(-1)).toMatchObject({ role: 'tool', content: 'sunny, 21 °C' });
    // The timeline shows the call with its arguments and output.
    const timeline = page.getByRole('region', { name: 'Run timeline' });
    expect(await timeline.textContent()).toContain('sunny, 21 °C');
    expectNoPageErrors(opened);
  });

  it('cancels a run that is still streaming, and says how runs ended', async () => {
    app.upstream.script({ text: ['Partial', ' answer'], hang: true });
    await send(page, 'Take your time');
    await waitForTranscript(page, 'Partial answer');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await waitForRunStatus(page, 'Run cancelled');
    expect(await latestRunStatus(threadId)).toBe('cancelled');
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);

    app.upstream.script({ status: 400, error: { message: 'The model refused the prompt.' } });
    await send(page, 'Fail please');
    await waitForRunStatus(page, 'Run failed:');
    const status = await page.getByRole('status').textContent();
    expect(status).toMatch(/^Run failed: .+ \(\w+\)$/);
    expectNoPageErrors(opened);
  });

  it('resumes a run after a reload from the last event seen, without repeating text', async () => {
    const pieces = Array.from({ length: 16 }, (_, i) => `w${i} `);
    app.upstream.script({ text: pieces, delayMsBetweenChunks: 150 });
    await send(page, 'Count words');
    await waitForTranscript(page, 'w3 ');
    const subscriptions: { afterSeq?: number; query: string }[] = [];
    page.on('websocket', (socket) => {
      socket.on('framesent', (frame) => {
        const message = JSON.parse(String(frame.payload)) as {
          type: string;
          payload?: { query: string; variables?: { afterSeq?: number } };
        };
        if (message.type === 'subscribe' && message.payload) {
          subscriptions.push({
            query: message.payload.query,
            afterSeq: message.payload.variables?.afterSeq,
          });
        }
      });
    });
    await page.reload();
    expect(page.url()).toBe(`${app.t.baseUrl}/threads/${threadId}`);
    await waitForTranscript(page, 'w15 ');
    await waitForRunStatus(page, 'Run completed');
    const resumed = subscriptions.find((s) => s.query.includes('runEvents'));
    expect(resumed?.afterSeq).toBeGreaterThan(0);
    const text = await transcriptText(page);
    expect(text).toContain(pieces.join('').trim());
    expect(text.split('w7 ').length).toBe(2);
    expectNoPageErrors(opened);
  });
});

describe('on a phone', () => {
  it('fits 390×844 with every control reachable', async () => {
    const phone = await browser.open({ width: 390, height: 844 });
    await signIn(phone.page, app.t.baseUrl, app.t.apiKey);
    await phone.page.getByRole('navigation', { name: 'Threads' }).getByRole('link').first().click();
    await phone.page.getByRole('log').waitFor();
    await waitForTranscript(phone.page, 'Hello there');
    // Nothing sticks out sideways: no element wider than the screen.
    const wide = await phone.page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map((element) => `${element.tagName}.${element.className}`),
    );
    expect(wide).toEqual([]);
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    for (const name of ['Send', 'New thread', 'Sign out']) {
      const box = await phone.page.getByRole('button', { name }).boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    }
    await phone.page.getByLabel('Message', { exact: true }).focus();
    await screenshot(phone.page, 'thread-phone');
    expectNoPageErrors(phone);
  });
});
