import { describe, expect, it } from 'vitest';
import { extractText } from '../../src/ingestion/extract-text.js';
import { ExtractionError } from '../../src/ingestion/extraction-error.js';
import { buildPdf } from './build-pdf.js';

function file(filename: string, content: string | Uint8Array, mimeType: string | null = null) {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return { filename, mimeType, bytes };
}

async function failure(input: ReturnType<typeof file>): Promise<ExtractionError> {
  const error = await extractText(input).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ExtractionError)) {
    throw new Error(`expected an ExtractionError, got ${String(error)}`);
  }
  return error;
}

describe('text extraction', () => {
  it('reads plain text verbatim, with Windows line endings normalised', async () => {
    const result = await extractText(file('notes.txt', 'first line\r\nsecond line\n'));
    expect(result).toEqual({ kind: 'text', text: 'first line\nsecond line\n' });
  });

  it('keeps Markdown as written', async () => {
    const markdown = '# Title\n\nSome *emphasis* and a [link](https://example.com).\n';
    expect(await extractText(file('README.md', markdown))).toEqual({
      kind: 'markdown',
      text: markdown,
    });
  });

  it('turns HTML into its visible text, without tags, scripts or link targets', async () => {
    const html = `<!doctype html><html><head><title>T</title><style>p{color:red}</style>
      <script>var hidden = "secret";</script></head>
      <body><h1>Refund policy</h1><p>Returns within <b>30 days</b>.
      See <a href="https://example.com/x">the form</a>.</p></body></html>`;
    const { kind, text } = await extractText(file('policy.html', html));
    expect(kind).toBe('html');
    expect(text).toContain('REFUND POLICY');
    expect(text).toContain('Returns within 30 days.');
    expect(text).toContain('the form');
    expect(text).not.toMatch(/<|secret|color:red|example\.com/);
  });

  it('validates JSON and indexes it as written', async () => {
    const json = '{\n  "name": "widget",\n  "tags": ["a", "b"]\n}';
    expect(await extractText(file('data.json', json))).toEqual({ kind: 'json', text: json });
    const error = await failure(file('broken.json', '{"name": "widget",'));
    expect(error.code).toBe('invalid_file');
    expect(error.message).toBe('The file is not valid JSON.');
  });

  it('reads source code by extension, whatever MIME type the upload claimed', async () => {
    const code = 'export function add(a: number, b: number) {\n  return a + b;\n}\n';
    for (const name of ['math.ts', 'math.py', 'Makefile', 'main.go', 'config.yaml']) {
      const result = await extractText(file(name, code, 'application/octet-stream'));
      expect(result, name).toEqual({ kind: 'code', text: code });
    }
  });

  it('falls back to the MIME type for names without a known extension', async () => {
    expect((await extractText(file('notes', 'hello', 'text/plain'))).kind).toBe('text');
    expect((await extractText(file('page', '<p>hi</p>', 'text/html'))).text).toBe('hi');
  });

  it('decodes UTF-16 text with a byte-order mark', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('héllo wörld', 'utf16le')]);
    expect((await extractText(file('greeting.txt', utf16))).text).toBe('héllo wörld');
  });

  it('extracts the text of every page of a real PDF', async () => {
    const pdf = buildPdf([
      ['Quarterly report', 'Revenue grew (a lot) in Q3.'],
      ['Page two: outlook for Q4.'],
    ]);
    const { kind, text } = await extractText(file('report.pdf', pdf));
    expect(kind).toBe('pdf');
    expect(text).toBe('Quarterly report\nRevenue grew (a lot) in Q3.\n\nPage two: outlook for Q4.');
  });

  it('fails an empty file as invalid_file', async () => {
    for (const name of ['empty.txt', 'empty.pdf', 'empty.json']) {
      const error = await failure(file(name, ''));
      expect(error.code, name).toBe('invalid_file');
      expect(error.message, name).toBe('The file is empty.');
    }
  });

  it('fails a file of whitespace, or HTML without visible text, as having no text', async () => {
    expect((await failure(file('blank.txt', ' \n\t\n'))).message).toBe(
      'The file contains no text.',
    );
    expect((await failure(file('blank.html', '<div><img src="a.png"></div>'))).code).toBe(
      'invalid_file',
    );
  });

  it('fails a PDF without text (a scan) as invalid_file', async () => {
    const error = await failure(file('scan.pdf', buildPdf([[]])));
    expect(error.code).toBe('invalid_file');
    expect(error.message).toBe('The PDF contains no extractable text.');
  });

  it('fails unsupported types as unsupported_file, naming the file', async () => {
    for (const [name, mime] of [
      ['photo.png', 'image/png'],
      ['slides.pptx', null],
      ['archive.zip', 'application/zip'],
    ] as const) {
      const error = await failure(file(name, new Uint8Array([0x89, 0x50, 0x4e, 0x47]), mime));
      expect(error.code, name).toBe('unsupported_file');
      expect(error.message, name).toContain(`'${name}'`);
    }
  });

  it('fails corrupt files as invalid_file', async () => {
    const pdf = buildPdf([['Some text']]);
    const truncated = await failure(file('cut.pdf', pdf.slice(0, 120)));
    expect(truncated.code).toBe('invalid_file');
    expect(truncated.message).toMatch(/^The PDF could not be read: /);
    const notPdf = await failure(file('fake.pdf', 'this is not a PDF at all'));
    expect(notPdf.code).toBe('invalid_file');
    const binary = await failure(file('data.txt', new Uint8Array([0x41, 0x00, 0x42])));
    expect(binary.message).toBe('The file contains binary data, not text.');
    const latin1 = await failure(file('legacy.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9])));
    expect(latin1.message).toBe('The file is not valid UTF-8 or UTF-16 text.');
  });

  it('leaves the caller’s bytes usable (pdf.js transfers the buffer it is given)', async () => {
    const pdf = buildPdf([['Keep me']]);
    await extractText(file('keep.pdf', pdf));
    expect(pdf.byteLength).toBeGreaterThan(0);
    expect((await extractText(file('keep.pdf', pdf))).text).toBe('Keep me');
    // A small Buffer is a view of Node's shared pool: transferring that would break every
    // other Buffer in the process.
    const pooled = Buffer.concat([Buffer.from(pdf)]);
    const neighbour = Buffer.from('neighbour');
    expect((await extractText(file('pooled.pdf', pooled))).text).toBe('Keep me');
    expect(pooled.byteLength).toBe(pdf.byteLength);
    expect(neighbour.toString()).toBe('neighbour');
  });
});
