import { convert } from 'html-to-text';
import { ExtractionError } from './extraction-error.js';
import { type DocumentKind, documentKind } from './file-types.js';
import { pdfText } from './pdf-text.js';

export interface ExtractInput {
  filename: string;
  mimeType: string | null;
  bytes: Uint8Array;
}

export interface ExtractedText {
  kind: DocumentKind;
  text: string;
}

/** UTF-8 (BOM stripped) or UTF-16 with a BOM; anything else is not a text file we can index. */
function decodeText(bytes: Uint8Array): string {
  const [first, second] = bytes;
  const encoding =
    first === 0xff && second === 0xfe
      ? 'utf-16le'
      : first === 0xfe && second === 0xff
        ? 'utf-16be'
        : 'utf-8';
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (error) {
    throw new ExtractionError('invalid_file', 'The file is not valid UTF-8 or UTF-16 text.', {
      cause: error,
    });
  }
  // PostgreSQL text cannot hold NUL, and a NUL in a "text" file means it is binary.
  if (text.includes('\u0000')) {
    throw new ExtractionError('invalid_file', 'The file contains binary data, not text.');
  }
  return text;
}

function htmlText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
    ],
  });
}

function jsonText(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    throw new ExtractionError('invalid_file', 'The file is not valid JSON.', { cause: error });
  }
  // Indexed as written: the model quotes chunks back, and the author's layout reads best.
  return text;
}

/**
 * The searchable text of a file, by type: plain text, Markdown and source code verbatim, HTML
 * through html-to-text, JSON validated, PDF through pdf.js (unpdf). Throws `ExtractionError`
 * (`unsupported_file` / `invalid_file`) for files that cannot be indexed, including files with
 * no text at all.
 */
export async function extractText(input: ExtractInput): Promise<ExtractedText> {
  const kind = documentKind(input.filename, input.mimeType);
  if (!kind) {
    throw new ExtractionError(
      'unsupported_file',
      `The file type of '${input.filename}' is not supported for retrieval. Supported: text, Markdown, HTML, JSON, source code and PDF.`,
    );
  }
  if (input.bytes.length === 0) {
    throw new ExtractionError('invalid_file', 'The file is empty.');
  }
  let text: string;
  if (kind === 'pdf') {
    text = await pdfText(input.bytes);
  } else {
    const decoded = decodeText(input.bytes);
    text = kind === 'html' ? htmlText(decoded) : kind === 'json' ? jsonText(decoded) : decoded;
  }
  text = text.replaceAll('\u0000', '').replace(/\r\n?/g, '\n');
  if (text.trim() === '') {
    throw new ExtractionError(
      'invalid_file',
      kind === 'pdf' ? 'The PDF contains no extractable text.' : 'The file contains no text.',
    );
  }
  return { kind, text };
}
