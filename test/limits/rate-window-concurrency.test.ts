import { describe, expect, it } from 'vitest';
import { queryRaw } from '../../src/db/raw-sql.js';
import { Prisma } from '../../src/generated/prisma/client.js';
import { countRequest } from '../../src/services/limits/admission.js';
import { type TestApp, useTestApp } from '../setup/app.js';

let t: TestApp;
useTestApp({ worker: false }, (app) => {
  t = app;
});

const MINUTE = 60_000;

/** A transaction held open after `work` until `release` is called; `counted` is its result. */
function heldTransaction<T>(work: (tx: Prisma.TransactionClient) => Promise<T>) {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let counted = (_value: T) => {};
  const worked = new Promise<T>((resolve) => {
    counted = resolve;
  });
  const result = t.deps.db.$transaction(
    async (tx) => {
      const value = await work(tx);
      counted(value);
      await released;
      return value;
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
  return { result, worked, release };
}

/** Waits until `count` backends wait on a lock of the counter's rows, or `done()` holds. */
async function lockWaiters(count: number, done: () => boolean = () => false): Promise<void> {
  for (let attempt = 0; attempt < 500 && !done(); attempt += 1) {
    const [row] = await queryRaw<{ waiting: number }>(
      t.deps.db,
      Prisma.sql`SELECT count(*)::int AS waiting FROM pg_stat_activity
                  WHERE wait_event_type = 'Lock' AND query LIKE '%rate_limit_windows%'`,
    );
    if ((row?.waiting ?? 0) >= count) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (!done()) {
    throw new Error(`${count} lock waiters never showed up`);
  }
}

describe('the request counter of a rate limit window', () => {
  it('counts requests straddling a minute boundary without deadlocking', async () => {
    const { projectId } = await t.createOtherProject();
    const limit = { projectId, model: 'straddle' };
    const now = Math.floor(Date.now() / MINUTE) * MINUTE;
    const [previous, current, next] = [now - MINUTE, now, now + MINUTE].map((ms) => new Date(ms));
    if (!previous || !current || !next) {
      throw new Error('no windows');
    }
    await t.deps.db.rateLimitWindow.create({
      data: { projectId, model: limit.model, windowStart: current, requests: 1 },
    });
    // Holds the current window's row (an admission whose transaction goes on)…
    const holder = heldTransaction((tx) => countRequest(tx, limit, current, 100));
    expect(await holder.worked).toBe(2);
    // …with an older window left for the next pruning (one an admission left as it ended).
    await t.deps.db.rateLimitWindow.create({
      data: { projectId, model: limit.model, windowStart: previous, requests: 1 },
    });
    // Another admission in the same minute waits for the row; one already in the next minute
    // prunes the old windows, reaching the held row too.
    const same = heldTransaction((tx) => countRequest(tx, limit, current, 100));
    await lockWaiters(1);
    const later = heldTransaction((tx) => countRequest(tx, limit, next, 100));
    // (Before the fix it waited for the held row here; now it skips it and goes on.)
    let laterCounted = false;
    void later.worked.then(() => {
      laterCounted = true;
    });
    await lockWaiters(2, () => laterCounted);
    same.release();
    later.release();
    holder.release();
    const settled = await Promise.allSettled([holder.result, same.result, later.result]);
    expect(settled.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    const counted = settled.map((outcome) =>
      outcome.status === 'fulfilled' ? outcome.value : null,
    );
    expect(counted).toEqual([2, 3, 1]);
  });
});
