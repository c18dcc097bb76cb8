import { createHash, randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLResponse } from '../setup/app.js';
import { BACKENDS, type BackendApp, startBackendApp } from './backends.js';

const LIMIT = 6 * 1024 * 1024;
const FILE_FIELDS = 'id createdAt filename purpose bytes mimeType expiresAt contentUrl';
const UPLOAD = `mutation Upload($file: Upload!, $purpose: String!) {
  uploadFile(file: $file, purpose: $purpose) { ${FILE_FIELDS} }
}`;

interface FileData {
  id: string;
  createdAt: number;
  filename: string;
  purpose: string;
  bytes: number;
  mimeType: string;
  expiresAt: number | null;
  contentUrl: string;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The multipart request spec's `operations` and `map`, then one file part named "0". */
function multipartParts(query: string, variables: Record<string, unknown>, filename: string) {
  const boundary = `----test${randomBytes(8).toString('hex')}`;
  const operations = JSON.stringify({ query, variables: { ...variables, file: null } });
  const head = Buffer.from(
    [
      `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="${filename}"\r\n`,
      'Content-Type: application/octet-stream\r\n\r\n',
    ].join(''),
  );
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    head,
    tail: Buffer.from(`\r\n--${boundary}--\r\n`),
  };
}

describe.each(BACKENDS)('files over GraphQL, %s storage', (backend) => {
  let b: BackendApp;
  beforeAll(async () => {
    b = await startBackendApp(backend, { FILE_MAX_BYTES: String(LIMIT) });
  });
  afterAll(async () => {
    await b?.close();
  });

  /** A GraphQL multipart request (spec layout) over real HTTP, built by undici's FormData. */
  async function upload(bytes: Uint8Array, filename: string, purpose: string) {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: UPLOAD, variables: { file: null, purpose } }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', new Blob([new Uint8Array(bytes)]), filename);
    const response = await fetch(`${b.t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.t.apiKey}` },
      body: form,
    });
    const body = (await response.json()) as Omit<
      GraphQLResponse<{ uploadFile: FileData }>,
      'status'
    >;
    return { status: response.status, ...body };
  }

  it('uploads, reads, lists, downloads and deletes', async () => {
    const bytes = randomBytes(300_000);
    const uploaded = await upload(bytes, 'data.csv', 'assistants');
    expect(uploaded.errors).toBeUndefined();
    const file = uploaded.data?.uploadFile;
    expect(file).toMatchObject({
      filename: 'data.csv',
      purpose: 'assistants',
      bytes: bytes.length,
      mimeType: 'text/csv',
      expiresAt: null,
      contentUrl: `/v1/files/${file?.id}/content`,
    });
    const id = file?.id ?? '';

    const read = await b.t.graphql<{ file: FileData; files: { nodes: { id: string }[] } }>(
      `query ($id: ID!) { file(id: $id) { ${FILE_FIELDS} } files(purpose: "assistants") { nodes { id } } }`,
      { id },
    );
    expect(read.data?.file).toEqual(file);
    expect(read.data?.files.nodes.map((item) => item.id)).toContain(id);

    const download = await fetch(`${b.t.baseUrl}${file?.contentUrl}`, {
      headers: { authorization: `Bearer ${b.t.apiKey}` },
    });
    expect(download.status).toBe(200);
    expect(sha256(new Uint8Array(await download.arrayBuffer()))).toBe(sha256(bytes));

    const key = (await b.t.deps.db.file.findUniqueOrThrow({ where: { id } })).storageKey;
    expect(await b.storedKeys()).toContain(key);
    const deleted = await b.t.graphql<{ deleteFile: { id: string; deleted: boolean } }>(
      'mutation ($id: ID!) { deleteFile(id: $id) { id deleted } }',
      { id },
    );
    expect(deleted.data?.deleteFile).toEqual({ id, deleted: true });
    expect(await b.storedKeys()).not.toContain(key);
    const gone = await b.t.graphql(`query ($id: ID!) { file(id: $id) { id } }`, { id });
    expect(gone.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a file over FILE_MAX_BYTES while streaming it, keeping nothing', async () => {
    const rows = await b.t.deps.db.file.count();
    const before = await b.storedKeys();
    // Over the limit and over S3's part size: the S3 backend has begun a multipart upload.
    const response = await upload(Buffer.alloc(LIMIT + 4096, 7), 'huge.bin', 'assistants');
    expect(response.status).toBe(413);
    expect(response.errors?.[0]).toMatchObject({
      message: `File 'huge.bin' is too large: the maximum file size is ${LIMIT} bytes.`,
      extensions: { code: 'PAYLOAD_TOO_LARGE', param: 'file' },
    });
    expect(await b.t.deps.db.file.count()).toBe(rows);
    expect(await b.storedKeys()).toEqual(before);
    expect(await b.partials()).toEqual([]);
  });

  it('refuses a bad purpose before storing anything', async () => {
    const rows = await b.t.deps.db.file.count();
    const response = await upload(randomBytes(200_000), 'x.bin', 'assistants_output');
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'INVALID_REQUEST',
      param: 'purpose',
    });
    expect(await b.t.deps.db.file.count()).toBe(rows);
  });
});

describe('streaming multipart uploads, local storage', () => {
  let b: BackendApp;
  beforeAll(async () => {
    b = await startBackendApp('local');
  });
  afterAll(async () => {
    await b.close();
  });

  async function partialSizes(): Promise<number[]> {
    const dir = path.join(b.t.deps.env.DATA_DIR, 'files', '.partial');
    const names = await readdir(dir).catch(() => []);
    return Promise.all(names.map(async (name) => (await stat(path.join(dir, name))).size));
  }

  it('writes bytes to storage while the request is still arriving', async () => {
    const parts = multipartParts(UPLOAD, { purpose: 'assistants' }, 'slow.bin');
    const first = randomBytes(256 * 1024);
    const rest = randomBytes(256 * 1024);
    let sendRest: () => void = () => {};
    const restSent = new Promise<void>((resolve) => {
      sendRest = resolve;
    });
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(parts.head);
        controller.enqueue(first);
        await restSent;
        controller.enqueue(rest);
        controller.enqueue(parts.tail);
        controller.close();
      },
    });
    const responding = fetch(`${b.t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.t.apiKey}`, 'content-type': parts.contentType },
      body,
      duplex: 'half',
    } as RequestInit);

    // Yoga's own parser would hold the whole body before the resolver ran: nothing would reach
    // storage until the rest is sent, and this wait would time out.
    const deadline = Date.now() + 10_000;
    let sizes = await partialSizes();
    while (!sizes.some((size) => size > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      sizes = await partialSizes();
    }
    expect(sizes.some((size) => size > 0)).toBe(true);
    sendRest();

    const response = await responding;
    const result = (await response.json()) as { data?: { uploadFile: FileData } };
    expect(result.data?.uploadFile.bytes).toBe(first.length + rest.length);
    const content = await b.t.openai.files.content(result.data?.uploadFile.id ?? '');
    expect(sha256(new Uint8Array(await content.arrayBuffer()))).toBe(
      sha256(Buffer.concat([first, rest])),
    );
  });

  it('reports a body cut short as a bad request and keeps nothing', async () => {
    const parts = multipartParts(UPLOAD, { purpose: 'assistants' }, 'cut.bin');
    const rows = await b.t.deps.db.file.count();
    const response = await fetch(`${b.t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.t.apiKey}`, 'content-type': parts.contentType },
      // No closing boundary: the file part never ends.
      body: Buffer.concat([parts.head, randomBytes(10_000)]),
    });
    const result = (await response.json()) as GraphQLResponse;
    expect(response.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/^The upload was interrupted: /);
    expect(await b.t.deps.db.file.count()).toBe(rows);
    expect(await b.partials()).toEqual([]);
  });

  it('refuses a map that names a file the request lacks', async () => {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: UPLOAD, variables: { file: null, purpose: 'assistants' } }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    const response = await fetch(`${b.t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.t.apiKey}` },
      body: form,
    });
    expect(response.status).toBe(400);
    const result = (await response.json()) as GraphQLResponse;
    expect(result.errors?.[0]?.message).toBe(
      'Multipart "map" names a file the request does not contain',
    );
  });

  it('refuses an Upload that is not a file part', async () => {
    const response = await b.t.graphql(UPLOAD, { file: 'not a file', purpose: 'assistants' });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.message).toContain(
      'Upload must be a file part of a multipart request',
    );
  });
});
