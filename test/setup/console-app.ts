import type { Page } from 'playwright-core';
import { afterEach } from 'vitest';
import { type AppWithUpstream, useAppWithUpstream } from './app-with-upstream.js';
import { type ConsoleBrowser, screenshot, useBrowser } from './browser.js';

export interface ConsoleFixture {
  /** The app over its scripted upstream, started before the file's tests. */
  readonly app: AppWithUpstream;
  readonly browser: ConsoleBrowser;
  /** The page a failing test's screenshot is taken of, once a test opened one. */
  page: Page | null;
}

/**
 * The server, its upstream and Chromium for one console test file; when a test fails, what the
 * screen showed is saved beside its error.
 */
export function useConsole(): ConsoleFixture {
  let app: AppWithUpstream | null = null;
  let browser: ConsoleBrowser | null = null;
  useAppWithUpstream({}, (started) => {
    app = started;
  });
  useBrowser((started) => {
    browser = started;
  });
  const fixture: ConsoleFixture = {
    get app() {
      if (!app) {
        throw new Error('the app is not started yet');
      }
      return app;
    },
    get browser() {
      if (!browser) {
        throw new Error('the browser is not set up yet');
      }
      return browser;
    },
    page: null,
  };
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && fixture.page) {
      await screenshot(
        fixture.page,
        `failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`,
      );
    }
  });
  return fixture;
}
