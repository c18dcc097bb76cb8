import { describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import {
  assertVectorStoreUsable,
  resolveRunVectorStores,
  touchVectorStores,
} from '../../src/services/vector-stores/vector-store-activity.js';
import { serviceContext } from '../retrieval/retrieval-fixtures.js';
import { apiError } from '../setup/api-error.js';
import { type TestApp, useTestApp } from '../setup/app.js';

let t: TestApp;
let ctx: ServiceContext;
// The worker's sweep timer runs fast here, to see it mark stores expired.
useTestApp({ env: { RUN_SWEEP_INTERVAL_MS: '100' } }, async (app) => {
  t = app;
  ctx = await serviceContext(t);
});

const DAY_MS = 86_400_000;

async function rowOf(id: string) {
  return t.deps.db.vectorStore.findUniqueOrThrow({
    where: { id },
    select: { lastActiveAt: true, expiresAt: true, status: true },
  });
}

describe('touchVectorStores', () => {
  it('moves last_active_at to now and expires_at to now + days; expired and foreign stores stay', async () => {
    const withPolicy = await t.openai.vectorStores.create({
      expires_after: { anchor: 'last_active_at', days: 2 },
    });
    const withoutPolicy = await t.openai.vectorStores.create({});
    const expired = await t.openai.vectorStores.create({
      expires_after: { anchor: 'last_active_at', days: 1 },
    });
    const other = await t.createOtherProject();
    const foreign = await t.client(other.apiKey).vectorStores.create({});

    const past = new Date(Date.now() - DAY_MS);
    await t.deps.db.vectorStore.updateMany({
      where: { id: { in: [withPolicy.id, withoutPolicy.id, foreign.id] } },
      data: { lastActiveAt: past },
    });
    await t.deps.db.vectorStore.update({
      where: { id: withPolicy.id },
      data: { expiresAt: new Date(past.getTime() + 2 * DAY_MS) },
    });
    const expiredAt = new Date(Date.now() - 1000);
    await t.deps.db.vectorStore.update({
      where: { id: expired.id },
      data: { lastActiveAt: past, expiresAt: expiredAt },
    });

    const now = new Date();
    await touchVectorStores(ctx, [withPolicy.id, withoutPolicy.id, expired.id, foreign.id], now);

    expect(await rowOf(withPolicy.id)).toMatchObject({
      lastActiveAt: now,
      expiresAt: new Date(now.getTime() + 2 * DAY_MS),
    });
    expect(await rowOf(withoutPolicy.id)).toMatchObject({ lastActiveAt: now, expiresAt: null });
    expect(await rowOf(expired.id)).toMatchObject({ lastActiveAt: past, expiresAt: expiredAt });
    expect((await rowOf(foreign.id)).lastActiveAt).toEqual(past);

    const read = await t.openai.vectorStores.retrieve(withPolicy.id);
    expect(read.last_active_at).toBe(Math.floor(now.getTime() / 1000));
    expect(read.expires_at).toBe(Math.floor(now.getTime() / 1000) + 2 * 86_400);
  });
});

describe('the worker’s sweep', () => {
  it('marks a store past expires_at as expired on its timer', async () => {
    const store = await t.openai.vectorStores.create({
      expires_after: { anchor: 'last_active_at', days: 1 },
    });
    await t.deps.db.vectorStore.update({
      where: { id: store.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const deadline = Date.now() + 10_000;
    let status = (await rowOf(store.id)).status;
    while (status !== 'expired' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await rowOf(store.id)).status;
    }
    expect(status).toBe('expired');
  });
});

describe('assertVectorStoreUsable', () => {
  it('404s for unknown and foreign stores, 400s for expired ones', async () => {
    const other = await t.createOtherProject();
    const foreign = await t.client(other.apiKey).vectorStores.create({});
    await expect(assertVectorStoreUsable(ctx, foreign.id)).rejects.toMatchObject({
      status: 404,
      message: `No vector store found with id '${foreign.id}'.`,
    });
    const store = await t.openai.vectorStores.create({
      expires_after: { anchor: 'last_active_at', days: 1 },
    });
    await expect(assertVectorStoreUsable(ctx, store.id)).resolves.toBeUndefined();
    await t.deps.db.vectorStore.update({
      where: { id: store.id },
      data: { status: 'expired' },
    });
    await expect(assertVectorStoreUsable(ctx, store.id)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining(`Vector store ${store.id} is expired.`),
    });
    // The same over REST: files cannot be added to it.
    const error = await apiError(
      t.openai.vectorStores.fileBatches.create(store.id, { file_ids: ['file-x'] }),
    );
    expect(error.status).toBe(400);
  });
});

describe('resolveRunVectorStores', () => {
  it('unites the assistant’s and the thread’s stores, split into usable and expired', async () => {
    const [a, b, gone] = [
      await t.openai.vectorStores.create({}),
      await t.openai.vectorStores.create({}),
      await t.openai.vectorStores.create({}),
    ];
    const assistant = await t.openai.beta.assistants.create({
      model: 'gpt-4o',
      tool_resources: { file_search: { vector_store_ids: [a.id] } },
    });
    const thread = await t.openai.beta.threads.create({
      tool_resources: { file_search: { vector_store_ids: [b.id] } },
    });
    expect(
      await resolveRunVectorStores(ctx, { assistantId: assistant.id, threadId: thread.id }),
    ).toEqual({ usable: [a.id, b.id], expired: [] });

    await t.deps.db.vectorStore.update({ where: { id: b.id }, data: { status: 'expired' } });
    expect(
      await resolveRunVectorStores(ctx, { assistantId: assistant.id, threadId: thread.id }),
    ).toEqual({ usable: [a.id], expired: [b.id] });

    // The same store on both counts once; a deleted store is skipped.
    const shared = await t.openai.beta.threads.create({
      tool_resources: { file_search: { vector_store_ids: [a.id] } },
    });
    expect(
      await resolveRunVectorStores(ctx, { assistantId: assistant.id, threadId: shared.id }),
    ).toEqual({ usable: [a.id], expired: [] });
    const orphan = await t.openai.beta.threads.create({
      tool_resources: { file_search: { vector_store_ids: [gone.id] } },
    });
    await t.openai.vectorStores.delete(gone.id);
    expect(await resolveRunVectorStores(ctx, { threadId: orphan.id })).toEqual({
      usable: [],
      expired: [],
    });
  });
});
