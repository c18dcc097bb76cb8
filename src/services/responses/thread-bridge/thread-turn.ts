import type { Db } from '../../../db/db.js';
import { appendCarriedMessages, type CarriedMessage } from '../../runs/store/message-writes.js';
import type { Annotation, MessageContent } from '../../threads/message-content.js';
import type { StoredItem } from '../response-input.js';

/**
 * A response's turn as thread messages: user messages (their text and image URL parts) and
 * assistant messages (their output_text with the annotations that have an Assistants form).
 * Developer and system messages, function calls and their outputs have no thread message: the
 * response keeps them, and later responses on the thread see them from there.
 */

interface Part {
  type?: unknown;
  text?: unknown;
  refusal?: unknown;
  image_url?: unknown;
  detail?: unknown;
  annotations?: unknown;
}

interface ResponseAnnotation {
  type?: unknown;
  file_id?: unknown;
  index?: unknown;
  start_index?: unknown;
  end_index?: unknown;
}

const detailOf = (detail: unknown): 'auto' | 'low' | 'high' =>
  detail === 'low' || detail === 'high' ? detail : 'auto';

/**
 * Responses annotations point at one index (file_citation, file_path) or span a range
 * (container_file_citation); Assistants ones span the text they replace. A point becomes an
 * empty span there; url_citation has no Assistants form and is dropped.
 */
function threadAnnotation(raw: ResponseAnnotation, text: string): Annotation | null {
  const fileId = typeof raw.file_id === 'string' ? raw.file_id : null;
  if (fileId === null) {
    return null;
  }
  if (raw.type === 'container_file_citation') {
    const start = Number(raw.start_index ?? 0);
    const end = Number(raw.end_index ?? start);
    return {
      type: 'file_path',
      text: text.slice(start, end),
      startIndex: start,
      endIndex: end,
      filePath: { fileId },
    };
  }
  const index = Number(raw.index ?? 0);
  if (raw.type === 'file_citation') {
    return {
      type: 'file_citation',
      text: '',
      startIndex: index,
      endIndex: index,
      fileCitation: { fileId },
    };
  }
  if (raw.type === 'file_path') {
    return {
      type: 'file_path',
      text: '',
      startIndex: index,
      endIndex: index,
      filePath: { fileId },
    };
  }
  return null;
}

function threadPart(part: Part, assistant: boolean): MessageContent | null {
  if (part.type === 'refusal' && typeof part.refusal === 'string') {
    return { type: 'refusal', refusal: part.refusal };
  }
  if (typeof part.text === 'string') {
    const annotations = assistant && Array.isArray(part.annotations) ? part.annotations : [];
    const text = part.text;
    return {
      type: 'text',
      text: {
        value: text,
        annotations: annotations.flatMap((raw: ResponseAnnotation) => {
          const annotation = threadAnnotation(raw, text);
          return annotation ? [annotation] : [];
        }),
      },
    };
  }
  if (part.type === 'input_image' && typeof part.image_url === 'string') {
    return { type: 'image_url', imageUrl: { url: part.image_url, detail: detailOf(part.detail) } };
  }
  return null;
}

export function turnMessages(items: readonly StoredItem[]): CarriedMessage[] {
  return items.flatMap((item): CarriedMessage[] => {
    if (item.type !== 'message' || (item.role !== 'user' && item.role !== 'assistant')) {
      return [];
    }
    const assistant = item.role === 'assistant';
    const parts = Array.isArray(item.content) ? (item.content as Part[]) : [];
    const content = parts.flatMap((part) => {
      const converted = threadPart(part, assistant);
      return converted ? [converted] : [];
    });
    return content.length > 0 ? [{ id: item.id, role: item.role, content }] : [];
  });
}

/** Appends a response's input and output to its thread, in the transaction that ends it. */
export async function appendTurnToThread(
  db: Db,
  threadId: string,
  items: readonly StoredItem[],
  at: Date,
): Promise<void> {
  await appendCarriedMessages(db, threadId, turnMessages(items), at);
}
