// Files, vector stores and a cited answer in the console, in headless Chromium against the
// real server, its worker (indexing) and the scripted upstream model.
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
import { newThread, send, waitForRunStatus, waitForTranscript } from '../setup/console-page.js';

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
  if (context.task.result?.state === 'fail' && page) {
    await screenshot(page, `failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  }
});

const NOTES = [
  '# Handbook',
  '',
  'Every employee gets twenty-five vacation days a year, taken in blocks of at least two days.',
  '',
  'Expenses are filed within thirty days of the purchase.',
].join('\n');

/** Drops a file on the drop zone `index` (0: the first on screen), as a drag from the desktop does. */
async function dropFile(target: Page, index: number, name: string, content: string) {
  const transfer = await target.evaluateHandle(
    ([fileName, text]) => {
      const data = new DataTransfer();
      data.items.add(new File([text ?? ''], fileName ?? 'file', { type: 'text/markdown' }));
      return data;
    },
    [name, content],
  );
  const zone = target.locator('[data-dropzone]').nth(index);
  await zone.dispatchEvent('dragover', { dataTransfer: transfer });
  await zone.dispatchEvent('drop', { dataTransfer: transfer });
}

describe('files and vector stores', () => {
  it('uploads a dropped file into a new store, shows its indexing live, and searches it', async () => {
    opened = await browser.open();
    page = opened.page;
    await signIn(page, app.t.baseUrl, app.t.apiKey);
    await page.getByRole('link', { name: 'Files' }).click();
    await page.getByLabel('Vector store name').fill('Handbook');
    await page.getByRole('button', { name: 'Create vector store' }).click();
    const panel = page.getByRole('region', { name: 'Vector store Handbook' });
    await panel.waitFor();
    await dropFile(page, 0, 'notes.md', NOTES);
    const progress = page.getByRole('progressbar', { name: 'Uploading notes.md' });
    await progress.waitFor();
    await page.getByText('Uploaded').waitFor();
    expect(await progress.getAttribute('value')).toBe('1');
    // Indexing finishes on the worker; the panel follows without a reload.
    await page.waitForFunction(() =>
      document
        .querySelector('section [role="status"]')
        ?.textContent?.includes('1 of 1 files indexed'),
    );
    expect(await panel.getByRole('table').textContent()).toContain('notes.mdcompleted');
    const [file] = (await app.t.openai.files.list()).data;
    expect(file).toMatchObject({ filename: 'notes.md', bytes: Buffer.byteLength(NOTES) });

    await panel.getByRole('textbox', { name: 'Search' }).fill('vacation days');
    await panel.getByRole('button', { name: 'Search' }).click();
    const results = panel.getByRole('list', { name: 'Search results' });
    await results.waitFor();
    const first = await results.getByRole('listitem').first().textContent();
    expect(first).toMatch(/^notes\.md · score (0\.\d{3}|1\.000)/);
    expect(first).toContain('twenty-five vacation days');
    await panel.getByRole('textbox', { name: 'Search' }).fill('zebra xylophone');
    await panel.getByRole('button', { name: 'Search' }).click();
    await results.getByText('No passages found.').waitFor();
    await screenshot(page, 'files');
    expectNoPageErrors(opened);
  });

  it('answers from the store with numbered footnotes showing the passage, sanitized', async () => {
    await page.getByRole('link', { name: 'Assistants' }).click();
    await page.getByRole('button', { name: 'New assistant' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Handbook helper');
    await page.getByLabel('file_search').check();
    await page.getByLabel('Vector store').selectOption({ label: 'Handbook' });
    await page.getByRole('button', { name: 'Create assistant' }).click();
    await page.getByRole('button', { name: 'Edit Handbook helper' }).waitFor();

    app.upstream.script(
      { toolCalls: [{ name: 'file_search', arguments: '{"query":"vacation days"}' }] },
      {
        text: [
          'You get **twenty-five days** ',
          '【0:0†notes.md】.\n\n',
          '<img src=x onerror="window.pwned=1"> ',
          '[more](javascript:window.pwned=2) and [docs](https://example.com/handbook)',
        ],
      },
    );
    await newThread(page);
    await send(page, 'How many vacation days?');
    await waitForRunStatus(page, 'Run completed');
    await waitForTranscript(page, 'You get twenty-five days');
    const log = page.getByRole('log');
    const answer = log.getByRole('article', { name: 'assistant message' });
    expect(await answer.locator('.markdown strong').textContent()).toBe('twenty-five days');
    expect(await answer.locator('sup').textContent()).toBe('[1]');
    const sources = answer.getByRole('list', { name: 'Sources' });
    const footnote = await sources.getByRole('listitem').textContent();
    expect(footnote).toContain('notes.md');
    expect(footnote).toContain('Every employee gets twenty-five vacation days a year');
    // The footnote link points at the footnote.
    const href = await answer.locator('sup a').getAttribute('href');
    expect(await page.locator(href ?? '#missing').textContent()).toBe(footnote);
    // Raw HTML stays text, a javascript: link is no link, an https one is.
    expect(await answer.textContent()).toContain('<img src=x onerror="window.pwned=1">');
    expect(await answer.locator('img').count()).toBe(0);
    expect(await answer.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await answer.getByRole('link', { name: 'docs' }).getAttribute('href')).toBe(
      'https://example.com/handbook',
    );
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    // The timeline shows the file_search step and what it found.
    const timeline = await page.getByRole('region', { name: 'Run timeline' }).textContent();
    expect(timeline).toContain('File search: 1 results');
    expect(timeline).toMatch(/notes\.md · score \d\.\d{3}/);
    await screenshot(page, 'cited-answer');
    expectNoPageErrors(opened);
  });

  it('deletes a file', async () => {
    await page.getByRole('link', { name: 'Files' }).click();
    await page.getByRole('button', { name: 'Delete notes.md' }).click();
    await page.getByRole('button', { name: 'Delete notes.md' }).waitFor({ state: 'detached' });
    expect((await app.t.openai.files.list()).data).toEqual([]);
    expectNoPageErrors(opened);
  });
});
