import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

/** Debian's Chromium (`.ci/run` installs it), never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the console's tests save their screenshots (git-ignored). */
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../web/screenshots');

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

export interface ConsolePage {
  page: Page;
  /** Uncaught exceptions and console errors, as they happened. */
  errors: string[];
}

export interface ConsoleBrowser {
  /** A fresh page (own storage) at 1280×800 unless told, recording its errors. */
  open(options?: { width: number; height: number }): Promise<ConsolePage>;
}

/**
 * Headless Chromium for this file (playwright gives it a fresh profile directory, removed on
 * close); each page gets a context of its own, so its own sessionStorage, as a new visitor has.
 */
export function useBrowser(use: (browser: ConsoleBrowser) => void): void {
  let browser: Browser | null = null;
  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
  });
  use({
    async open(viewport = { width: 1280, height: 800 }) {
      if (!browser) {
        throw new Error('the browser is not started yet');
      }
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const opened: ConsolePage = { page, errors: [] };
      page.on('pageerror', (error) => opened.errors.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') {
          opened.errors.push(`console: ${message.text()}`);
        }
      });
      return opened;
    },
  });
}

/** Asserts a page had no errors at all. */
export function expectNoPageErrors(opened: ConsolePage): void {
  expect(opened.errors).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Signs in through the form, as a person does. */
export async function signIn(
  page: Page,
  baseUrl: string,
  apiKey: string,
  path = '/',
): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
