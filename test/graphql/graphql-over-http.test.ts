// The GraphQL-over-HTTP spec's conformance audits (graphql-http's), over real HTTP against the
// real server: every MUST, SHOULD and MAY audit passes.
import { serverAudits } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';

let t: TestApp;
useTestApp({ worker: false }, (app) => {
  t = app;
});

/** fetch with this file's key: nothing is served without one. */
function fetchWithKey(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${t.apiKey}`);
  return fetch(input, { ...init, headers });
}

describe('GraphQL over HTTP conformance', () => {
  // `url` is read when each audit runs, once the app has started.
  const audits = serverAudits({ url: () => `${t.baseUrl}/graphql`, fetchFn: fetchWithKey });

  for (const audit of audits) {
    it(audit.name, async () => {
      const result = await audit.fn();
      const outcome =
        result.status === 'ok'
          ? 'ok'
          : `${result.status}: ${result.reason} (HTTP ${result.response.status}: ${await result.response.text()})`;
      expect(outcome).toBe('ok');
    });
  }
});
