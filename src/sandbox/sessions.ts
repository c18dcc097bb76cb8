import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Session directories, one per run: the calls of a run share `/mnt/data` and their globals, and
 * nothing is shared between runs. Create one when the run first uses code_interpreter, remove
 * it when the run ends; a worker that died mid-run leaves one behind for the sweep.
 */
export async function createSandboxSession(workDir: string, runId: string): Promise<string> {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(runId)) {
    throw new Error(`not a usable session id: ${JSON.stringify(runId)}`);
  }
  const sessionDir = path.join(workDir, runId);
  await mkdir(sessionDir, { recursive: true, mode: 0o700 });
  return sessionDir;
}

export async function removeSandboxSession(sessionDir: string): Promise<void> {
  await rm(sessionDir, { recursive: true, force: true });
}

/**
 * Removes sessions untouched for `maxAgeMs` (every call touches its session), e.g. at worker
 * start with a bound above the longest run. Returns how many were removed.
 */
export async function sweepSandboxSessions(workDir: string, maxAgeMs: number): Promise<number> {
  const entries = await readdir(workDir, { withFileTypes: true }).catch(() => []);
  let removed = 0;
  for (const entry of entries) {
    if (!entry.isDirectory()) {
      continue;
    }
    const dir = path.join(workDir, entry.name);
    const info = await stat(dir).catch(() => null);
    if (info && Date.now() - info.mtimeMs > maxAgeMs) {
      await rm(dir, { recursive: true, force: true });
      removed += 1;
    }
  }
  return removed;
}
