// Signing in to the console in headless Chromium against the real server: a wrong key is
// refused in words, the right one is kept in sessionStorage only, and signing out forgets it.
import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';
import {
  type ConsoleBrowser,
  expectNoPageErrors,
  screenshot,
  useBrowser,
} from '../setup/browser.js';

let t: TestApp;
useTestApp({ worker: false }, (started) => {
  t = started;
});
let browser: ConsoleBrowser;
useBrowser((started) => {
  browser = started;
});

describe('sign in', () => {
  it('refuses a wrong key with an alert, then accepts the right one and keeps it per tab', async () => {
    const opened = await browser.open();
    const { page } = opened;
    await page.goto(`${t.baseUrl}/`);
    await expect(page.title()).resolves.toBe('Assistants console');
    const key = page.getByLabel('API key');
    await key.fill('sk-wrong-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      'That API key was not accepted. Check it and try again.',
    );
    await screenshot(page, 'sign-in-refused');
    // The browser logs the refused request (401) itself; that one line is the only error allowed.
    expect(opened.errors).toEqual([
      'console: Failed to load resource: the server responded with a status of 401 (Unauthorized)',
    ]);
    opened.errors.length = 0;

    await key.fill(t.apiKey);
    await key.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    const stored = await page.evaluate(() => ({
      session: Object.entries(sessionStorage),
      local: Object.entries(localStorage),
      cookies: document.cookie,
      url: window.location.href,
    }));
    expect(stored.session).toEqual([['assistants-console.api-key', t.apiKey]]);
    expect(stored.local).toEqual([]);
    expect(stored.cookies).toBe('');
    expect(stored.url).not.toContain(t.apiKey);

    // A reload of the tab stays signed in.
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await page.getByRole('link', { name: 'Threads' }).getAttribute('aria-current')).toBe(
      'page',
    );

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.reload();
    await page.getByLabel('API key').waitFor();
    expectNoPageErrors(opened);
  });

  it('is not shared with another tab (its own sessionStorage)', async () => {
    const opened = await browser.open();
    await opened.page.goto(`${t.baseUrl}/threads`);
    await opened.page.getByLabel('API key').waitFor();
    expect(await opened.page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expectNoPageErrors(opened);
  });

  it('signs in with the keyboard alone, focus visible on each control', async () => {
    const opened = await browser.open();
    const { page } = opened;
    await page.goto(`${t.baseUrl}/`);
    await page.getByLabel('API key').waitFor();
    // The field has the focus from the start.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(
      await page.getByLabel('API key').getAttribute('id'),
    );
    await page.keyboard.type(t.apiKey);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement;
      const style = getComputedStyle(element);
      return { text: element.textContent, outline: style.outlineStyle, width: style.outlineWidth };
    });
    expect(focused).toEqual({ text: 'Sign in', outline: 'solid', width: '3px' });
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expectNoPageErrors(opened);
  });
});
