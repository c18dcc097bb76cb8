import { newId } from '../../../ids.js';
import type { ChatEvent } from '../../../models/chat-model.js';
import type { EngineContext } from '../../runs/engine/engine-context.js';
import { partialStringField, stringArgument } from '../../runs/engine/tools/partial-json.js';
import type { StoredItem } from '../response-input.js';
import { presentItem } from '../response-object.js';
import type { OwnedResponse } from '../store/response-writes.js';
import { type OpenItem, type OutputOptions, OutputWriter } from './output-writer.js';
import type { CitedFile } from './response-file-search.js';

type ToolCallEvent = Extract<ChatEvent, { type: 'tool_call' }>;

/** A file code wrote, which the answer may cite as `sandbox:/mnt/data/…`. */
export interface CitableFile {
  containerId: string;
  fileId: string;
  path: string;
}

/** A code_interpreter call of this round whose code is complete, to be run. */
export interface ReadyCodeCall {
  entry: OpenItem;
  itemId: string;
  code: string;
  containerId: string;
}

const SANDBOX_PATH = /sandbox:(\/mnt\/data\/[^\s)\]"'<>`]+)/g;

/**
 * The output writer with code_interpreter calls: `code_interpreter_call` items and their
 * events in OpenAI's order (`output_item.added`, `.in_progress`, `_code.delta`s, `_code.done`,
 * `.interpreting`, `.completed`, `output_item.done`), and `container_file_citation`
 * annotations on the answer's links to files the code wrote.
 */
export class CodeCallWriter extends OutputWriter {
  private readonly codeCalls = new Map<number, { entry: OpenItem; args: string }>();
  private readonly citable = new Map<string, CitableFile>();
  private readonly include: readonly string[];

  constructor(
    deps: EngineContext,
    owned: OwnedResponse & { projectId: string },
    options: OutputOptions,
  ) {
    super(deps, owned, options);
    this.include = options.include;
  }

  /** Whether the last model call made code_interpreter calls (not run yet). */
  get hasPendingCodeCalls(): boolean {
    return this.codeCalls.size > 0;
  }

  /** Whether this completion's call `event.index` is (or starts) a code_interpreter call. */
  isCodeCall(event: ToolCallEvent): boolean {
    return this.codeCalls.has(event.index) || event.name === 'code_interpreter';
  }

  codeCall(event: ToolCallEvent, containerId: string): void {
    let call = this.codeCalls.get(event.index);
    if (!call) {
      this.endMessage();
      const item: StoredItem = {
        id: newId('codeInterpreterCall'),
        type: 'code_interpreter_call',
        status: 'in_progress',
        container_id: containerId,
        code: '',
        outputs: null,
      };
      const entry = this.add(item, null);
      call = { entry, args: '' };
      this.codeCalls.set(event.index, call);
      const at = { item_id: item.id, output_index: entry.position };
      this.events.push(
        { type: 'response.output_item.added', output_index: entry.position, item: { ...item } },
        { type: 'response.code_interpreter_call.in_progress', ...at },
      );
    }
    if (event.argumentsDelta) {
      call.args += event.argumentsDelta;
      const item = call.entry.item;
      const code = partialStringField(call.args, 'code');
      const known = String(item.code);
      if (code.length > known.length) {
        item.code = code;
        this.delta(
          call.entry,
          'response.code_interpreter_call_code.delta',
          code.slice(known.length),
          {},
        );
      }
    }
  }

  /** The round's calls with their code complete (`_code.done`, `.interpreting`), to be run. */
  interpret(): ReadyCodeCall[] {
    const ready: ReadyCodeCall[] = [];
    for (const { entry, args } of this.codeCalls.values()) {
      const item = entry.item;
      const code = stringArgument(args, 'code') ?? String(item.code);
      item.code = code;
      item.status = 'interpreting';
      const at = { item_id: item.id, output_index: entry.position };
      this.events.push(
        { type: 'response.code_interpreter_call_code.done', ...at, code },
        { type: 'response.code_interpreter_call.interpreting', ...at },
      );
      this.dirty.add(entry);
      ready.push({ entry, itemId: item.id, code, containerId: String(item.container_id) });
    }
    this.schedule();
    return ready;
  }

  /** A call has run: its outputs, the files it wrote (citable from now on), `.completed`. */
  complete(call: ReadyCodeCall, outputs: unknown[], written: CitableFile[]): void {
    const { entry } = call;
    entry.done = true;
    const item = entry.item;
    item.status = 'completed';
    item.outputs = outputs;
    for (const file of written) {
      this.citable.set(file.path, file);
    }
    const at = { item_id: item.id, output_index: entry.position };
    const shown = presentItem(item, this.include);
    this.events.push(
      { type: 'response.code_interpreter_call.completed', ...at },
      {
        type: 'response.output_item.done',
        output_index: entry.position,
        item: structuredClone(shown),
      },
    );
    this.dirty.add(entry);
    this.schedule();
  }

  /** A new model call numbers its calls (code calls too) from 0 again. */
  override nextCall(citations: Map<string, CitedFile> | null): void {
    this.codeCalls.clear();
    super.nextCall(citations);
  }

  protected override finishEntry(entry: OpenItem, status: 'completed' | 'incomplete'): void {
    if (entry.done) {
      return;
    }
    const item = entry.item;
    if (item.type === 'code_interpreter_call') {
      // Cut off before it ran (the token limit, the last model call): it did not complete.
      entry.done = true;
      item.status = 'incomplete';
      const shown = presentItem(item, this.include);
      this.events.push({
        type: 'response.output_item.done',
        output_index: entry.position,
        item: structuredClone(shown),
      });
      this.dirty.add(entry);
      return;
    }
    if (item.type === 'message' && this.citable.size > 0) {
      const [part] = item.content as { text: string; annotations: unknown[] }[];
      if (part) {
        // After any file_citation annotations the text already has (their indexes stay). Each is
        // announced as file_citation ones are, before the text's `output_text.done`.
        for (const annotation of this.containerCitations(part.text)) {
          part.annotations.push(annotation);
          this.events.push({
            type: 'response.output_text.annotation.added',
            item_id: item.id,
            output_index: entry.position,
            content_index: 0,
            annotation_index: part.annotations.length - 1,
            annotation: { ...annotation },
          });
        }
      }
    }
    super.finishEntry(entry, status);
  }

  private containerCitations(text: string): Record<string, unknown>[] {
    const found: Record<string, unknown>[] = [];
    for (const match of text.matchAll(SANDBOX_PATH)) {
      // Trailing punctuation ends a sentence, not a file name.
      const path = (match[1] ?? '').replace(/[.,;:!?]+$/, '');
      const file = this.citable.get(path);
      if (file) {
        found.push({
          type: 'container_file_citation',
          container_id: file.containerId,
          file_id: file.fileId,
          start_index: match.index,
          end_index: match.index + `sandbox:${path}`.length,
          filename: path.split('/').at(-1) ?? path,
        });
      }
    }
    return found;
  }
}
