import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type BackendApp, startBackendApp } from '../files/backends.js';
import type { GraphQLResponse } from '../setup/app.js';
import { allByteValues, md5, partKeys, split } from './upload-fixtures.js';

const PART_LIMIT = 6 * 1024 * 1024;
const UPLOAD_FIELDS =
  'id createdAt expiresAt filename purpose bytes mimeType status file { id bytes filename purpose contentUrl }';

interface UploadData {
  id: string;
  createdAt: number;
  expiresAt: number;
  status: string;
  bytes: number;
  file: { id: string; bytes: number; contentUrl: string } | null;
}

describe.each(BACKENDS)('uploads over GraphQL, %s storage', (backend) => {
  let b: BackendApp;
  beforeAll(async () => {
    b = await startBackendApp(backend, { UPLOAD_PART_MAX_BYTES: String(PART_LIMIT) });
  });
  afterAll(async () => {
    await b?.close();
  });

  async function createUpload(bytes: number) {
    const response = await b.t.graphql<{ createUpload: UploadData }>(
      `mutation ($input: CreateUploadInput!) { createUpload(input: $input) { ${UPLOAD_FIELDS} } }`,
      {
        input: { filename: 'table.csv', purpose: 'assistants', bytes, mimeType: 'text/csv' },
      },
    );
    expect(response.errors).toBeUndefined();
    return response.data?.createUpload as UploadData;
  }

  /** `addUploadPart` as a GraphQL multipart request (spec layout), streamed by the server. */
  async function addPart(uploadId: string, bytes: Uint8Array) {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query:
          'mutation ($uploadId: ID!, $data: Upload!) { addUploadPart(uploadId: $uploadId, data: $data) { id uploadId createdAt bytes } }',
        variables: { uploadId, data: null },
      }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.data'] }));
    form.append('0', new Blob([new Uint8Array(bytes)]), 'part');
    const response = await fetch(`${b.t.baseUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.t.apiKey}` },
      body: form,
    });
    const body = (await response.json()) as Omit<
      GraphQLResponse<{ addUploadPart: { id: string; uploadId: string; bytes: number } }>,
      'status'
    >;
    return { status: response.status, ...body };
  }

  it('creates, adds parts, completes and reads an upload', async () => {
    const bytes = allByteValues(150_001);
    const pieces = split(bytes, 3);
    const upload = await createUpload(bytes.length);
    expect(upload).toMatchObject({ status: 'pending', bytes: bytes.length, file: null });
    expect(upload.expiresAt).toBe(upload.createdAt + 3600);
    const parts = [];
    for (const piece of [...pieces].reverse()) {
      const added = await addPart(upload.id, piece);
      expect(added.errors).toBeUndefined();
      expect(added.data?.addUploadPart).toMatchObject({ uploadId: upload.id, bytes: piece.length });
      parts.unshift(added.data?.addUploadPart.id);
    }
    const completed = await b.t.graphql<{ completeUpload: UploadData }>(
      `mutation ($id: ID!, $input: CompleteUploadInput!) { completeUpload(id: $id, input: $input) { ${UPLOAD_FIELDS} } }`,
      { id: upload.id, input: { partIds: parts, md5: md5(bytes) } },
    );
    expect(completed.errors).toBeUndefined();
    const file = completed.data?.completeUpload.file;
    expect(completed.data?.completeUpload).toMatchObject({
      status: 'completed',
      file: { bytes: bytes.length, filename: 'table.csv', purpose: 'assistants' },
    });
    const download = await fetch(`${b.t.baseUrl}${file?.contentUrl}`, {
      headers: { authorization: `Bearer ${b.t.apiKey}` },
    });
    expect(download.headers.get('content-type')).toBe('text/csv');
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    const read = await b.t.graphql<{ upload: UploadData }>(
      `query ($id: ID!) { upload(id: $id) { ${UPLOAD_FIELDS} } }`,
      { id: upload.id },
    );
    expect(read.data?.upload).toEqual(completed.data?.completeUpload);
    expect(await partKeys(b)).toEqual([]);
  });

  it('refuses a part over UPLOAD_PART_MAX_BYTES while streaming it, keeping nothing', async () => {
    const upload = await createUpload(PART_LIMIT + 1);
    const before = await b.storedKeys();
    const response = await addPart(upload.id, Buffer.alloc(PART_LIMIT + 1));
    expect(response.status).toBe(413);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await b.storedKeys()).toEqual(before);
    expect(await b.partials()).toEqual([]);
  });

  it('cancels an upload and reports state errors with codes', async () => {
    const upload = await createUpload(4);
    await addPart(upload.id, Buffer.from('abcd'));
    const cancelled = await b.t.graphql<{ cancelUpload: UploadData }>(
      'mutation ($id: ID!) { cancelUpload(id: $id) { status } }',
      { id: upload.id },
    );
    expect(cancelled.data?.cancelUpload.status).toBe('cancelled');
    expect(await partKeys(b)).toEqual([]);
    const refused = await addPart(upload.id, Buffer.from('more'));
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
    const missing = await b.t.graphql('query { upload(id: "upload_nope") { id } }');
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
  });
});
