import {
  type AnnotationDelta,
  type CodeOutputDelta,
  decodeRunEvent,
  type MessageDelta,
  type RunEvent,
  type StepDelta,
} from '../../services/runs/run-event-data.js';
import { followRun, followThread } from '../../services/runs/run-streams.js';
import { builder } from '../builder.js';
import { FileReferenceRef } from './common.js';
import { Message } from './message.js';
import { Run } from './run.js';
import { RunStep } from './run-step.js';
import { Thread } from './thread.js';

builder.subscriptionType({ description: 'Live updates.' });

const AnnotationDeltaRef = builder.objectRef<AnnotationDelta>('AnnotationDelta').implement({
  description: 'A new annotation of the text, sent once and complete.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Position in the text’s annotations.' }),
    type: t.exposeString('type', { description: '`file_citation` or `file_path`.' }),
    text: t.exposeString('text'),
    startIndex: t.exposeInt('startIndex'),
    endIndex: t.exposeInt('endIndex'),
    fileCitation: t.field({
      type: FileReferenceRef,
      nullable: true,
      resolve: (annotation) => annotation.fileCitation ?? null,
    }),
    filePath: t.field({
      type: FileReferenceRef,
      nullable: true,
      resolve: (annotation) => annotation.filePath ?? null,
    }),
  }),
});

const CodeOutputDeltaRef = builder
  .objectRef<CodeOutputDelta>('CodeInterpreterOutputDelta')
  .implement({
    fields: (t) => ({
      index: t.exposeInt('index', { description: 'Position in the call’s outputs.' }),
      type: t.exposeString('type', { description: '`logs` or `image`.' }),
      logs: t.string({ nullable: true, resolve: (output) => output.logs ?? null }),
      image: t.field({
        type: FileReferenceRef,
        nullable: true,
        resolve: (output) => output.image ?? null,
      }),
    }),
  });

type ContentDelta = MessageDelta['content'][number];

const TextDeltaRef = builder.objectRef<NonNullable<ContentDelta['text']>>('TextDelta').implement({
  fields: (t) => ({
    value: t.string({
      nullable: true,
      description: 'Text to append.',
      resolve: (text) => text.value ?? null,
    }),
    annotations: t.field({
      type: [AnnotationDeltaRef],
      nullable: true,
      description: 'Annotations completed by this piece of text.',
      resolve: (text) => text.annotations ?? null,
    }),
  }),
});

const ImageFileDeltaRef = builder
  .objectRef<NonNullable<ContentDelta['imageFile']>>('ImageFileDelta')
  .implement({
    fields: (t) => ({
      fileId: t.exposeString('fileId'),
      detail: t.exposeString('detail'),
    }),
  });

const MessageDeltaRef = builder.objectRef<MessageDelta>('MessageDelta').implement({
  description: 'New content of a message being written.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The message.' }),
    content: t.field({
      type: [
        builder.objectRef<ContentDelta>('MessageContentDelta').implement({
          fields: (f) => ({
            index: f.exposeInt('index', { description: 'Position in the message’s content.' }),
            type: f.exposeString('type'),
            text: f.field({
              type: TextDeltaRef,
              nullable: true,
              resolve: (part) => part.text ?? null,
            }),
            imageFile: f.field({
              type: ImageFileDeltaRef,
              nullable: true,
              description: 'For image_file parts: the image.',
              resolve: (part) => part.imageFile ?? null,
            }),
          }),
        }),
      ],
      resolve: (delta) => delta.content,
    }),
  }),
});

type ToolCallDelta = StepDelta['toolCalls'][number];

const FunctionDeltaRef = builder
  .objectRef<NonNullable<ToolCallDelta['function']>>('FunctionCallDelta')
  .implement({
    fields: (t) => ({
      name: t.string({ nullable: true, resolve: (fn) => fn.name ?? null }),
      arguments: t.string({
        nullable: true,
        description: 'Arguments text to append.',
        resolve: (fn) => fn.arguments ?? null,
      }),
      output: t.string({ nullable: true, resolve: (fn) => fn.output ?? null }),
    }),
  });

const CodeInterpreterDeltaRef = builder
  .objectRef<NonNullable<ToolCallDelta['codeInterpreter']>>('CodeInterpreterCallDelta')
  .implement({
    fields: (t) => ({
      input: t.string({
        nullable: true,
        description: 'Python source to append.',
        resolve: (call) => call.input ?? null,
      }),
      outputs: t.field({
        type: [CodeOutputDeltaRef],
        nullable: true,
        description: 'New outputs of the call.',
        resolve: (call) => call.outputs ?? null,
      }),
    }),
  });

const StepDeltaRef = builder.objectRef<StepDelta>('RunStepDelta').implement({
  description: 'New parts of a step: tool calls and their arguments as they stream.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The step.' }),
    toolCalls: t.field({
      type: [
        builder.objectRef<ToolCallDelta>('ToolCallDelta').implement({
          fields: (f) => ({
            index: f.exposeInt('index', { description: 'Position in the step’s tool calls.' }),
            id: f.string({ nullable: true, resolve: (call) => call.id ?? null }),
            type: f.exposeString('type'),
            function: f.field({
              type: FunctionDeltaRef,
              nullable: true,
              resolve: (call) => call.function ?? null,
            }),
            codeInterpreter: f.field({
              type: CodeInterpreterDeltaRef,
              nullable: true,
              resolve: (call) => call.codeInterpreter ?? null,
            }),
          }),
        }),
      ],
      resolve: (delta) => delta.toolCalls,
    }),
  }),
});

const RunEventRef = builder.objectRef<RunEvent>('RunEvent').implement({
  description:
    'One event of a run, in order. `event` is OpenAI’s stream event name; the member matching it is set.',
  fields: (t) => ({
    runId: t.exposeID('runId'),
    seq: t.exposeInt('seq', { description: 'Per-run sequence number; resume after it.' }),
    event: t.exposeString('event', {
      description: 'e.g. thread.run.created, thread.message.delta.',
    }),
    thread: t.field({
      type: Thread,
      nullable: true,
      resolve: ({ data }) => (data.kind === 'thread' ? data.thread : null),
    }),
    run: t.field({
      type: Run,
      nullable: true,
      resolve: ({ data }) => (data.kind === 'run' ? data.run : null),
    }),
    step: t.field({
      type: RunStep,
      nullable: true,
      resolve: ({ data }) => (data.kind === 'step' ? data.step : null),
    }),
    stepDelta: t.field({
      type: StepDeltaRef,
      nullable: true,
      resolve: ({ data }) => (data.kind === 'stepDelta' ? data.delta : null),
    }),
    message: t.field({
      type: Message,
      nullable: true,
      resolve: ({ data }) => (data.kind === 'message' ? data.message : null),
    }),
    messageDelta: t.field({
      type: MessageDeltaRef,
      nullable: true,
      resolve: ({ data }) => (data.kind === 'messageDelta' ? data.delta : null),
    }),
  }),
});

builder.subscriptionFields((t) => ({
  runEvents: t.field({
    type: RunEventRef,
    description:
      'A run’s events: first everything after `afterSeq` (Default: 0, from the start), then live until the run ends. Reconnect with the last `seq` seen to get exactly the rest.',
    args: {
      threadId: t.arg.id({ required: true }),
      runId: t.arg.id({ required: true }),
      afterSeq: t.arg.int({ defaultValue: 0 }),
    },
    subscribe: (_root, args, ctx) =>
      followRun(ctx, String(args.threadId), String(args.runId), args.afterSeq ?? 0),
    resolve: (row) => decodeRunEvent(row),
  }),
  threadEvents: t.field({
    type: RunEventRef,
    description:
      'Events of every run on a thread, from now on (a run already active: from its start). Each run’s events are in order.',
    args: { threadId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => followThread(ctx, String(args.threadId)),
    resolve: (row) => decodeRunEvent(row),
  }),
}));
