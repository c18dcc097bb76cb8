// code_interpreter output and the composer's attachments in the console, in headless Chromium
// against the real server, its worker, the real bubblewrap sandbox and the scripted upstream.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ConsolePage, expectNoPageErrors, screenshot, signIn } from '../setup/browser.js';
import { useConsole } from '../setup/console-app.js';
import { newThread, send, waitForRunStatus, waitForTranscript } from '../setup/console-page.js';

const fixture = useConsole();
let opened: ConsolePage;
let page: Page;
/** Requests the page made for file bytes: their URL and whether the key went in the header. */
const contentRequests: { url: string; authorization: string | undefined }[] = [];

beforeAll(async () => {
  await fixture.app.t.openai.beta.assistants.create({
    name: 'Analyst',
    model: 'gpt-4o',
    tools: [{ type: 'code_interpreter' }, { type: 'file_search' }],
  });
});

const CSV = 'region,amount\nnorth,12\nsouth,30\n';

const CHART = [
  'import matplotlib',
  'import matplotlib.pyplot as plt',
  "open('shares.csv', 'w').write('region,share\\nnorth,0.29\\nsouth,0.71\\n')",
  'plt.bar(["north", "south"], [12, 30])',
].join('\n');

/** The PNG signature. */
const PNG = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

async function openConsole() {
  opened = await fixture.browser.open();
  page = opened.page;
  fixture.page = page;
  page.on('request', (request) => {
    if (request.url().includes('/content')) {
      contentRequests.push({ url: request.url(), authorization: request.headers().authorization });
    }
  });
  await signIn(page, fixture.app.t.baseUrl, fixture.app.t.apiKey);
}

describe('code_interpreter output', () => {
  it('shows the figure inline, fetched with the key in the header, never in the URL', async () => {
    await openConsole();
    fixture.app.upstream.script(
      { toolCalls: [{ name: 'code_interpreter', arguments: JSON.stringify({ code: CHART }) }] },
      {
        text: [
          'Here is the chart. ',
          '[Download the shares](sandbox:/mnt/data/shares.csv)',
          ' or just sandbox:/mnt/data/shares.csv.',
        ],
      },
    );
    await newThread(page);
    await send(page, 'Chart the sales.');
    await waitForRunStatus(page, 'Run completed', 30_000);
    await waitForTranscript(page, 'Here is the chart.');
    const answer = page.getByRole('log').getByRole('article', { name: 'assistant message' });
    const image = answer.getByRole('img', { name: 'figure-1.png' });
    await image.waitFor();
    await page.waitForFunction(
      () => (document.querySelector('.inline-image') as HTMLImageElement | null)?.complete,
    );
    // Decoded: a real PNG was fetched and painted, from a blob URL (no key in any URL).
    const shown = await image.evaluate((element) => {
      const img = element as HTMLImageElement;
      return { src: img.src, width: img.naturalWidth, height: img.naturalHeight };
    });
    expect(shown.src).toMatch(/^blob:/);
    expect(shown.width).toBeGreaterThan(100);
    expect(shown.height).toBeGreaterThan(100);
    expect(contentRequests.length).toBeGreaterThan(0);
    for (const request of contentRequests) {
      expect(request.url).toMatch(/\/v1\/files\/file-[^/]+\/content$/);
      expect(request.url).not.toContain(fixture.app.t.apiKey);
      expect(request.authorization).toBe(`Bearer ${fixture.app.t.apiKey}`);
    }
    const figureId = contentRequests[0]?.url.split('/').at(-2) ?? '';
    const bytes = Buffer.from(
      await (await fixture.app.t.openai.files.content(figureId)).arrayBuffer(),
    );
    expect(bytes.subarray(0, 8)).toEqual(PNG);
    // The timeline shows the code that made it.
    const timeline = await page.getByRole('region', { name: 'Run timeline' }).textContent();
    expect(timeline).toContain('plt.bar(["north", "south"], [12, 30])');
    await screenshot(page, 'code-interpreter');
    expectNoPageErrors(opened);
  });

  it('downloads the files the code wrote from their file_path links', async () => {
    const answer = page.getByRole('log').getByRole('article', { name: 'assistant message' });
    // A Markdown link keeps its words; a bare path names the file.
    const linked = answer.getByRole('button', { name: 'Download the shares' });
    const bare = answer.getByRole('button', { name: 'Download shares.csv' });
    expect(await answer.locator('a[href^="sandbox:"]').count()).toBe(0);
    for (const button of [linked, bare]) {
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      expect(download.suggestedFilename()).toBe('shares.csv');
      expect(await readFile(await download.path(), 'utf8')).toBe(
        'region,share\nnorth,0.29\nsouth,0.71\n',
      );
    }
    expectNoPageErrors(opened);
  });

  it('says so when a linked file is gone', async () => {
    const files = await fixture.app.t.openai.files.list();
    const shares = files.data.find((file) => file.filename === 'shares.csv');
    expect(shares?.purpose).toBe('assistants_output');
    await fixture.app.t.openai.files.delete(shares?.id ?? '');
    const answer = page.getByRole('log').getByRole('article', { name: 'assistant message' });
    await answer.getByRole('button', { name: 'Download the shares' }).click();
    await answer.getByRole('alert').getByText('Download failed (HTTP 404)').waitFor();
    // The browser reports the failed request itself; nothing else went wrong.
    expect(opened.errors).toHaveLength(1);
    expect(opened.errors[0]).toMatch(/^console: Failed to load resource: .*404/);
    opened.errors.length = 0;
  });
});

/** The thread's first message, asserted to carry one uploaded file attached for `tool`. */
async function expectAttachedFor(threadId: string, tool: 'code_interpreter' | 'file_search') {
  const messages = await fixture.app.t.openai.beta.threads.messages.list(threadId, {
    order: 'asc',
  });
  const [message] = messages.data;
  expect(message?.attachments).toEqual([
    { file_id: expect.stringMatching(/^file-/), tools: [{ type: tool }] },
  ]);
  return message;
}

describe('the composer’s attachments', () => {
  it('uploads a file and attaches it for code_interpreter, which reads it', async () => {
    fixture.app.upstream.script(
      {
        toolCalls: [
          {
            name: 'code_interpreter',
            arguments: JSON.stringify({
              code: "import pandas as pd\nprint('total', int(pd.read_csv('sales.csv')['amount'].sum()))",
            }),
          },
        ],
      },
      { text: 'The total is 42.' },
    );
    const threadId = await newThread(page);
    await page.getByLabel('Attach files').setInputFiles({
      name: 'sales.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV),
    });
    const forSearch = page.getByLabel('Attach for file_search');
    const forCode = page.getByLabel('Attach for code_interpreter');
    expect(await forSearch.isChecked()).toBe(true);
    await forSearch.uncheck();
    await page.getByLabel('Message', { exact: true }).fill('Total the sales.');
    // Attached for nothing: the server would refuse it, so Send waits for a choice.
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await page.getByText('Pick file_search or code_interpreter for the attached files.').waitFor();
    await forCode.check();
    await page.getByRole('button', { name: 'Send' }).click();
    await waitForRunStatus(page, 'Run completed', 30_000);
    await waitForTranscript(page, 'The total is 42.');
    const question = page.getByRole('log').getByRole('article', { name: 'user message' });
    expect(await question.textContent()).toContain('Attached: sales.csv');
    // The code saw the file: its log is in the timeline.
    const timeline = await page.getByRole('region', { name: 'Run timeline' }).textContent();
    expect(timeline).toContain('total 42');
    const message = await expectAttachedFor(threadId, 'code_interpreter');
    const file = await fixture.app.t.openai.files.retrieve(
      message?.attachments?.[0]?.file_id ?? '',
    );
    expect(file).toMatchObject({ filename: 'sales.csv', purpose: 'assistants', bytes: CSV.length });
    // The composer is empty again, attachments included.
    expect(await page.getByLabel('Attach files').inputValue()).toBe('');
    expect(await forCode.count()).toBe(0);
    expectNoPageErrors(opened);
  });

  it('uploads a file and attaches it for file_search, and the answer cites it', async () => {
    fixture.app.upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: '{"query":"vacation days"}' }] },
      { text: ['Twenty-five days ', '【0:0†notes.md】.'] },
    );
    const threadId = await newThread(page);
    await page.getByLabel('Attach files').setInputFiles({
      name: 'notes.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from('Every employee gets twenty-five vacation days a year.\n'),
    });
    await send(page, 'How many vacation days?');
    await waitForRunStatus(page, 'Run completed', 30_000);
    await waitForTranscript(page, 'Twenty-five days');
    const answer = page.getByRole('log').getByRole('article', { name: 'assistant message' });
    const footnote = await answer
      .getByRole('list', { name: 'Sources' })
      .getByRole('listitem')
      .textContent();
    expect(footnote).toContain('notes.md');
    expect(footnote).toContain('twenty-five vacation days a year');
    await expectAttachedFor(threadId, 'file_search');
    // The attachment went into the thread's own vector store.
    const thread = await fixture.app.t.openai.beta.threads.retrieve(threadId);
    expect(thread.tool_resources?.file_search?.vector_store_ids).toHaveLength(1);
    expectNoPageErrors(opened);
  });
});
