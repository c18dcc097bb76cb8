import { z } from 'zod';
import { reviveSnapshot } from '../../db/row-sql.js';
import type { RunEventRow } from '../../events/run-event-hub.js';
import type { Message, Run, RunStep, Thread } from '../../generated/prisma/client.js';
import { parseJsonColumn } from '../common/json-column.js';
import { type Annotation, storedAnnotationSchema } from '../threads/message-content.js';

// What a run event's logged data is, by event: a row as it stood (snapshotted by row-sql.ts) or
// a delta (the writers' own shape). Decoded here, so the interfaces only pick a member.

/** A `thread.message.delta` as stored: OpenAI's shape, camelCase (text-writer.ts writes it). */
export interface MessageDelta {
  id: string;
  content: {
    index: number;
    type: string;
    text?: { value?: string; annotations?: AnnotationDelta[] };
    imageFile?: { fileId: string; detail: string };
  }[];
}

export type AnnotationDelta = Annotation & { index: number };

export interface CodeOutputDelta {
  index: number;
  type: string;
  logs?: string;
  image?: { fileId: string };
}

const annotationDeltaSchema = storedAnnotationSchema.extend({ index: z.number() });

/** `run_events.data` of a `thread.message.delta`, as the text writer logs it. */
const messageDeltaSchema: z.ZodType<MessageDelta> = z.object({
  id: z.string(),
  content: z.array(
    z.object({
      index: z.number(),
      type: z.string(),
      text: z
        .object({
          value: z.string().optional(),
          annotations: z.array(annotationDeltaSchema).optional(),
        })
        .optional(),
      imageFile: z.object({ fileId: z.string(), detail: z.string() }).optional(),
    }),
  ),
});

/** A `thread.run.step.delta` as stored (tool-call-writer.ts writes it). */
export interface StepDelta {
  id: string;
  toolCalls: {
    index: number;
    id?: string;
    type: string;
    function?: { name?: string; arguments?: string; output?: string | null };
    codeInterpreter?: { input?: string; outputs?: CodeOutputDelta[] };
  }[];
}

/** `run_events.data` of a `thread.run.step.delta`, as the tool-call writer logs it. */
const stepDeltaSchema: z.ZodType<StepDelta> = z.object({
  id: z.string(),
  toolCalls: z.array(
    z.object({
      index: z.number(),
      id: z.string().optional(),
      type: z.string(),
      function: z
        .object({
          name: z.string().optional(),
          arguments: z.string().optional(),
          output: z.string().nullable().optional(),
        })
        .optional(),
      codeInterpreter: z
        .object({
          input: z.string().optional(),
          outputs: z
            .array(
              z.object({
                index: z.number(),
                type: z.string(),
                logs: z.string().optional(),
                image: z.object({ fileId: z.string() }).optional(),
              }),
            )
            .optional(),
        })
        .optional(),
    }),
  ),
});

/** A run event's data, decoded: the member its event name says. */
export type RunEventData =
  | { kind: 'thread'; thread: Thread }
  | { kind: 'run'; run: Run }
  | { kind: 'step'; step: RunStep }
  | { kind: 'message'; message: Message }
  | { kind: 'stepDelta'; delta: StepDelta }
  | { kind: 'messageDelta'; delta: MessageDelta };

/** A logged event with its data decoded. */
export interface RunEvent extends Omit<RunEventRow, 'data'> {
  data: RunEventData;
}

export function decodeRunEvent(row: RunEventRow): RunEvent {
  return { ...row, data: decodeData(row) };
}

function decodeData(row: RunEventRow): RunEventData {
  const { event } = row;
  if (event === 'thread.created') {
    return { kind: 'thread', thread: reviveSnapshot<Thread>(row.data) };
  }
  if (event === 'thread.run.step.delta') {
    return { kind: 'stepDelta', delta: deltaOf(stepDeltaSchema, row) };
  }
  if (event === 'thread.message.delta') {
    return { kind: 'messageDelta', delta: deltaOf(messageDeltaSchema, row) };
  }
  if (event.startsWith('thread.run.step.')) {
    return { kind: 'step', step: reviveSnapshot<RunStep>(row.data) };
  }
  if (event.startsWith('thread.message.')) {
    return { kind: 'message', message: reviveSnapshot<Message>(row.data) };
  }
  return { kind: 'run', run: reviveSnapshot<Run>(row.data) };
}

/** A delta event's data, checked: deltas are logged once and streamed to every follower. */
function deltaOf<T>(schema: z.ZodType<T>, row: RunEventRow): T {
  return parseJsonColumn(schema, row.data, {
    table: 'run_events',
    id: `${row.runId}#${row.seq}`,
    column: 'data',
  });
}
