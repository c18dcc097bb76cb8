import path from 'node:path';
import { sweepIdleEntries } from './idle-sweep.js';
import { PARTIAL_DIR } from './local-storage.js';

/**
 * How long a `.partial` file must sit untouched before it is taken for a crash's leftover: 24 h.
 * A live write changes the file's mtime with every chunk, and the slowest writer (a client
 * upload, which Node's HTTP server cuts off after its 5-minute request timeout, or a complete
 * concatenating at most FILE_MAX_BYTES from storage) never pauses for anywhere near that long.
 */
export const PARTIAL_MAX_IDLE_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes the unfinished writes that local storage (`<root>/.partial/`) keeps until it renames
 * them into place: a process that died mid-write leaves them behind forever. Only entries whose
 * mtime is older than `maxIdleMs` go; returns their names.
 */
export function sweepPartialWrites(
  root: string,
  options: { maxIdleMs?: number; now?: Date } = {},
): Promise<string[]> {
  return sweepIdleEntries(path.join(root, PARTIAL_DIR), {
    maxIdleMs: options.maxIdleMs ?? PARTIAL_MAX_IDLE_MS,
    now: options.now,
  });
}
