import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';
import { type Chromium, launchChromium } from '../setup/chromium.js';

let t: TestApp;
useTestApp({ worker: false }, (app) => {
  t = app;
});

async function graphiqlHtml(): Promise<string> {
  const response = await fetch(`${t.baseUrl}/graphql`, { headers: { accept: 'text/html' } });
  expect(response.status).toBe(200);
  return response.text();
}

/**
 * Every URL the page's markup and styles name, which is what a browser loads from it: attributes
 * outside scripts, and CSS `url()` / `@import` in its styles. Script text is checked by the
 * browser test below, which sees every request it makes.
 */
function referencedUrls(html: string): string[] {
  const styles = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => m[1] ?? '');
  const markup = html.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '');
  const attributes = [
    ...markup.matchAll(/\s(?:src|href|srcset|action|poster)\s*=\s*["']?([^"'\s>]+)/gi),
  ];
  const cssUrls = styles.flatMap((css) => [...css.matchAll(/url\(\s*["']?([^"')]+)/gi)]);
  const imports = styles.flatMap((css) => [
    ...css.matchAll(/@import\s+(?:url\()?["']?([^"')\s;]+)/gi),
  ]);
  return [...attributes, ...cssUrls, ...imports].map((match) => match[1] ?? '');
}

describe('GraphiQL served from this server', () => {
  it('references no asset on another origin: CSS, scripts and workers are inlined', async () => {
    const html = await graphiqlHtml();
    const urls = referencedUrls(html);
    // The page references its favicon and the editor's fonts and icons, so the scan does see them.
    expect(urls.length).toBeGreaterThan(10);
    const external = urls.filter((url) => !url.startsWith('data:') && !url.startsWith('#'));
    expect(external).toEqual([]);
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdnjs|esm\.sh|googleapis/);
    expect(html).not.toMatch(/<script[^>]+\bsrc=/i);
    expect(html).not.toMatch(/<link[^>]+rel=["']?stylesheet/i);
  });

  it('is built once: the same options give the same page', async () => {
    const [first, second] = await Promise.all([graphiqlHtml(), graphiqlHtml()]);
    expect(second).toBe(first);
  });
});

/** An editor's text as shown: Monaco renders spaces as non-breaking ones. */
async function shownText(editor: Locator): Promise<string> {
  return ((await editor.textContent()) ?? '').replace(/\s+/g, ' ');
}

describe('GraphiQL in Chromium', () => {
  let browser: Chromium;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders the editor with no request to another origin and runs the default query with a key', async () => {
    const thread = await t.openai.beta.threads.create({ metadata: { from: 'graphiql' } });
    const origin = new URL(t.baseUrl).origin;
    const foreign: string[] = [];
    const page = await browser.context.newPage();
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) {
        await route.continue();
      } else {
        foreign.push(url);
        await route.abort('blockedbyclient');
      }
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(`${t.baseUrl}/graphql`);
    const queryEditor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await queryEditor.waitFor({ state: 'visible', timeout: 30_000 });
    await expect
      .poll(() => shownText(queryEditor), { timeout: 15_000 })
      .toContain('ThreadWithMessagesAndRuns');

    await page.getByRole('button', { name: 'Headers' }).click();
    const headersEditor = page.locator('.monaco-editor[data-uri$="headers.json"]');
    await expect
      .poll(() => shownText(headersEditor), { timeout: 15_000 })
      .toContain('{"Authorization": "Bearer "}');
    // As a person would: the key goes after "Bearer ", before the closing quote and brace.
    await headersEditor.click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.type(t.apiKey);

    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response .monaco-editor').first();
    await expect.poll(() => shownText(response), { timeout: 15_000 }).toContain(thread.id);

    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 120_000);
});
