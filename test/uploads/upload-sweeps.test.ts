import { randomBytes } from 'node:crypto';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepUploads } from '../../src/services/uploads/upload-expiry.js';
import { PARTIAL_MAX_IDLE_MS } from '../../src/storage/partial-sweep.js';
import { SPOOL_MAX_IDLE_MS, uploadSpoolDir } from '../../src/storage/upload-spool.js';
import { type TestApp, useTestApp } from '../setup/app.js';
import { addPart, createUploadFor } from './upload-fixtures.js';

/** Polls `check` until it passes or `ms` elapse. */
async function eventually(check: () => Promise<void>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('the worker’s sweep', () => {
  let t: TestApp;
  let root: string;
  useTestApp({ env: { RUN_SWEEP_INTERVAL_MS: '100' } }, (app) => {
    t = app;
    root = path.join(t.deps.env.DATA_DIR, 'files');
  });

  const partsOf = (uploadId: string) =>
    t.deps.db.uploadPart.findMany({ where: { uploadId }, select: { storageKey: true } });
  const exists = async (key: string) => (await t.deps.storage.head(key)) !== null;

  it('expires pending uploads past their hour and deletes their parts’ bytes', async () => {
    const expiring = await createUploadFor(t.openai, 10);
    await addPart(t.openai, expiring.id, randomBytes(10));
    const live = await createUploadFor(t.openai, 10);
    await addPart(t.openai, live.id, randomBytes(10));
    const [expiringPart] = await partsOf(expiring.id);
    const [livePart] = await partsOf(live.id);
    expect(await exists(expiringPart?.storageKey ?? '')).toBe(true);

    await t.deps.db.upload.update({
      where: { id: expiring.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await eventually(async () => {
      expect(
        await t.deps.db.upload.findUniqueOrThrow({ where: { id: expiring.id } }),
      ).toMatchObject({ status: 'expired' });
      expect(await partsOf(expiring.id)).toEqual([]);
    });
    expect(await exists(expiringPart?.storageKey ?? '')).toBe(false);
    expect(await exists(livePart?.storageKey ?? '')).toBe(true);
    expect(await t.deps.db.upload.findUniqueOrThrow({ where: { id: live.id } })).toMatchObject({
      status: 'pending',
    });
  });

  it('lets a complete that started in time finish past expiry, but not an abandoned one', async () => {
    const now = new Date();
    const past = new Date(now.getTime() - 1000);
    const running = await createUploadFor(t.openai, 10);
    const abandoned = await createUploadFor(t.openai, 10);
    await t.deps.db.upload.update({
      where: { id: running.id },
      data: { expiresAt: past, completingSince: new Date(now.getTime() - 60_000) },
    });
    await t.deps.db.upload.update({
      where: { id: abandoned.id },
      data: { expiresAt: past, completingSince: new Date(now.getTime() - 2 * 3600_000) },
    });
    const { expired } = await sweepUploads(t.deps, { now });
    expect(expired).toContain(abandoned.id);
    expect(expired).not.toContain(running.id);
  });

  /** Leaves an entry idle for longer than `maxIdleMs` and a fresh one: only the first goes. */
  async function expectIdleSwept(dir: string, maxIdleMs: number, abandoned: string, live: string) {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, abandoned), 'half');
    const old = new Date(Date.now() - maxIdleMs - 60_000);
    await utimes(path.join(dir, abandoned), old, old);
    await writeFile(path.join(dir, live), 'live');
    await eventually(async () => {
      expect(await readdir(dir)).toEqual([live]);
    });
  }

  it('deletes local partial writes abandoned by a crash', async () => {
    await expectIdleSwept(
      path.join(root, '.partial'),
      PARTIAL_MAX_IDLE_MS,
      'crashed.partial',
      'writing.partial',
    );
  });

  it('deletes REST upload spool files a killed server left behind, and keeps fresh ones', async () => {
    await expectIdleSwept(
      uploadSpoolDir(t.deps.env.DATA_DIR),
      SPOOL_MAX_IDLE_MS,
      'assistants-upload-killed',
      'assistants-upload-arriving',
    );
  });

  it('spools a REST upload under DATA_DIR while it arrives, and removes it when the client leaves', async () => {
    const dir = uploadSpoolDir(t.deps.env.DATA_DIR);
    const spooled = async () =>
      (await readdir(dir).catch(() => [])).filter((name) => name.startsWith('assistants-upload-'));
    const before = await spooled();
    const boundary = 'spool-test-boundary';
    const upload = request({
      port: t.port,
      host: '127.0.0.1',
      method: 'POST',
      path: '/v1/files',
      headers: {
        authorization: `Bearer ${t.apiKey}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
    });
    upload.on('error', () => {});
    upload.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n${'x'.repeat(64 * 1024)}`,
    );
    await eventually(async () => {
      expect((await spooled()).length).toBe(before.length + 1);
    });
    upload.destroy();
    await eventually(async () => {
      expect(await spooled()).toEqual(before);
    });
  });
});
