import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageType } from '../../src/sandbox/image-type.js';
import { LogCapture } from '../../src/sandbox/log-capture.js';
import { applyExport, discardStaging, receiveExport } from '../../src/sandbox/sandbox-export.js';
import { isSafeRelativeName, sanitizeFileName } from '../../src/sandbox/session-dir.js';

function frame(header: Record<string, unknown>, body: string | Buffer = ''): Buffer {
  const bytes = Buffer.from(body);
  return Buffer.concat([
    Buffer.from(`${JSON.stringify({ ...header, size: bytes.length })}\n`),
    bytes,
  ]);
}

/** Delivers the bytes in small pieces, as a pipe may. */
async function* chunked(data: Buffer, size = 7): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < data.length; offset += size) {
    yield data.subarray(offset, offset + size);
  }
}

describe('code sandbox: the server trusts nothing the sandbox sends back', () => {
  let root: string;
  let sessionDir: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sandbox-protocol-'));
    sessionDir = path.join(root, 'session');
    await import('node:fs/promises').then(({ mkdir }) =>
      mkdir(path.join(sessionDir, 'files'), { recursive: true }),
    );
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  it.each([
    '../escape.txt',
    '/etc/passwd',
    'a/../../b',
    'a//b',
    './a',
    '',
    'nul\u0000byte',
    `${'x'.repeat(256)}.txt`,
  ])('rejects an export naming %j, writing nothing outside the session', async (name) => {
    const stream = Buffer.concat([
      frame({ kind: 'started' }),
      frame({ kind: 'file', name }, 'owned'),
      frame({ kind: 'end' }),
    ]);
    const outcome = await receiveExport(chunked(stream), sessionDir, 1024);
    expect(outcome.complete).toBe(false);
    expect(outcome.error?.message).toMatch(/unsafe file name/);
    await discardStaging(outcome.staging);
    expect(await readdir(root)).toEqual(['session']);
    expect(await readdir(sessionDir)).toEqual(['files']);
  });

  it('rejects files over the size limit, unknown frames, garbage and a torn stream', async () => {
    const cases: [Buffer, RegExp][] = [
      [frame({ kind: 'file', name: 'big' }, 'x'.repeat(2000)), /export exceeds the file limits/],
      [frame({ kind: 'exec', command: 'rm -rf /' }), /unknown frame kind/],
      [Buffer.from('not json\n'), /frame header is not JSON/],
      [Buffer.from('{"kind":"file","name":"a","size":-1}\n'), /negative/],
      [
        Buffer.concat([
          frame({ kind: 'started' }),
          Buffer.from('{"kind":"file","name":"a","size":10}\nabc'),
        ]),
        /ended inside a frame/,
      ],
      [Buffer.from('x'.repeat(70_000)), /header too long/],
    ];
    for (const [stream, error] of cases) {
      const outcome = await receiveExport(chunked(stream, 4096), sessionDir, 1024);
      expect(outcome.complete).toBe(false);
      expect(outcome.error?.message).toMatch(error);
      await discardStaging(outcome.staging);
    }
    expect(await readdir(sessionDir)).toEqual(['files']);
  });

  it('applies a complete export: deletions, nested files, typed images', async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('rest'),
    ]);
    const stream = Buffer.concat([
      frame({ kind: 'started' }),
      frame({ kind: 'file', name: 'out/chart.png' }, png),
      frame({ kind: 'file', name: 'empty.txt' }),
      frame({ kind: 'deleted', name: 'gone.txt' }),
      frame({ kind: 'result', exitCode: 0, notes: [] }),
      frame({ kind: 'end' }),
    ]);
    const outcome = await receiveExport(chunked(stream), sessionDir, 1024);
    expect(outcome.error).toBeUndefined();
    expect(outcome.complete).toBe(true);
    const applied = await applyExport(sessionDir, outcome.received);
    await discardStaging(outcome.staging);
    expect(applied.outputFiles).toEqual([
      {
        name: 'out/chart.png',
        path: path.join(sessionDir, 'files', 'out', 'chart.png'),
        bytes: 12,
        isImage: true,
        imageType: 'png',
      },
      {
        name: 'empty.txt',
        path: path.join(sessionDir, 'files', 'empty.txt'),
        bytes: 0,
        isImage: false,
      },
    ]);
    expect(await readFile(path.join(sessionDir, 'files', 'empty.txt'), 'utf8')).toBe('');
  });

  it('knows images by their bytes, not their names', () => {
    expect(imageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(imageType(Buffer.from('GIF89a...'))).toBe('gif');
    expect(imageType(Buffer.from('GIF87a'))).toBe('gif');
    expect(imageType(Buffer.from('\u0089PNG'))).toBeUndefined();
    expect(imageType(Buffer.from('x,y\n1,2\n'))).toBeUndefined();
  });

  it('sanitizes input file names to one safe path segment', () => {
    expect(sanitizeFileName('report.csv')).toBe('report.csv');
    expect(sanitizeFileName('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(sanitizeFileName('..')).toBe('file');
    expect(sanitizeFileName('a\\b\u0000c\nd')).toBe('a_b_cd');
    const long = sanitizeFileName(`${'é'.repeat(300)}.xlsx`);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(255);
    expect(long.endsWith('.xlsx')).toBe(true);
    expect(isSafeRelativeName(long)).toBe(true);
    expect(isSafeRelativeName('dir/file.txt')).toBe(true);
    expect(isSafeRelativeName('\ud800')).toBe(false);
  });
});

describe('code sandbox: log capture', () => {
  it('keeps output up to the limit whole, decoding characters split across chunks', () => {
    const capture = new LogCapture(10);
    const text = 'héllo wör';
    const bytes = Buffer.from(text);
    for (let offset = 0; offset < bytes.length; offset += 1) {
      capture.push(bytes.subarray(offset, offset + 1));
    }
    expect(capture.text()).toBe(text);
    expect(capture.truncated).toBe(false);
  });

  it('keeps the start and the end of longer output, with a marker', () => {
    const capture = new LogCapture(10);
    capture.push(Buffer.from('0123456789'));
    capture.push(Buffer.from('abcdefghij'));
    capture.push(Buffer.from('KLMNOPQRST'));
    expect(capture.truncated).toBe(true);
    expect(capture.text()).toBe('012345\n\n[… 20 characters of output omitted …]\n\nQRST');
    expect(capture.bytes).toBe(30);
  });
});
