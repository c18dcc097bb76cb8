import type { Page } from 'playwright-core';

/** Waits until the transcript (role=log) contains `text`. (Default timeout: 15 s) */
export async function waitForTranscript(page: Page, text: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    (expected) => document.querySelector('[role="log"]')?.textContent?.includes(expected) ?? false,
    text,
    { timeout },
  );
}

/** The transcript's text as shown. */
export async function transcriptText(page: Page): Promise<string> {
  return (await page.getByRole('log').textContent()) ?? '';
}

/** Waits until the run status line (role=status) reads `words`. */
export async function waitForRunStatus(page: Page, words: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    (expected) =>
      [...document.querySelectorAll('[role="status"]')].some((element) =>
        element.textContent?.startsWith(expected),
      ),
    words,
    { timeout },
  );
}

/** Opens the threads screen, starts a new thread, returns its id (from the URL). */
export async function newThread(page: Page): Promise<string> {
  await page.getByRole('link', { name: 'Threads' }).click();
  await page.getByRole('button', { name: 'New thread' }).click();
  await page.waitForURL(/\/threads\/thread_/);
  await page.getByRole('log').waitFor();
  return new URL(page.url()).pathname.split('/')[2] ?? '';
}

export async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}
