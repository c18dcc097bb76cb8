import { constants } from 'node:fs';
import {
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { SandboxError, type SandboxInputFile } from './code-sandbox.js';

/**
 * A session directory on the host. Only the server writes here (the sandbox never sees it), and
 * every name it writes was validated, so nothing in it is a symlink or a surprise.
 *
 *   files/          the workspace: /mnt/data as the last call left it
 *   state.pickle    globals carried to the next call; opaque bytes, only ever unpickled inside
 *                   the sandbox
 *   figures/        the last call's figures
 *   placed-inputs.json  ids of the input files already placed (each is placed once)
 *   .staging-*      a call's export while it arrives (moved into place once complete)
 */
export function sessionPaths(sessionDir: string) {
  return {
    files: path.join(sessionDir, 'files'),
    state: path.join(sessionDir, 'state.pickle'),
    figures: path.join(sessionDir, 'figures'),
    placed: path.join(sessionDir, 'placed-inputs.json'),
  };
}

export const STAGING_PREFIX = '.staging-';

const MAX_NAME_BYTES = 255;

/**
 * A file name for /mnt/data from an outside one: one path segment, no traversal, no NUL, at most
 * 255 bytes (the extension kept when cutting).
 */
export function sanitizeFileName(name: string): string {
  let clean = [...name]
    .map((char) => (char === '/' || char === '\\' || char === '\0' ? '_' : char))
    .filter((char) => {
      const code = char.charCodeAt(0);
      return code >= 0x20 && code !== 0x7f;
    })
    .join('')
    .trim();
  if (clean === '' || clean === '.' || clean === '..') {
    clean = 'file';
  }
  if (Buffer.byteLength(clean) > MAX_NAME_BYTES) {
    const extension = path.extname(clean).slice(0, 16);
    let stem = clean.slice(0, clean.length - extension.length);
    while (Buffer.byteLength(stem + extension) > MAX_NAME_BYTES) {
      stem = stem.slice(0, -1);
    }
    clean = stem + extension;
  }
  return clean;
}

/** Whether `name` is a safe `/`-separated path relative to the workspace. */
export function isSafeRelativeName(name: string): boolean {
  if (name.length === 0 || name.length > 4096 || Buffer.from(name).toString() !== name) {
    return false;
  }
  const segments = name.split('/');
  return (
    segments.length <= 64 &&
    segments.every(
      (segment) =>
        segment !== '' &&
        segment !== '.' &&
        segment !== '..' &&
        !segment.includes('\0') &&
        Buffer.byteLength(segment) <= MAX_NAME_BYTES,
    )
  );
}

export interface WorkspaceFile {
  /** Relative, `/`-separated. */
  name: string;
  path: string;
  size: number;
}

/** Creates the session's directories, drops leftovers of an interrupted call. */
export async function openSession(sessionDir: string): Promise<void> {
  const paths = sessionPaths(sessionDir);
  await mkdir(paths.files, { recursive: true, mode: 0o700 });
  await rm(paths.figures, { recursive: true, force: true });
  await mkdir(paths.figures, { mode: 0o700 });
  for (const entry of await readdir(sessionDir)) {
    if (entry.startsWith(STAGING_PREFIX)) {
      await rm(path.join(sessionDir, entry), { recursive: true, force: true });
    }
  }
}

/**
 * Puts the inputs into the workspace under sanitized names, replacing what was there; inputs
 * with an id already placed in this session are skipped.
 */
export async function placeInputFiles(sessionDir: string, inputs: SandboxInputFile[]) {
  const { files, placed: placedPath } = sessionPaths(sessionDir);
  const placed = new Set(await readPlaced(placedPath));
  const before = placed.size;
  for (const input of inputs) {
    if (input.id !== undefined && placed.has(input.id)) {
      continue;
    }
    const target = path.join(files, sanitizeFileName(input.name));
    await rm(target, { recursive: true, force: true });
    try {
      if ('bytes' in input) {
        await writeFile(target, input.bytes, { flag: 'wx', mode: 0o600 });
      } else {
        await copyFile(input.path, target, constants.COPYFILE_EXCL);
      }
    } catch (error) {
      throw new SandboxError(`input file ${JSON.stringify(input.name)} could not be placed`, {
        cause: error,
      });
    }
    if (input.id !== undefined) {
      placed.add(input.id);
    }
  }
  if (placed.size !== before) {
    await writeFile(placedPath, JSON.stringify([...placed]), { mode: 0o600 });
  }
}

async function readPlaced(placedPath: string): Promise<string[]> {
  try {
    const parsed: unknown = JSON.parse(await readFile(placedPath, 'utf8'));
    return Array.isArray(parsed) ? parsed.filter((id) => typeof id === 'string') : [];
  } catch {
    // None yet (or a write cut short): placing a file again is the safe side.
    return [];
  }
}

/** Regular files of the workspace, with the tmpfs space they need checked against the limit. */
export async function listWorkspace(sessionDir: string, filesBytes: number) {
  const { files } = sessionPaths(sessionDir);
  const found: WorkspaceFile[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const name = prefix ? `${prefix}/${entry.name}` : entry.name;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(full, name);
      } else if (entry.isFile()) {
        found.push({ name, path: full, size: (await stat(full)).size });
      }
    }
  };
  await walk(files, '');
  const blocks = found.reduce((sum, file) => sum + Math.ceil(file.size / 4096) * 4096, 0);
  if (blocks > filesBytes) {
    throw new SandboxError(
      `the files for /mnt/data need ${mb(blocks)} MB, more than the sandbox's ${mb(filesBytes)} MB`,
    );
  }
  return found;
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/** Removes whatever is at `target` unless it is a directory. */
async function removeNonDirectory(target: string): Promise<void> {
  const info = await lstat(target).catch(() => null);
  if (info && !info.isDirectory()) {
    await rm(target, { force: true });
  }
}

/** Makes the parents of `relative` directories in `root` (a file in the way is replaced). */
async function ensureParents(root: string, relative: string): Promise<void> {
  const segments = relative.split('/').slice(0, -1);
  let current = root;
  for (const segment of segments) {
    current = path.join(current, segment);
    await removeNonDirectory(current);
    await mkdir(current, { recursive: true, mode: 0o700 });
  }
}

/** Moves a staged file into the workspace at a validated relative name. */
export async function moveIntoWorkspace(sessionDir: string, staged: string, name: string) {
  const { files } = sessionPaths(sessionDir);
  await ensureParents(files, name);
  const target = path.join(files, ...name.split('/'));
  const existing = await lstat(target).catch(() => null);
  if (existing?.isDirectory()) {
    await rm(target, { recursive: true, force: true });
  }
  await rename(staged, target);
  return target;
}

export async function deleteFromWorkspace(sessionDir: string, name: string): Promise<void> {
  await removeNonDirectory(path.join(sessionPaths(sessionDir).files, ...name.split('/')));
}
