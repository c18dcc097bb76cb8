import path from 'node:path';
import { sweepIdleEntries } from './idle-sweep.js';

/**
 * Where REST uploads are spooled while their request arrives (`<DATA_DIR>/spool`): on the data
 * volume, which is sized for files, rather than the system's temporary directory, and where the
 * worker's sweep finds what a killed server left behind.
 */
export function uploadSpoolDir(dataDir: string): string {
  return path.join(dataDir, 'spool');
}

/**
 * How long a spool file must sit unwritten before it is taken for a killed server's leftover:
 * 24 h. A live spool is written with every chunk of its request (which Node's HTTP server cuts
 * off after 5 minutes), then read once into storage, which takes minutes at most.
 */
export const SPOOL_MAX_IDLE_MS = 24 * 60 * 60 * 1000;

/** Deletes spool files untouched for longer than `maxIdleMs`; returns their names. */
export function sweepUploadSpool(
  dir: string,
  options: { maxIdleMs?: number; now?: Date } = {},
): Promise<string[]> {
  return sweepIdleEntries(dir, {
    maxIdleMs: options.maxIdleMs ?? SPOOL_MAX_IDLE_MS,
    now: options.now,
  });
}
