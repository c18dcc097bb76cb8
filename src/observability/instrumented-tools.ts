import type { BuiltinToolRunner } from '../services/runs/engine/tools/runner.js';
import { contentRecordingEnabled, withSpan } from './tracing.js';

/**
 * Server-side tool calls with a span each (`execute_tool <name>`, OpenTelemetry's GenAI
 * operation), the call's arguments only when content recording is enabled.
 */
export function instrumentToolRunner(runner: BuiltinToolRunner): BuiltinToolRunner {
  return {
    run(ctx, run, call, signal) {
      const attributes = {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': call.type,
        'gen_ai.tool.call.id': call.id,
        ...(contentRecordingEnabled() ? { 'gen_ai.tool.call.arguments': call.arguments } : {}),
      };
      return withSpan(`execute_tool ${call.type}`, { attributes }, () =>
        runner.run(ctx, run, call, signal),
      );
    },
    release: (runId) => runner.release(runId),
  };
}
