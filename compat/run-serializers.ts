import { isTerminal } from '../src/services/runs/run-status.js';
import type {
  RunFieldsFragment,
  RunStepFieldsFragment,
  UsageFieldsFragment,
} from './generated/operations.js';
import { serializeResponseFormat, serializeTool } from './serializers.js';

type Json = Record<string, unknown>;

type ToolCallData = NonNullable<RunStepFieldsFragment['stepDetails']['toolCalls']>[number];

/** How REST shows step contents: file_search passages only when `include[]` asks for them. */
export interface StepView {
  fileSearchContent: boolean;
}

export const DEFAULT_STEP_VIEW: StepView = { fileSearchContent: false };

function serializeToolCall(call: ToolCallData, view: StepView): Json {
  if (call.fileSearch) {
    return {
      id: call.id,
      type: 'file_search',
      file_search: {
        ranking_options: {
          ranker: call.fileSearch.rankingOptions.ranker,
          score_threshold: call.fileSearch.rankingOptions.scoreThreshold,
        },
        results: call.fileSearch.results.map((result) => ({
          file_id: result.fileId,
          file_name: result.fileName,
          score: result.score,
          ...(view.fileSearchContent
            ? { content: result.content.map((part) => ({ type: part.type, text: part.text })) }
            : {}),
        })),
      },
    };
  }
  if (call.codeInterpreter) {
    return {
      id: call.id,
      type: 'code_interpreter',
      code_interpreter: {
        input: call.codeInterpreter.input,
        outputs: call.codeInterpreter.outputs.map((output) =>
          output.type === 'image'
            ? { type: 'image', image: { file_id: output.image?.fileId } }
            : { type: 'logs', logs: output.logs ?? '' },
        ),
      },
    };
  }
  return {
    id: call.id,
    type: 'function',
    function: {
      name: call.function?.name ?? '',
      arguments: call.function?.arguments ?? '',
      output: call.function?.output ?? null,
    },
  };
}

function serializeUsage(usage: UsageFieldsFragment | null): Json | null {
  return usage
    ? {
        prompt_tokens: usage.promptTokens,
        completion_tokens: usage.completionTokens,
        total_tokens: usage.totalTokens,
      }
    : null;
}

/** OpenAI reports `none`/`auto`/`required` as bare strings and named tools as objects. */
function serializeToolChoice(choice: RunFieldsFragment['toolChoice']): unknown {
  if (!choice) {
    return 'auto';
  }
  if (choice.type === 'function') {
    return { type: 'function', function: { name: choice.function?.name ?? '' } };
  }
  if (choice.type === 'code_interpreter' || choice.type === 'file_search') {
    return { type: choice.type };
  }
  return choice.type;
}

export function serializeRun(run: RunFieldsFragment): Json {
  return {
    id: run.id,
    object: 'thread.run',
    created_at: run.createdAt,
    thread_id: run.threadId,
    assistant_id: run.assistantId,
    status: run.status,
    required_action: run.requiredAction
      ? {
          type: 'submit_tool_outputs',
          submit_tool_outputs: {
            tool_calls: run.requiredAction.submitToolOutputs.toolCalls.map((call) => ({
              id: call.id,
              type: 'function',
              function: { name: call.function.name, arguments: call.function.arguments },
            })),
          },
        }
      : null,
    last_error: run.lastError,
    expires_at: run.expiresAt,
    started_at: run.startedAt,
    cancelled_at: run.cancelledAt,
    failed_at: run.failedAt,
    completed_at: run.completedAt,
    incomplete_details: run.incompleteDetails?.reason
      ? { reason: run.incompleteDetails.reason }
      : null,
    model: run.model,
    instructions: run.instructions,
    tools: run.tools.map(serializeTool),
    metadata: run.metadata,
    usage: isTerminal(run.status) ? serializeUsage(run.usage) : null,
    temperature: run.temperature ?? 1,
    top_p: run.topP ?? 1,
    max_prompt_tokens: run.maxPromptTokens,
    max_completion_tokens: run.maxCompletionTokens,
    truncation_strategy: run.truncationStrategy
      ? { type: run.truncationStrategy.type, last_messages: run.truncationStrategy.lastMessages }
      : { type: 'auto', last_messages: null },
    tool_choice: serializeToolChoice(run.toolChoice),
    parallel_tool_calls: run.parallelToolCalls,
    response_format: serializeResponseFormat(run.responseFormat),
  };
}

export function serializeRunStep(
  step: RunStepFieldsFragment,
  view: StepView = DEFAULT_STEP_VIEW,
): Json {
  const details = step.stepDetails;
  return {
    id: step.id,
    object: 'thread.run.step',
    created_at: step.createdAt,
    assistant_id: step.assistantId,
    thread_id: step.threadId,
    run_id: step.runId,
    type: step.type,
    status: step.status,
    step_details:
      details.type === 'message_creation'
        ? {
            type: 'message_creation',
            message_creation: { message_id: details.messageCreation?.messageId },
          }
        : {
            type: 'tool_calls',
            tool_calls: (details.toolCalls ?? []).map((call) => serializeToolCall(call, view)),
          },
    last_error: step.lastError?.code
      ? { code: step.lastError.code, message: step.lastError.message ?? '' }
      : null,
    expired_at: step.expiredAt,
    cancelled_at: step.cancelledAt,
    failed_at: step.failedAt,
    completed_at: step.completedAt,
    metadata: step.metadata,
    usage: step.status === 'in_progress' ? null : serializeUsage(step.usage),
  };
}
