import { stepDetails, stepLastError, stepUsage } from '../../services/runs/run-columns.js';
import type { StepDetails, ToolCall } from '../../services/runs/run-step-details.js';
import { getRunStep, listRunSteps } from '../../services/runs/run-steps.js';
import { builder } from '../builder.js';
import { connectionOf, connectionType, FileReferenceRef, orderArg, toPageInput } from './common.js';
import { UsageRef } from './run.js';

const StepType = builder.enumType('RunStepType', {
  values: ['message_creation', 'tool_calls'] as const,
});

const StepStatus = builder.enumType('RunStepStatus', {
  values: ['in_progress', 'cancelled', 'failed', 'completed', 'expired'] as const,
});

type FunctionCall = Extract<ToolCall, { type: 'function' }>['function'];
type FileSearch = Extract<ToolCall, { type: 'file_search' }>['fileSearch'];
type CodeInterpreter = Extract<ToolCall, { type: 'code_interpreter' }>['codeInterpreter'];

const FunctionCallRef = builder.objectRef<FunctionCall>('FunctionCall').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    arguments: t.exposeString('arguments', { description: 'JSON text, as the model wrote it.' }),
    output: t.exposeString('output', {
      nullable: true,
      description: 'The caller’s output; null until submitted.',
    }),
  }),
});

const FileSearchContentRef = builder
  .objectRef<FileSearch['results'][number]['content'][number]>('FileSearchResultContent')
  .implement({
    fields: (t) => ({
      type: t.exposeString('type', { description: 'Always `text`.' }),
      text: t.exposeString('text'),
    }),
  });

const FileSearchRankingRef = builder
  .objectRef<FileSearch['rankingOptions']>('FileSearchCallRanking')
  .implement({
    description: 'How the call ranked what it found.',
    fields: (t) => ({
      ranker: t.exposeString('ranker'),
      scoreThreshold: t.exposeFloat('scoreThreshold'),
    }),
  });

const FileSearchResultRef = builder
  .objectRef<FileSearch['results'][number]>('FileSearchResult')
  .implement({
    description: 'A passage file_search retrieved.',
    fields: (t) => ({
      fileId: t.exposeString('fileId'),
      fileName: t.exposeString('fileName'),
      score: t.exposeFloat('score', { description: 'Relevance in [0, 1].' }),
      content: t.field({
        type: [FileSearchContentRef],
        description: 'The passage (REST shows it only with `include[]`).',
        resolve: (result) => result.content,
      }),
    }),
  });

const FileSearchCallRef = builder.objectRef<FileSearch>('FileSearchCall').implement({
  description: 'What a file_search call found.',
  fields: (t) => ({
    rankingOptions: t.field({
      type: FileSearchRankingRef,
      resolve: (search) => search.rankingOptions,
    }),
    results: t.field({ type: [FileSearchResultRef], resolve: (search) => search.results }),
  }),
});

export const CodeInterpreterOutputRef = builder
  .objectRef<{ type: string; logs?: string; image?: { fileId: string } }>('CodeInterpreterOutput')
  .implement({
    description: 'Something the code produced: `logs` (what it printed) or an `image` file.',
    fields: (t) => ({
      type: t.exposeString('type'),
      logs: t.string({ nullable: true, resolve: (output) => output.logs ?? null }),
      image: t.field({
        type: FileReferenceRef,
        nullable: true,
        resolve: (output) => output.image ?? null,
      }),
    }),
  });

const CodeInterpreterCallRef = builder.objectRef<CodeInterpreter>('CodeInterpreterCall').implement({
  description: 'Python the model ran in the sandbox, and what came out.',
  fields: (t) => ({
    input: t.exposeString('input', { description: 'The Python source.' }),
    outputs: t.field({ type: [CodeInterpreterOutputRef], resolve: (call) => call.outputs }),
  }),
});

const ToolCallRef = builder.objectRef<ToolCall>('ToolCall').implement({
  description:
    'A tool call made by the model in a tool_calls step. The member matching `type` is set.',
  fields: (t) => ({
    id: t.exposeID('id', { description: '`call_…`' }),
    type: t.exposeString('type', {
      description: '`function`, `file_search` or `code_interpreter`.',
    }),
    function: t.field({
      type: FunctionCallRef,
      nullable: true,
      resolve: (call) => (call.type === 'function' ? call.function : null),
    }),
    fileSearch: t.field({
      type: FileSearchCallRef,
      nullable: true,
      resolve: (call) => (call.type === 'file_search' ? call.fileSearch : null),
    }),
    codeInterpreter: t.field({
      type: CodeInterpreterCallRef,
      nullable: true,
      resolve: (call) => (call.type === 'code_interpreter' ? call.codeInterpreter : null),
    }),
  }),
});

const MessageCreationRef = builder
  .objectRef<{ messageId: string }>('MessageCreation')
  .implement({ fields: (t) => ({ messageId: t.exposeString('messageId') }) });

const StepErrorRef = builder
  .objectRef<{ code?: string | undefined; message?: string | undefined }>('RunStepError')
  .implement({
    fields: (t) => ({
      code: t.string({ nullable: true, resolve: (error) => error.code ?? null }),
      message: t.string({ nullable: true, resolve: (error) => error.message ?? null }),
    }),
  });

const StepDetailsRef = builder.objectRef<StepDetails>('RunStepDetails').implement({
  description: 'What the step did: created a message, or called tools.',
  fields: (t) => ({
    type: t.field({ type: StepType, resolve: (details) => details.type }),
    messageCreation: t.field({
      type: MessageCreationRef,
      nullable: true,
      description: 'For message_creation: the message written.',
      resolve: (details) => (details.type === 'message_creation' ? details.messageCreation : null),
    }),
    toolCalls: t.field({
      type: [ToolCallRef],
      nullable: true,
      description: 'For tool_calls: the calls, in order.',
      resolve: (details) => (details.type === 'tool_calls' ? details.toolCalls : null),
    }),
  }),
});

export const RunStep = builder.prismaNode('RunStep', {
  description: 'One step of a run: a message it wrote or tools it called.',
  id: { field: 'id', description: '`step_…`' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, projectId: ctx.actor.projectId }),
  fields: (t) => ({
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    runId: t.exposeString('runId'),
    threadId: t.exposeString('threadId'),
    assistantId: t.exposeString('assistantId'),
    type: t.field({
      type: StepType,
      resolve: (step) => step.type as 'message_creation' | 'tool_calls',
    }),
    status: t.field({
      type: StepStatus,
      resolve: (step) =>
        step.status as 'in_progress' | 'cancelled' | 'failed' | 'completed' | 'expired',
    }),
    stepDetails: t.field({
      type: StepDetailsRef,
      resolve: (step) => stepDetails(step),
    }),
    lastError: t.field({
      type: StepErrorRef,
      nullable: true,
      resolve: (step) => stepLastError(step),
    }),
    expiredAt: t.expose('expiredAt', { type: 'UnixTime', nullable: true }),
    cancelledAt: t.expose('cancelledAt', { type: 'UnixTime', nullable: true }),
    failedAt: t.expose('failedAt', { type: 'UnixTime', nullable: true }),
    completedAt: t.expose('completedAt', { type: 'UnixTime', nullable: true }),
    metadata: t.expose('metadata', { type: 'JSON' }),
    usage: t.field({
      type: UsageRef,
      nullable: true,
      resolve: (step) => stepUsage(step),
    }),
  }),
});

export const RunStepConnection = connectionType('RunStep', RunStep);

builder.queryFields((t) => ({
  runStep: t.prismaField({
    type: 'RunStep',
    nullable: true,
    description:
      'One step of a run; null, with a NOT_FOUND error at its path, when there is none in this project (its siblings still resolve).',
    args: {
      threadId: t.arg.id({ required: true }),
      runId: t.arg.id({ required: true }),
      id: t.arg.id({ required: true }),
    },
    resolve: (query, _root, args, ctx) =>
      getRunStep(ctx, String(args.threadId), String(args.runId), String(args.id), query),
  }),
  runSteps: t.connection(
    {
      type: RunStep,
      args: {
        threadId: t.arg.id({ required: true }),
        runId: t.arg.id({ required: true }),
        ...orderArg,
      },
      resolve: async (_root, args, ctx) =>
        connectionOf(
          await listRunSteps(ctx, String(args.threadId), String(args.runId), toPageInput(args)),
          (step) => step.id,
        ),
    },
    RunStepConnection,
  ),
}));
