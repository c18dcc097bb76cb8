import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface S3TestServer {
  /** Environment that points the app's storage at this server. */
  env: Record<string, string>;
  bucket: string;
  endpoint: string;
  /** s3rver's directory, to check what really is stored. */
  directory: string;
  /** Keys of the stored objects (complete ones; s3rver keeps metadata beside each). */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

async function walk(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? walk(path.join(dir, entry.name), `${prefix}${entry.name}/`)
        : Promise.resolve([`${prefix}${entry.name}`]),
    ),
  );
  return found.flat();
}

/**
 * A real S3 protocol server (s3rver) on a free port with its objects in a temporary directory,
 * and one bucket. Path-style addressing and static credentials, the way self-hosted stores are usually set up.
 */
export async function startS3Server(bucket = 'assistants-test'): Promise<S3TestServer> {
  const directory = await mkdtemp(path.join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    env: {
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    },
    bucket,
    endpoint,
    directory,
    async keys() {
      // s3rver stores `<key>._S3rver_object` (+ `._S3rver_metadata.json`) under the bucket.
      const files = await walk(path.join(directory, bucket));
      return files
        .filter((name) => name.endsWith('._S3rver_object'))
        .map((name) => name.slice(0, -'._S3rver_object'.length))
        .sort();
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
