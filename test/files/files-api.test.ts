import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import OpenAIv4 from 'openai-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError } from '../setup/api-error.js';
import { expectSpec } from '../setup/openapi.js';
import { BACKENDS, type BackendApp, startBackendApp } from './backends.js';

/** Every byte value, several times over, in a scrambled order. */
function allByteValues(): Buffer {
  const bytes = Buffer.alloc(256 * 4);
  for (let index = 0; index < bytes.length; index += 1) {
    bytes[index] = (index * 167 + 13) % 256;
  }
  return bytes;
}

const sha256 = (bytes: Buffer | Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.each(BACKENDS)('the Files API over the SDK, %s storage', (backend) => {
  const limit = 8 * 1024 * 1024;
  let b: BackendApp;
  let scratch: string;
  beforeAll(async () => {
    b = await startBackendApp(backend, { FILE_MAX_BYTES: String(limit) });
    scratch = await mkdtemp(path.join(tmpdir(), 'files-test-'));
  });
  afterAll(async () => {
    await b?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  async function storageKeyOf(id: string): Promise<string> {
    const row = await b.t.deps.db.file.findUniqueOrThrow({ where: { id } });
    return row.storageKey;
  }

  it('uploads a file from a stream and returns OpenAI’s file object', async () => {
    const source = path.join(scratch, 'notes.md');
    await writeFile(source, '# Notes\n\nStreamed from disk.\n');
    const file = await b.t.openai.files.create({
      file: createReadStream(source),
      purpose: 'assistants',
    });
    expectSpec('OpenAIFile', file);
    expect(file).toMatchObject({
      object: 'file',
      bytes: 29,
      filename: 'notes.md',
      purpose: 'assistants',
      status: 'processed',
    });
    expect(file.id).toMatch(/^file-[A-Za-z0-9]{24}$/);
    expect(file.created_at).toBeCloseTo(Date.now() / 1000, -1);
    expect(file).not.toHaveProperty('expires_at');
    expect(await b.storedKeys()).toContain(await storageKeyOf(file.id));

    const content = await b.t.openai.files.content(file.id);
    expect(content.headers.get('content-type')).toBe('text/markdown');
    expect(await content.text()).toBe('# Notes\n\nStreamed from disk.\n');
  });

  it('returns every byte value exactly as uploaded (toFile)', async () => {
    const bytes = allByteValues();
    const file = await b.t.openai.files.create({
      file: await toFile(bytes, 'all-bytes.bin'),
      purpose: 'user_data',
    });
    expect(file.bytes).toBe(bytes.length);
    const content = await b.t.openai.files.content(file.id);
    expect(content.headers.get('content-type')).toBe('application/octet-stream');
    expect(content.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await content.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('round-trips a multi-megabyte payload byte for byte', async () => {
    // Over S3's 5 MB part size, so the S3 backend uploads it in several parts.
    const bytes = randomBytes(6 * 1024 * 1024 + 321);
    const source = path.join(scratch, 'large.bin');
    await writeFile(source, bytes);
    const file = await b.t.openai.files.create({
      file: createReadStream(source),
      purpose: 'assistants',
    });
    expect(file.bytes).toBe(bytes.length);
    const content = await b.t.openai.files.content(file.id);
    expect(sha256(Buffer.from(await content.arrayBuffer()))).toBe(sha256(bytes));
  });

  it('refuses a file over FILE_MAX_BYTES with 413 and keeps nothing', async () => {
    const before = await b.storedKeys();
    const rows = await b.t.deps.db.file.count();
    const error = await apiError(
      b.t.openai.files.create({
        file: await toFile(Buffer.alloc(limit + 1, 1), 'too-big.bin'),
        purpose: 'assistants',
      }),
    );
    expect(error.status).toBe(413);
    expect(error.message).toContain(`maximum file size is ${limit} bytes`);
    expect(error.param).toBe('file');
    expect(await b.t.deps.db.file.count()).toBe(rows);
    expect(await b.storedKeys()).toEqual(before);
    expect(await b.partials()).toEqual([]);
  });

  it('retrieves, lists by purpose with pagination, and deletes', async () => {
    const { apiKey } = await b.t.createOtherProject();
    const client = b.t.client(apiKey);
    const created = [];
    for (const name of ['a.txt', 'b.txt', 'c.txt']) {
      created.push(
        await client.files.create({
          file: await toFile(Buffer.from(name), name),
          purpose: 'assistants',
        }),
      );
    }
    const other = await client.files.create({
      file: await toFile(Buffer.from('{}'), 'data.json'),
      purpose: 'user_data',
    });

    const fetched = await client.files.retrieve(created[0]?.id ?? '');
    expectSpec('OpenAIFile', fetched);
    expect(fetched).toEqual(created[0]);

    const raw = await b.t.rest('/files?purpose=assistants&limit=2', { apiKey, beta: false });
    const rawPage = (await raw.json()) as { first_id: string; last_id: string };
    expectSpec('ListFilesResponse', rawPage);
    expect(rawPage).toMatchObject({ object: 'list', has_more: true });
    expect([rawPage.first_id, rawPage.last_id]).toEqual([created[2]?.id, created[1]?.id]);
    const firstPage = await client.files.list({ purpose: 'assistants', limit: 2 });
    expect(firstPage.data.map((file) => file.filename)).toEqual(['c.txt', 'b.txt']);
    expect(firstPage.has_more).toBe(true);
    const all = [];
    for await (const file of client.files.list({ purpose: 'assistants', limit: 2 })) {
      all.push(file.id);
    }
    expect(all).toEqual(created.map((file) => file.id).reverse());
    const ascending = await client.files.list({ order: 'asc' });
    expect(ascending.data.map((file) => file.id)).toEqual(
      [...created, other].map((file) => file.id),
    );
    expect(ascending.has_more).toBe(false);

    const key = await storageKeyOf(other.id);
    const deleted = await client.files.delete(other.id);
    expectSpec('DeleteFileResponse', deleted);
    expect(deleted).toEqual({ id: other.id, object: 'file', deleted: true });
    expect(await b.storedKeys()).not.toContain(key);
    const gone = await apiError(client.files.retrieve(other.id));
    expect(gone.status).toBe(404);
    expect(gone.message).toBe(`404 No such File object: ${other.id}`);
    expect((await client.files.list({ purpose: 'user_data' })).data).toEqual([]);
  });

  it('deletes with the 4.x SDK’s files.del', async () => {
    const client = new OpenAIv4({
      apiKey: b.t.apiKey,
      baseURL: `${b.t.baseUrl}/v1`,
      maxRetries: 0,
    });
    const file = await client.files.create({
      file: await OpenAIv4.toFile(Buffer.from('v4'), 'v4.txt'),
      purpose: 'assistants',
    });
    const key = await storageKeyOf(file.id);
    expect(await b.storedKeys()).toContain(key);
    expect(await client.files.del(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });
    expect(await b.storedKeys()).not.toContain(key);
  });

  it('stores an empty file', async () => {
    const file = await b.t.openai.files.create({
      file: await toFile(Buffer.alloc(0), 'empty.txt'),
      purpose: 'assistants',
    });
    expect(file.bytes).toBe(0);
    const content = await b.t.openai.files.content(file.id);
    expect(await content.text()).toBe('');
  });

  it('answers 404 for another project’s file, everywhere', async () => {
    const file = await b.t.openai.files.create({
      file: await toFile(Buffer.from('secret'), 'secret.txt'),
      purpose: 'assistants',
    });
    const { apiKey } = await b.t.createOtherProject();
    const stranger: OpenAI = b.t.client(apiKey);
    for (const attempt of [
      () => stranger.files.retrieve(file.id),
      () => stranger.files.content(file.id),
      () => stranger.files.delete(file.id),
    ]) {
      const error = await apiError(attempt());
      expect(error.status).toBe(404);
      expect(error.message).toBe(`404 No such File object: ${file.id}`);
    }
    expect((await stranger.files.list()).data).toEqual([]);
    expect(await b.storedKeys()).toContain(await storageKeyOf(file.id));
  });
});
