import {
  type CodeSandbox,
  type SandboxResult,
  SandboxUnavailableError,
} from '../sandbox/code-sandbox.js';
import { sandboxExecutions } from './metrics.js';
import { withSpan } from './tracing.js';

/**
 * The `outcome` of one execution: `ok` (exit 0), `error` (the code raised), `timeout` (wall or
 * CPU time), `memory`, `killed` (any other limit, a cancel), or `unavailable` / `failed` when
 * the sandbox itself could not run it.
 */
function outcome(result: SandboxResult): string {
  if (result.timedOut || result.killedReason === 'time' || result.killedReason === 'cpu') {
    return 'timeout';
  }
  if (result.killedReason === 'memory') {
    return 'memory';
  }
  if (result.killedReason !== undefined) {
    return 'killed';
  }
  return result.exitCode === 0 ? 'ok' : 'error';
}

/** The sandbox with a span and an outcome count per execution (the code is never recorded). */
export function instrumentSandbox(sandbox: CodeSandbox): CodeSandbox {
  return {
    available: () => sandbox.available(),
    execute(input) {
      return withSpan('sandbox.execute', {}, async (span) => {
        try {
          const result = await sandbox.execute(input);
          const label = outcome(result);
          span.setAttribute('assistants.sandbox.outcome', label);
          sandboxExecutions.inc({ outcome: label });
          return result;
        } catch (error) {
          sandboxExecutions.inc({
            outcome: error instanceof SandboxUnavailableError ? 'unavailable' : 'failed',
          });
          throw error;
        }
      });
    },
  };
}
