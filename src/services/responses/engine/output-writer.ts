import { newId } from '../../../ids.js';
import type { ChatEvent } from '../../../models/chat-model.js';
import type { EngineContext } from '../../runs/engine/engine-context.js';
import { CoalescingWriter, LostRunError } from '../../runs/engine/run-output.js';
import type { StoredItem } from '../response-input.js';
import type { ResponseEventData } from '../store/response-statement.js';
import { type OwnedResponse, writeOutput } from '../store/response-writes.js';

type ToolCallEvent = Extract<ChatEvent, { type: 'tool_call' }>;

export interface OpenItem {
  position: number;
  item: StoredItem;
  /** The completion's tool call index (function calls only). */
  callIndex: number | null;
  done: boolean;
}

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

  constructor(
    deps: EngineContext,
    private readonly owned: OwnedResponse & { projectId: string },
  ) {
    super(deps);
  }

  /** The output items as they stand, in order. */
  get items(): StoredItem[] {
    return this.open.map((entry) => entry.item);
  }

  get hasFunctionCalls(): boolean {
    return this.open.some((entry) => entry.item.type === 'function_call');
  }

  text(delta: string): void {
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
    const [part] = entry.item.content as { text: string }[];
    if (part) {
      part.text += delta;
    }
    this.delta(entry, 'response.output_text.delta', delta, { content_index: 0, logprobs: [] });
  }

  toolCall(event: ToolCallEvent): void {
    let entry = this.open.find((candidate) => candidate.callIndex === event.index);
    if (!entry) {
      // A call's text ends the message before it: items are done one after the other.
      if (this.message) {
        this.finishEntry(this.message, 'completed');
        this.message = null;
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
    if (event.argumentsDelta) {
      entry.item.arguments = String(entry.item.arguments) + event.argumentsDelta;
      this.delta(entry, 'response.function_call_arguments.delta', event.argumentsDelta, {});
    }
  }

  /** Ends every open item (`incomplete` at the token limit) and writes what is pending. */
  finish(status: 'completed' | 'incomplete'): Promise<void> {
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
    item.status = status;
    const at = { item_id: item.id, output_index: entry.position };
    if (item.type === 'message') {
      const [part] = item.content as { type: string; text: string; annotations: unknown[] }[];
      const text = part?.text ?? '';
      this.events.push(
        { type: 'response.output_text.done', ...at, content_index: 0, text, logprobs: [] },
        { type: 'response.content_part.done', ...at, content_index: 0, part: { ...part } },
      );
    } else {
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
      item: structuredClone(item),
    });
    this.dirty.add(entry);
  }
}
