import { describe, expect, it } from 'vitest';
import type { RunEventRow } from '../../src/events/run-event-hub.js';
import { RunFeed } from '../../src/events/run-feed.js';

/**
 * The feed's contract against a log it reads through the function it is given: here a plain
 * array standing for the committed rows of one run (the hub gives it the run_events table).
 */
function log() {
  const rows: RunEventRow[] = [];
  let reads = 0;
  return {
    rows,
    get reads() {
      return reads;
    },
    commit(...seqs: number[]): RunEventRow[] {
      const added = seqs.map((seq) => ({
        runId: 'run_1',
        seq,
        projectId: 'proj_1',
        threadId: 'thread_1',
        event: 'thread.message.delta',
        data: { seq },
        createdAt: new Date(),
      }));
      rows.push(...added);
      return added;
    },
    async read(after: number): Promise<RunEventRow[]> {
      reads += 1;
      await Promise.resolve();
      return rows.filter((row) => row.seq > after).sort((a, b) => a.seq - b.seq);
    },
  };
}

async function take(follower: AsyncGenerator<RunEventRow>, count: number): Promise<number[]> {
  const seqs: number[] = [];
  while (seqs.length < count) {
    const next = await follower.next();
    if (next.done) {
      break;
    }
    seqs.push(next.value.seq);
  }
  return seqs;
}

describe('RunFeed', () => {
  it('starts with what is logged, then yields rows handed over, in order and once each', async () => {
    const store = log();
    store.commit(1, 2);
    const feed = new RunFeed((after) => store.read(after));
    const controller = new AbortController();
    const follower = feed.follow(0, controller.signal);
    expect(await take(follower, 2)).toEqual([1, 2]);
    const pending = take(follower, 3);
    feed.add(store.commit(3));
    feed.add(store.commit(4, 5));
    feed.add(store.rows.slice(0, 4)); // handed over again: nothing twice
    expect(await pending).toEqual([3, 4, 5]);
    controller.abort();
    expect((await follower.next()).done).toBe(true);
  });

  it('fills a gap from the log when rows arrive out of order or were committed elsewhere', async () => {
    const store = log();
    const feed = new RunFeed((after) => store.read(after));
    const controller = new AbortController();
    const follower = feed.follow(0, controller.signal);
    const pending = take(follower, 5);
    store.commit(1, 2); // committed by another process: only its NOTIFY comes here
    const late = store.commit(3, 4, 5);
    feed.add(late.slice(2)); // 5 first
    feed.announce(2);
    feed.add(late.slice(0, 2));
    expect(await pending).toEqual([1, 2, 3, 4, 5]);
    controller.abort();
  });

  it('reads the log on an announcement alone, once for every follower waiting', async () => {
    const store = log();
    const feed = new RunFeed((after) => store.read(after));
    const controller = new AbortController();
    const a = feed.follow(0, controller.signal);
    const b = feed.follow(0, controller.signal);
    const both = Promise.all([take(a, 3), take(b, 3)]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const before = store.reads;
    store.commit(1, 2, 3);
    feed.announce(3);
    expect(await both).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(store.reads - before).toBe(1);
    controller.abort();
  });

  it('resumes a follower after the sequence number it gives', async () => {
    const store = log();
    store.commit(1, 2, 3, 4);
    const feed = new RunFeed((after) => store.read(after));
    const controller = new AbortController();
    const follower = feed.follow(2, controller.signal);
    expect(await take(follower, 2)).toEqual([3, 4]);
    controller.abort();
  });

  it('is followed only while a follower is open', async () => {
    const store = log();
    store.commit(1);
    const feed = new RunFeed((after) => store.read(after));
    const follower = feed.follow(0, new AbortController().signal);
    expect(await take(follower, 1)).toEqual([1]);
    expect(feed.followed).toBe(true);
    await follower.return(undefined);
    expect(feed.followed).toBe(false);
  });
});
