import { newId } from '../../../ids.js';
import type { ChatEvent } from '../../../models/chat-model.js';
import type { EngineContext } from '../../runs/engine/engine-context.js';
import { CoalescingWriter, LostRunError } from '../../runs/engine/run-output.js';
import type { StoredItem } from '../response-input.js';
import { presentItem } from '../response-object.js';
import type { ResponseEventData } from '../store/response-statement.js';
import { type OwnedResponse, writeOutput } from '../store/response-writes.js';
import type { CitedFile, FileSearchResult } from './response-file-search.js';

type ToolCallEvent = Extract<ChatEvent, { type: 'tool_call' }>;

export interface OpenItem {
  position: number;
  item: StoredItem;
  /** The completion's tool call index (tool calls of the current model call only). */
  callIndex: number | null;
  done: boolean;
  /** A file_search call's arguments as the model writes them (not shown: its `queries` are). */
  searchArguments?: string;
}

/** What the response offers beyond function tools, and what the caller asked to see. */
export interface OutputOptions {
  /** Function names the worker answers itself as file_search calls. */
  fileSearchNames: ReadonlySet<string>;
  include: readonly string[];
}

/** A file_search call the model made, not searched yet. */
export interface PendingSearch {
  id: string;
  /** The model's arguments, as it wrote them. */
  arguments: string;
}

/** Longer than any citation marker: a `【` not closed by then is plain text. */
const MAX_MARKER_LENGTH = 256;
const CITATION_MARKER = /^【(\d+):(\d+)(?:†[^】]*)?】$/;

/**
 * A response's output as the model streams it: message and function_call items with OpenAI's
 * stream events in OpenAI's order (`output_item.added`, `content_part.added`, deltas, `.done`s).
 * Events are queued as they happen and written in batches by the run engine's coalescing
 * writer (one statement per write: item rows, events, NOTIFY), so the rate of writes and
 * NOTIFYs per response stays bounded whatever the token rate; consecutive deltas of one item
 * are merged into one event.
 */
export class OutputWriter extends CoalescingWriter {
  protected readonly open: OpenItem[] = [];
  protected events: ResponseEventData[] = [];
  protected dirty = new Set<OpenItem>();
  protected message: OpenItem | null = null;
  /** Text held back while it may be the start of a citation marker. */
  private held = '';
  /** Citation targets by marker (`ordinal:index`); null: the response cites nothing. */
  private citations: Map<string, CitedFile> | null = null;

  constructor(
    deps: EngineContext,
    private readonly owned: OwnedResponse & { projectId: string },
    private readonly options: OutputOptions = { fileSearchNames: new Set(), include: [] },
  ) {
    super(deps);
  }

  /**
   * Starts a model call: its tool calls are numbered from 0 again, and markers in its text cite
   * `citations` (from the items the model sees), replaced by `file_citation` annotations.
   */
  nextCall(citations: Map<string, CitedFile> | null): void {
    for (const entry of this.open) {
      entry.callIndex = null;
    }
    this.citations = citations;
  }

  /** The file_search calls of the last model call, not searched yet. */
  get pendingSearches(): PendingSearch[] {
    return this.open.flatMap((entry) =>
      entry.searchArguments !== undefined && !entry.done && entry.item.status === 'in_progress'
        ? [{ id: entry.item.id, arguments: entry.searchArguments }]
        : [],
    );
  }

  /** A search starts: `response.file_search_call.searching`. */
  searching(id: string): void {
    const entry = this.searchEntry(id);
    entry.item.status = 'searching';
    this.events.push({
      type: 'response.file_search_call.searching',
      item_id: id,
      output_index: entry.position,
    });
    this.dirty.add(entry);
    this.schedule();
  }

  /** A search ended: `.completed`, then the item done (its results shown if included). */
  searched(id: string, queries: string[], results: FileSearchResult[]): void {
    const entry = this.searchEntry(id);
    entry.item.queries = queries;
    entry.item.results = results;
    entry.item.status = 'completed';
    entry.done = true;
    this.events.push(
      { type: 'response.file_search_call.completed', item_id: id, output_index: entry.position },
      {
        type: 'response.output_item.done',
        output_index: entry.position,
        item: presentItem(structuredClone(entry.item), this.options.include),
      },
    );
    this.dirty.add(entry);
    this.schedule();
  }

  private searchEntry(id: string): OpenItem {
    const entry = this.open.find((candidate) => candidate.item.id === id);
    if (!entry || entry.searchArguments === undefined) {
      throw new Error(`No file_search call ${id} in this response`);
    }
    return entry;
  }

  /** The output items as they stand, in order. */
  get items(): StoredItem[] {
    return this.open.map((entry) => entry.item);
  }

  get hasFunctionCalls(): boolean {
    return this.open.some((entry) => entry.item.type === 'function_call');
  }

  text(delta: string): void {
    if (this.citations === null || this.citations.size === 0) {
      this.appendText(delta);
      return;
    }
    this.held += delta;
    this.releaseHeld(false);
  }

  /**
   * Writes the held text up to any unfinished marker; each complete marker naming a passage the
   * model was given becomes a `file_citation` annotation at its place and leaves the text (as
   * OpenAI's answers read), so the deltas still add up to the final text. `final`: all of it.
   */
  private releaseHeld(final: boolean): void {
    let rest = this.held;
    let plain = '';
    while (rest.length > 0) {
      const open = rest.indexOf('【');
      if (open === -1) {
        plain += rest;
        rest = '';
        break;
      }
      plain += rest.slice(0, open);
      rest = rest.slice(open);
      const close = rest.indexOf('】');
      if (close === -1) {
        if (!final && rest.length <= MAX_MARKER_LENGTH) {
          break;
        }
        plain += rest.slice(0, 1);
        rest = rest.slice(1);
        continue;
      }
      const marker = rest.slice(0, close + 1);
      rest = rest.slice(close + 1);
      const match = CITATION_MARKER.exec(marker);
      const cited = match ? this.citations?.get(`${match[1]}:${match[2]}`) : undefined;
      if (!cited) {
        plain += marker;
        continue;
      }
      if (plain !== '') {
        this.appendText(plain);
        plain = '';
      }
      this.cite(cited);
    }
    if (plain !== '') {
      this.appendText(plain);
    }
    this.held = rest;
  }

  private cite(cited: CitedFile): void {
    const entry = this.openMessage();
    const [part] = entry.item.content as { text: string; annotations: unknown[] }[];
    if (!part) {
      return;
    }
    const annotation = {
      type: 'file_citation',
      file_id: cited.fileId,
      filename: cited.filename,
      index: part.text.length,
    };
    part.annotations.push(annotation);
    this.events.push({
      type: 'response.output_text.annotation.added',
      item_id: entry.item.id,
      output_index: entry.position,
      content_index: 0,
      annotation_index: part.annotations.length - 1,
      annotation: { ...annotation },
    });
    this.dirty.add(entry);
    this.schedule();
  }

  private appendText(delta: string): void {
    const entry = this.openMessage();
    const [part] = entry.item.content as { text: string }[];
    if (part) {
      part.text += delta;
    }
    this.delta(entry, 'response.output_text.delta', delta, { content_index: 0, logprobs: [] });
  }

  /** The message being written, opened (`output_item.added`, `content_part.added`) if none. */
  private openMessage(): OpenItem {
    let entry = this.message;
    if (!entry) {
      const item: StoredItem = {
        id: newId('message'),
        type: 'message',
        status: 'in_progress',
        role: 'assistant',
        content: [],
      };
      entry = this.add(item, null);
      this.message = entry;
      const part = { type: 'output_text', text: '', annotations: [] };
      item.content = [part];
      this.events.push(
        {
          type: 'response.output_item.added',
          output_index: entry.position,
          item: { ...item, content: [] },
        },
        {
          type: 'response.content_part.added',
          item_id: item.id,
          output_index: entry.position,
          content_index: 0,
          part: { ...part },
        },
      );
    }
    return entry;
  }

  toolCall(event: ToolCallEvent): void {
    let entry = this.open.find((candidate) => candidate.callIndex === event.index);
    if (!entry) {
      this.endMessage();
      if (this.options.fileSearchNames.has(event.name ?? '')) {
        this.openSearch(event);
        return;
      }
      const item: StoredItem = {
        id: newId('functionCall'),
        type: 'function_call',
        status: 'in_progress',
        call_id: event.id ?? newId('toolCall'),
        name: event.name ?? '',
        arguments: '',
      };
      entry = this.add(item, event.index);
      this.events.push({
        type: 'response.output_item.added',
        output_index: entry.position,
        item: { ...item },
      });
    }
    if (entry.searchArguments !== undefined) {
      entry.searchArguments += event.argumentsDelta ?? '';
      return;
    }
    if (event.argumentsDelta) {
      entry.item.arguments = String(entry.item.arguments) + event.argumentsDelta;
      this.delta(entry, 'response.function_call_arguments.delta', event.argumentsDelta, {});
    }
  }

  /** A call's text ends the message before it: items are done one after the other. */
  protected endMessage(): void {
    if (this.held !== '') {
      this.releaseHeld(true);
    }
    if (this.message) {
      this.finishEntry(this.message, 'completed');
      this.message = null;
    }
  }

  /** A file_search call: `output_item.added` and `.in_progress`; it is searched after the call. */
  private openSearch(event: ToolCallEvent): void {
    const item: StoredItem = {
      id: newId('fileSearchCall'),
      type: 'file_search_call',
      status: 'in_progress',
      queries: [],
      results: null,
    };
    const entry = this.add(item, event.index);
    entry.searchArguments = event.argumentsDelta ?? '';
    this.events.push(
      { type: 'response.output_item.added', output_index: entry.position, item: { ...item } },
      {
        type: 'response.file_search_call.in_progress',
        item_id: item.id,
        output_index: entry.position,
      },
    );
  }

  /** Ends every open item (`incomplete` at the token limit) and writes what is pending. */
  finish(status: 'completed' | 'incomplete'): Promise<void> {
    if (this.held !== '') {
      this.releaseHeld(true);
    }
    for (const entry of this.open) {
      this.finishEntry(entry, status);
    }
    return this.afterPending(async () => {
      if (!(await this.writePending())) {
        throw new LostRunError('The response is no longer ours');
      }
    });
  }

  protected async write(): Promise<void> {
    await this.writePending();
  }

  private async writePending(): Promise<boolean> {
    const events = this.events;
    const outputs = [...this.dirty].map((entry) => ({
      position: entry.position,
      item: structuredClone(entry.item),
    }));
    if (events.length === 0 && outputs.length === 0) {
      return true;
    }
    this.events = [];
    this.dirty = new Set();
    return writeOutput(this.deps.db, this.owned, outputs, events, this.deps.responseEvents);
  }

  protected add(item: StoredItem, callIndex: number | null): OpenItem {
    const entry: OpenItem = { position: this.open.length, item, callIndex, done: false };
    this.open.push(entry);
    this.dirty.add(entry);
    this.schedule();
    return entry;
  }

  /** Appends to the last queued delta of the same item, or queues a new one. */
  protected delta(
    entry: OpenItem,
    type: string,
    delta: string,
    extra: Record<string, unknown>,
  ): void {
    const last = this.events.at(-1);
    if (last && last.type === type && last.item_id === entry.item.id) {
      last.delta = String(last.delta) + delta;
    } else {
      this.events.push({
        type,
        item_id: entry.item.id,
        output_index: entry.position,
        delta,
        ...extra,
      });
    }
    this.dirty.add(entry);
    this.schedule();
  }

  protected finishEntry(entry: OpenItem, status: 'completed' | 'incomplete'): void {
    if (entry.done) {
      return;
    }
    entry.done = true;
    const item = entry.item;
    // A file_search call that was never searched did not complete, whatever the response did.
    item.status = item.type === 'file_search_call' ? 'incomplete' : status;
    const at = { item_id: item.id, output_index: entry.position };
    if (item.type === 'message') {
      const [part] = item.content as { type: string; text: string; annotations: unknown[] }[];
      const text = part?.text ?? '';
      this.events.push(
        { type: 'response.output_text.done', ...at, content_index: 0, text, logprobs: [] },
        { type: 'response.content_part.done', ...at, content_index: 0, part: { ...part } },
      );
    } else if (item.type === 'function_call') {
      this.events.push({
        type: 'response.function_call_arguments.done',
        ...at,
        name: item.name,
        arguments: item.arguments,
      });
    }
    this.events.push({
      type: 'response.output_item.done',
      output_index: entry.position,
      item: presentItem(structuredClone(item), this.options.include),
    });
    this.dirty.add(entry);
  }
}
