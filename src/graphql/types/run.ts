import {
  type RunError,
  runIncompleteDetails,
  runLastError,
  runRequiredAction,
  runResponseFormat,
  runToolChoice,
  runTools,
  runTruncationStrategy,
  runUsage,
} from '../../services/runs/run-columns.js';
import type { ToolChoice, TruncationStrategy } from '../../services/runs/run-input.js';
import { RUN_STATUSES, type RunStatus } from '../../services/runs/run-status.js';
import type { RequiredAction } from '../../services/runs/run-step-details.js';
import {
  cancelRun,
  createRun,
  createThreadAndRun,
  getRun,
  listRuns,
  updateRun,
} from '../../services/runs/runs.js';
import { submitToolOutputs } from '../../services/runs/tool-outputs.js';
import type { Usage } from '../../services/runs/usage.js';
import { type BuilderTypes, builder } from '../builder.js';
import { ReasoningEffort } from './assistant.js';
import { connectionOf, connectionType, orderArg, toPageInput } from './common.js';
import { CreateMessageInput } from './message.js';
import {
  AssistantToolInput,
  AssistantToolRef,
  ResponseFormatInput,
  ResponseFormatRef,
  ToolResourcesInput,
} from './tools.js';

export const RunStatusEnum = builder.enumType('RunStatus', {
  description: 'OpenAI’s run statuses, exactly.',
  values: RUN_STATUSES,
});

export const UsageRef = builder.objectRef<Usage>('Usage').implement({
  description: 'Tokens used by model calls.',
  fields: (t) => ({
    promptTokens: t.exposeInt('promptTokens'),
    completionTokens: t.exposeInt('completionTokens'),
    totalTokens: t.exposeInt('totalTokens'),
  }),
});

type PendingCall = RequiredAction['submitToolOutputs']['toolCalls'][number];

const PendingFunctionRef = builder.objectRef<PendingCall['function']>('PendingFunction').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    arguments: t.exposeString('arguments', { description: 'JSON text, as the model wrote it.' }),
  }),
});

const PendingToolCallRef = builder.objectRef<PendingCall>('PendingToolCall').implement({
  description: 'A function call waiting for its output.',
  fields: (t) => ({
    id: t.exposeID('id', { description: '`call_…`; pass it back with the output.' }),
    type: t.exposeString('type'),
    function: t.field({ type: PendingFunctionRef, resolve: (call) => call.function }),
  }),
});

const SubmitToolOutputsActionRef = builder
  .objectRef<RequiredAction['submitToolOutputs']>('SubmitToolOutputsAction')
  .implement({
    fields: (t) => ({
      toolCalls: t.field({ type: [PendingToolCallRef], resolve: (action) => action.toolCalls }),
    }),
  });

const RunIncompleteDetailsRef = builder
  .objectRef<{ reason?: string | undefined }>('RunIncompleteDetails')
  .implement({
    fields: (t) => ({
      reason: t.string({
        nullable: true,
        description: 'max_completion_tokens or max_prompt_tokens.',
        resolve: (details) => details.reason ?? null,
      }),
    }),
  });

const RequiredActionRef = builder.objectRef<RequiredAction>('RequiredAction').implement({
  description: 'What a run in requires_action waits for.',
  fields: (t) => ({
    type: t.exposeString('type', { description: 'Always `submit_tool_outputs`.' }),
    submitToolOutputs: t.field({
      type: SubmitToolOutputsActionRef,
      resolve: (action) => action.submitToolOutputs,
    }),
  }),
});

const RunErrorRef = builder.objectRef<RunError>('RunError').implement({
  fields: (t) => ({
    code: t.exposeString('code', {
      description:
        'server_error, rate_limit_exceeded, invalid_prompt or insufficient_quota (the project’s budget is spent).',
    }),
    message: t.exposeString('message'),
  }),
});

const TruncationStrategyRef = builder
  .objectRef<TruncationStrategy>('TruncationStrategy')
  .implement({
    fields: (t) => ({
      type: t.exposeString('type', { description: '`auto` or `last_messages`.' }),
      lastMessages: t.exposeInt('lastMessages', { nullable: true }),
    }),
  });

const ToolChoiceFunctionRef = builder
  .objectRef<{ name: string }>('ToolChoiceFunction')
  .implement({ fields: (t) => ({ name: t.exposeString('name') }) });

const ToolChoiceRef = builder.objectRef<ToolChoice>('ToolChoice').implement({
  fields: (t) => ({
    type: t.exposeString('type', {
      description: 'none, auto, required, function, code_interpreter or file_search.',
    }),
    function: t.field({
      type: ToolChoiceFunctionRef,
      nullable: true,
      description: 'The function the model must call (type function).',
      resolve: (choice) => (choice.type === 'function' ? choice.function : null),
    }),
  }),
});

export const Run = builder.prismaNode('Run', {
  description: 'An execution of an assistant on a thread.',
  id: { field: 'id', description: '`run_…`' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, projectId: ctx.actor.projectId }),
  fields: (t) => ({
    createdAt: t.expose('createdAt', { type: 'UnixTime' }),
    threadId: t.exposeString('threadId'),
    assistantId: t.exposeString('assistantId'),
    status: t.field({ type: RunStatusEnum, resolve: (run) => run.status as RunStatus }),
    requiredAction: t.field({
      type: RequiredActionRef,
      nullable: true,
      resolve: (run) => runRequiredAction(run),
    }),
    lastError: t.field({
      type: RunErrorRef,
      nullable: true,
      resolve: (run) => runLastError(run),
    }),
    expiresAt: t.expose('expiresAt', { type: 'UnixTime', nullable: true }),
    startedAt: t.expose('startedAt', { type: 'UnixTime', nullable: true }),
    cancelledAt: t.expose('cancelledAt', { type: 'UnixTime', nullable: true }),
    failedAt: t.expose('failedAt', { type: 'UnixTime', nullable: true }),
    completedAt: t.expose('completedAt', { type: 'UnixTime', nullable: true }),
    incompleteDetails: t.field({
      type: RunIncompleteDetailsRef,
      nullable: true,
      description: 'Why the run ended incomplete.',
      resolve: (run) => runIncompleteDetails(run),
    }),
    model: t.exposeString('model', { description: 'Effective model.' }),
    instructions: t.exposeString('instructions', { description: 'Effective instructions.' }),
    tools: t.field({
      type: [AssistantToolRef],
      resolve: (run) => runTools(run),
    }),
    metadata: t.expose('metadata', { type: 'JSON' }),
    usage: t.field({
      type: UsageRef,
      nullable: true,
      description: 'Summed over every model call of the run.',
      resolve: (run) => runUsage(run),
    }),
    temperature: t.exposeFloat('temperature', { nullable: true }),
    topP: t.exposeFloat('topP', { nullable: true }),
    maxPromptTokens: t.exposeInt('maxPromptTokens', { nullable: true }),
    maxCompletionTokens: t.exposeInt('maxCompletionTokens', { nullable: true }),
    truncationStrategy: t.field({
      type: TruncationStrategyRef,
      nullable: true,
      resolve: (run) => runTruncationStrategy(run),
    }),
    toolChoice: t.field({
      type: ToolChoiceRef,
      nullable: true,
      resolve: (run) => runToolChoice(run),
    }),
    parallelToolCalls: t.exposeBoolean('parallelToolCalls'),
    eventSeq: t.exposeInt('eventSeq', {
      description: 'Sequence number of the run’s last event; subscribe to runEvents after it.',
    }),
    responseFormat: t.field({
      type: ResponseFormatRef,
      nullable: true,
      resolve: (run) => runResponseFormat(run),
    }),
  }),
});

export const RunConnection = connectionType('Run', Run);

const ToolChoiceType = builder.enumType('ToolChoiceType', {
  values: ['none', 'auto', 'required', 'function', 'code_interpreter', 'file_search'] as const,
});

const TruncationType = builder.enumType('TruncationType', {
  values: ['auto', 'last_messages'] as const,
});

const ToolChoiceFunctionInput = builder.inputType('ToolChoiceFunctionInput', {
  fields: (t) => ({ name: t.string({ required: true }) }),
});

const ToolChoiceInput = builder.inputType('ToolChoiceInput', {
  fields: (t) => ({
    type: t.field({ type: ToolChoiceType, required: true }),
    function: t.field({
      type: ToolChoiceFunctionInput,
      description: 'Required when type is function.',
    }),
  }),
});

const TruncationStrategyInput = builder.inputType('TruncationStrategyInput', {
  fields: (t) => ({
    type: t.field({ type: TruncationType, required: true }),
    lastMessages: t.int({ description: 'At least 1.' }),
  }),
});

const runInputFields = (t: PothosSchemaTypes.InputFieldBuilder<BuilderTypes, 'InputObject'>) => ({
  assistantId: t.string({ required: true }),
  model: t.string({ description: 'Overrides the assistant’s model.' }),
  instructions: t.string({ description: 'Replaces the assistant’s instructions.' }),
  tools: t.field({ type: [AssistantToolInput], description: 'Overrides the tools (at most 20).' }),
  metadata: t.field({ type: 'JSON' }),
  temperature: t.float(),
  topP: t.float(),
  maxPromptTokens: t.int({ description: 'At least 256.' }),
  maxCompletionTokens: t.int({ description: 'At least 256.' }),
  truncationStrategy: t.field({ type: TruncationStrategyInput }),
  toolChoice: t.field({ type: ToolChoiceInput }),
  parallelToolCalls: t.boolean(),
  responseFormat: t.field({ type: ResponseFormatInput }),
});

const CreateRunInput = builder.inputType('CreateRunInput', {
  fields: (t) => ({
    ...runInputFields(t),
    reasoningEffort: t.field({ type: ReasoningEffort }),
    additionalInstructions: t.string({ description: 'Appended to the instructions.' }),
    additionalMessages: t.field({
      type: [CreateMessageInput],
      description: 'Added to the thread before the run starts.',
    }),
    include: t.stringList({
      description: 'Only `step_details.tool_calls[*].file_search.results[*].content`.',
    }),
  }),
});

const CreateThreadAndRunInput = builder.inputType('CreateThreadAndRunInput', {
  fields: (t) => ({
    ...runInputFields(t),
    thread: t.field({
      type: builder.inputType('ThreadForRunInput', {
        fields: (f) => ({
          messages: f.field({ type: [CreateMessageInput] }),
          toolResources: f.field({ type: ToolResourcesInput }),
          metadata: f.field({ type: 'JSON' }),
        }),
      }),
    }),
    toolResources: t.field({ type: ToolResourcesInput }),
  }),
});

const ToolOutputInput = builder.inputType('ToolOutputInput', {
  fields: (t) => ({
    toolCallId: t.string({ required: true }),
    output: t.string({ required: true }),
  }),
});

builder.queryFields((t) => ({
  run: t.prismaField({
    type: 'Run',
    nullable: true,
    description:
      'One run of a thread; null, with a NOT_FOUND error at its path, when there is none in this project (its siblings still resolve).',
    args: { threadId: t.arg.id({ required: true }), id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      getRun(ctx, String(args.threadId), String(args.id), query),
  }),
  runs: t.connection(
    {
      type: Run,
      description:
        'Runs of a thread, or of the whole project without `threadId` (not in OpenAI’s REST API), newest first by default.',
      args: {
        threadId: t.arg.id({ description: 'Only this thread’s runs.' }),
        status: t.arg({
          type: [RunStatusEnum],
          description: 'Only runs in these statuses (e.g. everything in_progress now).',
        }),
        ...orderArg,
      },
      resolve: async (_root, args, ctx) =>
        connectionOf(
          await listRuns(
            ctx,
            args.threadId == null ? null : String(args.threadId),
            toPageInput(args),
            {},
            { status: args.status },
          ),
          (run) => run.id,
        ),
    },
    RunConnection,
  ),
}));

builder.mutationFields((t) => ({
  createRun: t.prismaField({
    type: 'Run',
    description: 'Starts a run (status queued). One active run per thread.',
    args: {
      threadId: t.arg.id({ required: true }),
      input: t.arg({ type: CreateRunInput, required: true }),
    },
    resolve: (query, _root, args, ctx) =>
      createRun(
        ctx,
        String(args.threadId),
        {
          ...args.input,
          additionalMessages: args.input.additionalMessages,
        },
        query,
      ),
  }),
  createThreadAndRun: t.prismaField({
    type: 'Run',
    args: { input: t.arg({ type: CreateThreadAndRunInput, required: true }) },
    resolve: (query, _root, args, ctx) =>
      createThreadAndRun(
        ctx,
        {
          ...args.input,
          thread: args.input.thread && {
            ...args.input.thread,
            messages: args.input.thread.messages,
          },
        },
        query,
      ),
  }),
  updateRun: t.prismaField({
    type: 'Run',
    args: {
      threadId: t.arg.id({ required: true }),
      id: t.arg.id({ required: true }),
      metadata: t.arg({ type: 'JSON' }),
    },
    resolve: (query, _root, args, ctx) =>
      updateRun(ctx, String(args.threadId), String(args.id), { metadata: args.metadata }, query),
  }),
  cancelRun: t.prismaField({
    type: 'Run',
    args: { threadId: t.arg.id({ required: true }), id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      cancelRun(ctx, String(args.threadId), String(args.id), query),
  }),
  submitToolOutputs: t.prismaField({
    type: 'Run',
    description:
      'Outputs for every pending call of a run in requires_action, in one request. Returns the run as queued: its eventSeq is its thread.run.queued event’s, which directly follows the tool step’s thread.run.step.completed.',
    args: {
      threadId: t.arg.id({ required: true }),
      id: t.arg.id({ required: true }),
      toolOutputs: t.arg({ type: [ToolOutputInput], required: true }),
    },
    resolve: (query, _root, args, ctx) =>
      submitToolOutputs(
        ctx,
        String(args.threadId),
        String(args.id),
        { toolOutputs: args.toolOutputs },
        query,
      ),
  }),
}));
