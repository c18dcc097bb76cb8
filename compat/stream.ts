import type { ServerResponse } from 'node:http';
import { isTerminalRunEvent } from '../src/services/runs/run-status.js';
import type { RunEventsSubscription } from './generated/operations.js';
import {
  DEFAULT_STEP_VIEW,
  type StepView,
  serializeRun,
  serializeRunStep,
} from './run-serializers.js';
import { serializeMessage, serializeThread } from './serializers.js';

/** One `runEvents` item as the RunEvents operation selects it. */
export type RunEventData = RunEventsSubscription['runEvents'];

type ContentDeltaData = NonNullable<RunEventData['messageDelta']>['content'][number];
type AnnotationDeltaData = NonNullable<
  NonNullable<ContentDeltaData['text']>['annotations']
>[number];
type ToolCallDeltaData = NonNullable<RunEventData['stepDelta']>['toolCalls'][number];

function annotationDelta(annotation: AnnotationDeltaData): Record<string, unknown> {
  return {
    index: annotation.index,
    type: annotation.type,
    text: annotation.text,
    start_index: annotation.startIndex,
    end_index: annotation.endIndex,
    ...(annotation.fileCitation
      ? { file_citation: { file_id: annotation.fileCitation.fileId } }
      : {}),
    ...(annotation.filePath ? { file_path: { file_id: annotation.filePath.fileId } } : {}),
  };
}

/** A message content delta: the first piece of a part carries its skeleton (§6.4). */
function contentDelta(part: ContentDeltaData): Record<string, unknown> {
  if (part.imageFile) {
    return {
      index: part.index,
      type: 'image_file',
      image_file: { file_id: part.imageFile.fileId },
    };
  }
  const annotations = part.text?.annotations;
  return {
    index: part.index,
    type: part.type,
    text: {
      value: part.text?.value ?? '',
      ...(annotations ? { annotations: annotations.map(annotationDelta) } : {}),
    },
  };
}

/** A tool call delta in OpenAI's shape for its type; `id` only on the call's first delta. */
function toolCallDelta(call: ToolCallDeltaData): Record<string, unknown> {
  const head = call.id !== null ? { index: call.index, id: call.id } : { index: call.index };
  if (call.type === 'file_search') {
    return { ...head, type: 'file_search', file_search: {} };
  }
  if (call.type === 'code_interpreter') {
    const input = call.codeInterpreter?.input ?? null;
    const outputs = call.codeInterpreter?.outputs ?? null;
    return {
      ...head,
      type: 'code_interpreter',
      code_interpreter: {
        ...(input !== null ? { input } : {}),
        ...(outputs !== null
          ? {
              outputs: outputs.map((output) =>
                output.type === 'image'
                  ? { index: output.index, type: 'image', image: { file_id: output.image?.fileId } }
                  : { index: output.index, type: 'logs', logs: output.logs ?? '' },
              ),
            }
          : {}),
      },
    };
  }
  const fn = call.function;
  return call.id !== null
    ? {
        ...head,
        type: call.type,
        function: { name: fn?.name ?? '', arguments: fn?.arguments ?? '', output: null },
      }
    : { ...head, type: call.type, function: { arguments: fn?.arguments ?? '' } };
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** A REST response that is an OpenAI event stream rather than one JSON body. */
export class EventStream {
  constructor(
    readonly events: AsyncGenerator<SseEvent>,
    /** Stops the source at once (a client went away), even between events. */
    readonly stop: () => Promise<unknown> = () => Promise.resolve(),
    /** The Assistants stream's closing `done`/`[DONE]`; the Responses stream has none. */
    readonly endsWithDone = true,
  ) {}
}

/** Whether this request's work is over after the event: the run ended, or waits for tool outputs. */
function endsStream(event: string): boolean {
  return event === 'thread.run.requires_action' || isTerminalRunEvent(event);
}

/** A run event in OpenAI's wire shape (CONTRACT.md §6.3, §6.4). */
export function toOpenAIEvent(item: RunEventData, view: StepView = DEFAULT_STEP_VIEW): SseEvent {
  const data =
    item.thread !== null
      ? serializeThread(item.thread)
      : item.run !== null
        ? serializeRun(item.run)
        : item.step !== null
          ? serializeRunStep(item.step, view)
          : item.message !== null
            ? serializeMessage(item.message)
            : item.messageDelta !== null
              ? {
                  id: item.messageDelta.id,
                  object: 'thread.message.delta',
                  delta: { content: item.messageDelta.content.map(contentDelta) },
                }
              : {
                  id: item.stepDelta?.id,
                  object: 'thread.run.step.delta',
                  // No `id` inside `delta`: the SDK rejects it (CONTRACT.md §6.6).
                  delta: {
                    step_details: {
                      type: 'tool_calls',
                      tool_calls: (item.stepDelta?.toolCalls ?? []).map(toolCallDelta),
                    },
                  },
                };
  return { event: item.event, data };
}

/** Maps run events to OpenAI's, ending after the event that ends this request's work. */
export async function* openAIEvents(
  items: AsyncGenerator<RunEventData>,
  view: StepView = DEFAULT_STEP_VIEW,
): AsyncGenerator<SseEvent> {
  for await (const item of items) {
    yield toOpenAIEvent(item, view);
    if (endsStream(item.event)) {
      return;
    }
  }
}

/**
 * Writes an event stream as SSE: one `event:`/`data:` pair per event, then `done`/`[DONE]`.
 * A client that goes away stops the stream, not the run (OpenAI's behaviour).
 */
export async function writeEventStream(res: ServerResponse, stream: EventStream): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  let closed = false;
  res.once('close', () => {
    closed = true;
    // The source first: `events` is a generator, which hears `return()` only when it yields.
    stream.stop().then(
      () => stream.events.return(undefined),
      () => stream.events.return(undefined),
    );
  });
  try {
    for await (const { event, data } of stream.events) {
      if (closed) {
        break;
      }
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    }
    if (!closed && stream.endsWithDone) {
      res.write('event: done\ndata: [DONE]\n\n');
    }
  } catch (error) {
    if (!closed) {
      // Headers are sent: report in-stream, in the spec's unwrapped form.
      const message = error instanceof Error ? error.message : 'The stream failed.';
      res.write(
        `event: error\ndata: ${JSON.stringify({ message, type: 'server_error', param: null, code: null })}\n\n`,
      );
    }
  } finally {
    res.end();
  }
}
