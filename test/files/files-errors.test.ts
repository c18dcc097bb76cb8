import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpiredFiles } from '../../src/services/files/file-expiry.js';
import { apiError } from '../setup/api-error.js';
import { expectSpec } from '../setup/openapi.js';
import { type BackendApp, startBackendApp } from './backends.js';

const LIMIT = 1024;

let b: BackendApp;
beforeAll(async () => {
  b = await startBackendApp('local', { FILE_MAX_BYTES: String(LIMIT) });
});
afterAll(async () => {
  await b.close();
});

/** A raw multipart POST /files with the parts in the order given. */
async function postFiles(
  parts: [name: string, value: string | Blob, filename?: string][],
  apiKey?: string | null,
) {
  const form = new FormData();
  for (const [name, value, filename] of parts) {
    if (typeof value === 'string') {
      form.append(name, value);
    } else {
      form.append(name, value, filename);
    }
  }
  const response = await b.t.rest('/files', { method: 'POST', body: form, beta: false, apiKey });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function expectNothingStored(rowsBefore: number) {
  expect(await b.t.deps.db.file.count()).toBe(rowsBefore);
  expect(await b.storedKeys()).toEqual([]);
  expect(await b.partials()).toEqual([]);
}

describe('uploads the server refuses', () => {
  it('refuses a file one byte over FILE_MAX_BYTES and keeps a file exactly at it', async () => {
    const rows = await b.t.deps.db.file.count();
    const error = await apiError(
      b.t.openai.files.create({
        file: await toFile(Buffer.alloc(LIMIT + 1), 'big.bin'),
        purpose: 'assistants',
      }),
    );
    expect(error.status).toBe(413);
    expect(error.error).toEqual({
      message: `File 'big.bin' is too large: the maximum file size is ${LIMIT} bytes.`,
      type: 'invalid_request_error',
      param: 'file',
      code: 'file_too_large',
    });
    await expectNothingStored(rows);

    const atLimit = await b.t.openai.files.create({
      file: await toFile(Buffer.alloc(LIMIT), 'fits.bin'),
      purpose: 'assistants',
    });
    expect(atLimit.bytes).toBe(LIMIT);
    await b.t.openai.files.delete(atLimit.id);
  });

  it('reports a missing file or purpose as OpenAI does', async () => {
    const rows = await b.t.deps.db.file.count();
    const noFile = await postFiles([['purpose', 'assistants']]);
    expect(noFile.status).toBe(400);
    expectSpec('ErrorResponse', noFile.body);
    expect(noFile.body.error).toEqual({
      message: "Missing required parameter: 'file'.",
      type: 'invalid_request_error',
      param: 'file',
      code: 'missing_required_parameter',
    });
    const noPurpose = await postFiles([['file', new Blob(['hi']), 'a.txt']]);
    expect(noPurpose.status).toBe(400);
    expect(noPurpose.body.error).toMatchObject({
      message: "Missing required parameter: 'purpose'.",
      param: 'purpose',
      code: 'missing_required_parameter',
    });
    const textFile = await postFiles([
      ['file', 'not a file'],
      ['purpose', 'assistants'],
    ]);
    expect(textFile.status).toBe(400);
    expect(textFile.body.error).toMatchObject({ param: 'file', code: 'invalid_type' });
    await expectNothingStored(rows);
  });

  it('refuses an unknown purpose, and assistants_output from clients', async () => {
    const rows = await b.t.deps.db.file.count();
    const bad = await apiError(
      b.t.openai.files.create({
        file: await toFile(Buffer.from('x'), 'x.txt'),
        purpose: 'answers' as 'assistants',
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.error).toMatchObject({
      message:
        "Invalid 'purpose': expected one of 'assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'.",
      param: 'purpose',
      code: 'invalid_value',
    });
    const output = await apiError(
      b.t.openai.files.create({
        file: await toFile(Buffer.from('x'), 'x.png'),
        purpose: 'assistants_output' as 'assistants',
      }),
    );
    expect(output.status).toBe(400);
    expect(output.message).toContain("'assistants_output' files are created by the server");
    await expectNothingStored(rows);
  });

  it('refuses a body that is not multipart, and unknown fields', async () => {
    const json = await b.t.rest('/files', {
      method: 'POST',
      beta: false,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ purpose: 'assistants', file: 'x' }),
    });
    expect(json.status).toBe(400);
    const body = (await json.json()) as { error: { message: string } };
    expectSpec('ErrorResponse', body);
    expect(body.error.message).toMatch(
      /^Invalid Content-Type header \(application\/json\), expected multipart\/form-data/,
    );
    const unknown = await postFiles([
      ['purpose', 'assistants'],
      ['colour', 'blue'],
      ['file', new Blob(['x']), 'x.txt'],
    ]);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      message: 'Unrecognized request argument supplied: colour',
      param: 'colour',
      code: 'unknown_parameter',
    });
  });

  it('needs an API key', async () => {
    const response = await postFiles(
      [
        ['purpose', 'assistants'],
        ['file', new Blob(['x']), 'x.txt'],
      ],
      null,
    );
    expect(response.status).toBe(401);
  });

  it('answers 404 for unknown ids', async () => {
    for (const attempt of [
      () => b.t.openai.files.retrieve('file-doesnotexist'),
      () => b.t.openai.files.content('file-doesnotexist'),
      () => b.t.openai.files.delete('file-doesnotexist'),
    ]) {
      const error = await apiError(attempt());
      expect(error.status).toBe(404);
      expect(error.error).toMatchObject({
        message: 'No such File object: file-doesnotexist',
        param: 'id',
      });
    }
  });

  it('validates list parameters', async () => {
    for (const [query, param] of [
      ['limit=0', 'limit'],
      ['limit=10001', 'limit'],
      ['order=sideways', 'order'],
      ['after=file-unknown', 'after'],
    ] as const) {
      const response = await b.t.rest(`/files?${query}`, { beta: false });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { param: string } };
      expectSpec('ErrorResponse', body);
      expect(body.error.param).toBe(param);
    }
  });
});

describe('upload fields', () => {
  it('takes fields in any order, and expires_after after the file', async () => {
    const { status, body } = await postFiles([
      ['purpose', 'fine-tune'],
      ['file', new Blob(['{"a":1}\n']), 'train.jsonl'],
      ['expires_after[anchor]', 'created_at'],
      ['expires_after[seconds]', '3600'],
    ]);
    expect(status).toBe(200);
    expectSpec('OpenAIFile', body);
    expect(body).toMatchObject({ purpose: 'fine-tune', filename: 'train.jsonl', bytes: 8 });
    expect(body.expires_at).toBe((body.created_at as number) + 3600);
  });

  it('expires batch files after 30 days by default, and honours the SDK’s expires_after', async () => {
    const batch = await b.t.openai.files.create({
      file: await toFile(Buffer.from('{}\n'), 'batch.jsonl'),
      purpose: 'batch',
    });
    expect(batch.expires_at).toBe(batch.created_at + 30 * 24 * 3600);
    const expiring = await b.t.openai.files.create({
      file: await toFile(Buffer.from('x'), 'x.txt'),
      purpose: 'assistants',
      expires_after: { anchor: 'created_at', seconds: 7200 },
    });
    expect(expiring.expires_at).toBe(expiring.created_at + 7200);
  });

  it('refuses a bad expires_after', async () => {
    const tooSoon = await apiError(
      b.t.openai.files.create({
        file: await toFile(Buffer.from('x'), 'x.txt'),
        purpose: 'assistants',
        expires_after: { anchor: 'created_at', seconds: 60 },
      }),
    );
    expect(tooSoon.status).toBe(400);
    expect(tooSoon.param).toBe('expires_after.seconds');
    const noAnchor = await postFiles([
      ['file', new Blob(['x']), 'x.txt'],
      ['purpose', 'assistants'],
      ['expires_after[seconds]', '3600'],
    ]);
    expect(noAnchor.status).toBe(400);
    expect(noAnchor.body.error).toMatchObject({
      param: 'expires_after.anchor',
      code: 'missing_required_parameter',
    });
    const notANumber = await postFiles([
      ['file', new Blob(['x']), 'x.txt'],
      ['purpose', 'assistants'],
      ['expires_after[anchor]', 'created_at'],
      ['expires_after[seconds]', 'soon'],
    ]);
    expect(notANumber.status).toBe(400);
    expect(notANumber.body.error).toMatchObject({ param: 'expires_after.seconds' });
  });

  it('hides a file once it has expired, and the sweep deletes it with its bytes', async () => {
    const file = await b.t.openai.files.create({
      file: await toFile(Buffer.from('x'), 'old.txt'),
      purpose: 'assistants',
    });
    await b.t.deps.db.file.update({
      where: { id: file.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await apiError(b.t.openai.files.retrieve(file.id))).status).toBe(404);
    const listed = await b.t.openai.files.list();
    expect(listed.data.map((item) => item.id)).not.toContain(file.id);

    const { storageKey } = await b.t.deps.db.file.findUniqueOrThrow({ where: { id: file.id } });
    expect(await b.storedKeys()).toContain(storageKey);
    const swept = await sweepExpiredFiles(b.t.deps);
    expect(swept.deleted).toContain(file.id);
    expect(await b.t.deps.db.file.findUnique({ where: { id: file.id } })).toBeNull();
    expect(await b.storedKeys()).not.toContain(storageKey);
  });

  it('guesses the content type from the extension, else the declared type', async () => {
    const cases: [string, string | undefined, string][] = [
      ['report.pdf', undefined, 'application/pdf'],
      ['main.PY', undefined, 'text/x-python'],
      ['photo', 'image/png', 'image/png'],
      ['blob', undefined, 'application/octet-stream'],
    ];
    for (const [name, type, expected] of cases) {
      const file = await b.t.openai.files.create({
        file: await toFile(Buffer.from('x'), name, type ? { type } : {}),
        purpose: 'assistants',
      });
      const content = await b.t.openai.files.content(file.id);
      expect(content.headers.get('content-type'), name).toBe(expected);
      expect(content.headers.get('content-disposition')).toContain(`filename="${name}"`);
    }
  });
});
