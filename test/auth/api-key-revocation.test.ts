import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../setup/app.js';
import { statusWithin } from '../setup/key-status.js';

let t: TestApp;
useTestApp({ worker: false }, (app) => {
  t = app;
});

describe('API keys resolved recently (cached)', () => {
  it('are refused right after they are revoked in the database, well before the cache expires', async () => {
    const other = await t.createOtherProject();
    // Resolve the key a few times, so it is the cache that answers.
    for (let i = 0; i < 3; i += 1) {
      expect((await t.rest('/assistants', { apiKey: other.apiKey })).status).toBe(200);
    }
    await t.deps.db.apiKey.updateMany({
      where: { projectId: other.projectId },
      data: { revokedAt: new Date() },
    });
    // The cache keeps keys for 5 s; the revocation's NOTIFY must clear it long before that.
    expect(await statusWithin(t, other.apiKey, 401, 1000)).toBe(401);
  });

  it('are refused right after they are deleted', async () => {
    const other = await t.createOtherProject();
    expect((await t.rest('/assistants', { apiKey: other.apiKey })).status).toBe(200);
    await t.deps.db.apiKey.deleteMany({ where: { projectId: other.projectId } });
    expect(await statusWithin(t, other.apiKey, 401, 1000)).toBe(401);
  });

  it('keep working for other keys after a revocation', async () => {
    const other = await t.createOtherProject();
    await t.deps.db.apiKey.updateMany({
      where: { projectId: other.projectId },
      data: { revokedAt: new Date() },
    });
    expect((await t.rest('/assistants')).status).toBe(200);
  });
});
