import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { isMissing } from './local-storage.js';

/**
 * Deletes the entries of `dir` whose mtime is older than `maxIdleMs` before `now`: leftovers of
 * writes a process died in the middle of, which a live write (touching its file with every
 * chunk) never is. Returns their names; a missing `dir` has none.
 */
export async function sweepIdleEntries(
  dir: string,
  options: { maxIdleMs: number; now?: Date },
): Promise<string[]> {
  const cutoff = (options.now ?? new Date()).getTime() - options.maxIdleMs;
  const names = await readdir(dir).catch((error: unknown) => {
    if (isMissing(error)) {
      return [];
    }
    throw error;
  });
  const removed: string[] = [];
  for (const name of names) {
    const entry = path.join(dir, name);
    // Gone meanwhile (renamed into place or removed by its failed write): nothing to do.
    const stats = await stat(entry).catch(() => null);
    if (stats && stats.mtimeMs < cutoff) {
      await rm(entry, { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}
