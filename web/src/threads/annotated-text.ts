import { CITE_CLOSE, CITE_OPEN, FILE_CLOSE, FILE_OPEN } from '../markdown/markdown.js';
import type { Message, Step } from './transcript-state.js';

type TextContent = NonNullable<Message['content'][number]['text']>;

export interface Footnote {
  n: number;
  /** The marker the model wrote, e.g. `【0:1†notes.md】`. */
  marker: string;
  fileId: string;
  filename: string | null;
}

/**
 * A text part as Markdown source with its annotations replaced by placeholders: each distinct
 * citation becomes a numbered footnote, each file path a link to the file the code wrote.
 */
export function annotatedSource(text: TextContent): {
  source: string;
  footnotes: Footnote[];
  files: Map<string, { filename: string; contentUrl: string }>;
} {
  const footnotes: Footnote[] = [];
  const files = new Map<string, { filename: string; contentUrl: string }>();
  const annotations = text.annotations
    .filter((annotation) => annotation !== null && annotation !== undefined)
    .slice()
    .sort((a, b) => a.startIndex - b.startIndex);
  let source = '';
  let last = 0;
  for (const annotation of annotations) {
    if (annotation.startIndex < last || annotation.endIndex > text.value.length) {
      continue;
    }
    source += text.value.slice(last, annotation.startIndex);
    last = annotation.endIndex;
    if (annotation.fileCitation) {
      let footnote = footnotes.find((existing) => existing.marker === annotation.text);
      if (!footnote) {
        footnote = {
          n: footnotes.length + 1,
          marker: annotation.text,
          fileId: annotation.fileCitation.fileId,
          filename: annotation.fileCitation.file?.filename ?? null,
        };
        footnotes.push(footnote);
      }
      source += `${CITE_OPEN}${footnote.n}${CITE_CLOSE}`;
    } else if (annotation.filePath) {
      const file = annotation.filePath.file;
      if (file) {
        files.set(file.id, { filename: file.filename, contentUrl: file.contentUrl });
      }
      source += `${FILE_OPEN}${annotation.filePath.fileId}${FILE_CLOSE}`;
    } else {
      source += annotation.text;
    }
  }
  source += text.value.slice(last);
  return { source, footnotes, files };
}

const MARKER = /^【(\d+):(\d+)†([^】]*)】$/;

/**
 * The passage a citation marker points at: `【o:i†file】` is result `i` of the run's `o`-th
 * file_search call, counted over its steps in order (as the worker numbered them).
 */
export function citedPassage(
  steps: Step[],
  marker: string,
): { text: string; fileName: string; score: number } | null {
  const match = MARKER.exec(marker);
  if (!match) {
    return null;
  }
  const calls = steps
    .flatMap((step) => step.stepDetails.toolCalls ?? [])
    .filter((call) => call.type === 'file_search');
  const result = calls[Number(match[1])]?.fileSearch?.results[Number(match[2])];
  if (!result) {
    return null;
  }
  return {
    text: result.content.map((part) => part.text).join('\n'),
    fileName: result.fileName,
    score: result.score,
  };
}
