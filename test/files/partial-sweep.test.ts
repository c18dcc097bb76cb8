import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARTIAL_MAX_IDLE_MS, sweepPartialWrites } from '../../src/storage/partial-sweep.js';

describe('sweepPartialWrites', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'partial-sweep-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('answers [] when nothing was ever written', async () => {
    expect(await sweepPartialWrites(path.join(root, 'never'))).toEqual([]);
  });

  it('deletes only partial writes untouched for longer than the idle limit', async () => {
    const dir = path.join(root, '.partial');
    await mkdir(dir, { recursive: true });
    const now = Date.now();
    const ages = { abandoned: PARTIAL_MAX_IDLE_MS + 60_000, recent: PARTIAL_MAX_IDLE_MS - 60_000 };
    for (const [name, age] of Object.entries(ages)) {
      await writeFile(path.join(dir, `${name}.partial`), 'half an object');
      const at = new Date(now - age);
      await utimes(path.join(dir, `${name}.partial`), at, at);
    }
    await writeFile(path.join(dir, 'live.partial'), 'being written');
    // An object outside .partial is never looked at, however old.
    await writeFile(path.join(root, 'proj_a-file'), 'a stored file');
    const old = new Date(now - 10 * PARTIAL_MAX_IDLE_MS);
    await utimes(path.join(root, 'proj_a-file'), old, old);

    expect(await sweepPartialWrites(root)).toEqual(['abandoned.partial']);
    expect((await readdir(dir)).sort()).toEqual(['live.partial', 'recent.partial']);
    expect(await readdir(root)).toContain('proj_a-file');
  });
});
