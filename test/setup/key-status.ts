import { setTimeout as sleep } from 'node:timers/promises';
import type { TestApp } from './app.js';

/**
 * Status of GET /v1/assistants with `apiKey`, asked until `wanted` or `withinMs` passed: a key's
 * revocation reaches every process through a NOTIFY, so it is waited for, not assumed.
 */
export async function statusWithin(
  t: TestApp,
  apiKey: string,
  wanted: number,
  withinMs: number,
): Promise<number> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const { status } = await t.rest('/assistants', { apiKey });
    if (status === wanted || Date.now() >= deadline) {
      return status;
    }
    await sleep(20);
  }
}
