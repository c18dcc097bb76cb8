import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PostgreSQL server for the tests: `DATABASE_URL`, else an embedded one. */
    databaseUrl: string;
  }
}

/** Real PostgreSQL for every test: the one in DATABASE_URL, or an embedded one on a fresh machine. */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedDatabase | undefined;
  let dataDir: string | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'assistants-test-'));
    embedded = await startEmbeddedPostgres(dataDir);
    url = embedded.url;
  }
  project.provide('databaseUrl', url);
  return async () => {
    await embedded?.stop();
    if (dataDir) {
      await rm(dataDir, { recursive: true, force: true });
    }
  };
}
