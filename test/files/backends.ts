import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { startTestApp, type TestApp } from '../setup/app.js';
import { type S3TestServer, startS3Server } from '../setup/s3-server.js';

/** A test app over one storage backend, and a view of what that backend really holds. */
export interface BackendApp {
  t: TestApp;
  /** Keys of the complete objects in storage. */
  storedKeys(): Promise<string[]>;
  /** Unfinished objects left behind (local partial files); always [] for S3. */
  partials(): Promise<string[]>;
  close(): Promise<void>;
}

async function walk(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? walk(path.join(dir, entry.name), `${prefix}${entry.name}/`)
        : Promise.resolve([`${prefix}${entry.name}`]),
    ),
  );
  return nested.flat().sort();
}

export const BACKENDS = ['local', 's3'] as const;
export type Backend = (typeof BACKENDS)[number];

export async function startBackendApp(
  backend: Backend,
  env: Record<string, string> = {},
): Promise<BackendApp> {
  let s3: S3TestServer | null = null;
  if (backend === 's3') {
    s3 = await startS3Server();
  }
  const t = await startTestApp({ ...s3?.env, ...env }, { worker: false });
  const root = path.join(t.deps.env.DATA_DIR, 'files');
  return {
    t,
    async storedKeys() {
      if (s3) {
        return s3.keys();
      }
      return (await walk(root)).filter((key) => !key.startsWith('.partial/'));
    },
    async partials() {
      return s3 ? [] : walk(path.join(root, '.partial'));
    },
    async close() {
      await t.close();
      await s3?.close();
    },
  };
}
