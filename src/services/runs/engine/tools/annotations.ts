import type { Annotation } from '../../../threads/message-content.js';
import type { ToolCall } from '../../run-step-details.js';

/** What the run's server-side calls produced that the answer may point at. */
export interface AnnotationSources {
  /** `ordinal:index` of a file_search result → its file. */
  citations: Map<string, string>;
  /** Sandbox path (`/mnt/data/…`) → the File the code wrote there. */
  files: Map<string, string>;
}

export function emptySources(): AnnotationSources {
  return { citations: new Map(), files: new Map() };
}

/**
 * Collects citation targets from the run's tool calls, in step order; file_search calls are
 * numbered in that order (the ordinal in their markers).
 */
export function collectSources(toolCalls: ToolCall[]): AnnotationSources {
  const sources = emptySources();
  let ordinal = 0;
  for (const call of toolCalls) {
    if (call.type === 'file_search') {
      call.fileSearch.results.forEach((result, index) => {
        sources.citations.set(`${ordinal}:${index}`, result.fileId);
      });
      ordinal += 1;
    } else if (call.type === 'code_interpreter') {
      for (const file of call.files) {
        sources.files.set(file.path, file.fileId);
      }
    }
  }
  return sources;
}

const CITATION = /【(\d+):(\d+)†[^】]*】/g;
const SANDBOX_PATH = /sandbox:(\/mnt\/data\/[^\s)\]"'<>`]+)/g;

/**
 * Annotations for the text so far. While text is still arriving (`final` false), a sandbox path
 * at the very end may grow, so it waits; a citation is complete once its closing bracket came.
 */
export function annotate(text: string, sources: AnnotationSources, final: boolean): Annotation[] {
  const found: Annotation[] = [];
  if (sources.citations.size > 0) {
    for (const match of text.matchAll(CITATION)) {
      const fileId = sources.citations.get(`${match[1]}:${match[2]}`);
      if (fileId !== undefined) {
        found.push({
          type: 'file_citation',
          text: match[0],
          startIndex: match.index,
          endIndex: match.index + match[0].length,
          fileCitation: { fileId },
        });
      }
    }
  }
  if (sources.files.size > 0) {
    for (const match of text.matchAll(SANDBOX_PATH)) {
      const end = match.index + match[0].length;
      // Trailing punctuation ends a sentence, not a file name.
      const path = (match[1] ?? '').replace(/[.,;:!?]+$/, '');
      const fileId = sources.files.get(path);
      if (fileId === undefined || (!final && end === text.length)) {
        continue;
      }
      const annotated = `sandbox:${path}`;
      found.push({
        type: 'file_path',
        text: annotated,
        startIndex: match.index,
        endIndex: match.index + annotated.length,
        filePath: { fileId },
      });
    }
  }
  return found.sort((a, b) => a.startIndex - b.startIndex);
}
