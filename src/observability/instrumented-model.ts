import { SpanStatusCode } from '@opentelemetry/api';
import { type ChatEvent, type ChatModel, ModelError } from '../models/chat-model.js';
import { modelLabel } from './bounded-label.js';
import {
  genAiOperationDuration,
  genAiTokenUsage,
  timeToFirstToken,
  upstreamErrors,
} from './metrics.js';
import { contentRecordingEnabled, SpanKind, startSpan } from './tracing.js';

const OPERATION = 'chat';

/** The error kind of a failed call: the run's `last_error` code, `cancelled`, or `_OTHER`. */
function errorType(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    return 'cancelled';
  }
  return error instanceof ModelError ? error.code : '_OTHER';
}

/**
 * The upstream model with its metrics and spans: each call is a `chat <model>` client span with
 * OpenTelemetry's GenAI attributes (`gen_ai.request.model`, token usage, finish reason), timed
 * to its first delta and to its end. Prompt and completion text go on the span only when
 * content recording is enabled.
 */
export function instrumentChatModel(model: ChatModel): ChatModel {
  return {
    contextWindow: (name) => model.contextWindow(name),
    async *stream(request) {
      const label = modelLabel(request.model);
      const { span } = startSpan(`${OPERATION} ${request.model}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': OPERATION,
          'gen_ai.request.model': request.model,
          ...(request.temperature != null
            ? { 'gen_ai.request.temperature': request.temperature }
            : {}),
          ...(request.topP != null ? { 'gen_ai.request.top_p': request.topP } : {}),
          ...(request.maxCompletionTokens != null
            ? { 'gen_ai.request.max_tokens': request.maxCompletionTokens }
            : {}),
        },
      });
      if (contentRecordingEnabled()) {
        span.setAttribute('gen_ai.input.messages', JSON.stringify(request.messages));
      }
      const started = performance.now();
      let firstDelta = true;
      let text = '';
      let failure: string | null = null;
      try {
        // Not made the active span: the generator yields between chunks, and an active context
        // would leak into the consumer's code in between.
        for await (const event of model.stream(request)) {
          if (firstDelta && event.type !== 'done') {
            firstDelta = false;
            timeToFirstToken.observe(
              { gen_ai_request_model: label },
              (performance.now() - started) / 1000,
            );
          }
          if (event.type === 'text' && contentRecordingEnabled()) {
            text += event.delta;
          }
          if (event.type === 'done') {
            recordDone(event, label, span);
          }
          yield event;
        }
      } catch (error) {
        failure = errorType(error, request.signal);
        span.setAttribute('error.type', failure);
        span.setStatus({ code: SpanStatusCode.ERROR });
        if (failure !== 'cancelled') {
          upstreamErrors.inc({ gen_ai_request_model: label, error_type: failure });
        }
        throw error;
      } finally {
        genAiOperationDuration.observe(
          {
            gen_ai_operation_name: OPERATION,
            gen_ai_request_model: label,
            error_type: failure ?? '',
          },
          (performance.now() - started) / 1000,
        );
        if (text) {
          span.setAttribute('gen_ai.output.messages', text);
        }
        span.end();
      }
    },
  };
}

function recordDone(
  event: Extract<ChatEvent, { type: 'done' }>,
  label: string,
  span: ReturnType<typeof startSpan>['span'],
): void {
  if (event.finishReason) {
    span.setAttribute('gen_ai.response.finish_reasons', [event.finishReason]);
  }
  if (!event.usage) {
    return;
  }
  span.setAttribute('gen_ai.usage.input_tokens', event.usage.promptTokens);
  span.setAttribute('gen_ai.usage.output_tokens', event.usage.completionTokens);
  const labels = { gen_ai_operation_name: OPERATION, gen_ai_request_model: label };
  genAiTokenUsage.observe({ ...labels, gen_ai_token_type: 'input' }, event.usage.promptTokens);
  genAiTokenUsage.observe({ ...labels, gen_ai_token_type: 'output' }, event.usage.completionTokens);
}
