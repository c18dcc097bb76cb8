import { extractText, getDocumentProxy } from 'unpdf';
import { ExtractionError } from './extraction-error.js';

/** The text of every page of a PDF, pages separated by a blank line. */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  let pages: string[];
  try {
    // pdf.js transfers (detaches) the ArrayBuffer it is given: hand it a copy in a buffer of its
    // own (a Buffer's `slice()` is a view, often of Node's shared pool). Verbosity 0 keeps its
    // recovery warnings ("Indexing all PDF objects") off stdout.
    const document = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    try {
      pages = (await extractText(document, { mergePages: false })).text;
    } finally {
      await document.destroy();
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ExtractionError('invalid_file', `The PDF could not be read: ${reason}`, {
      cause: error,
    });
  }
  return pages.join('\n\n');
}
