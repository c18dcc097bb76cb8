import { startTestApp, type TestApp, type TestAppOptions, useStarted } from './app.js';
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.js';

export interface AppWithUpstream {
  t: TestApp;
  upstream: FakeUpstream;
  close(): Promise<void>;
}

/**
 * The app with a fresh scripted upstream as its default model endpoint. Upstream retries are
 * off, so a scripted failure reaches the run at once; `env` adds to or overrides that.
 */
export async function startAppWithUpstream(
  env: Record<string, string> = {},
  options: { worker?: boolean } = {},
): Promise<AppWithUpstream> {
  const upstream = await startFakeUpstream();
  const t = await startTestApp(
    { LLM_BASE_URL: upstream.url, LLM_API_KEY: 'upstream-key', LLM_MAX_RETRIES: '0', ...env },
    options,
  );
  return {
    t,
    upstream,
    async close() {
      await t.close();
      await upstream.close();
    },
  };
}

/** The app over a fresh upstream for this file: started before its tests, both closed after. */
export function useAppWithUpstream(
  options: TestAppOptions,
  use: (app: AppWithUpstream) => void | Promise<void>,
): void {
  useStarted(() => startAppWithUpstream(options.env, { worker: options.worker }), use);
}
