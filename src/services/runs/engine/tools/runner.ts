import type { ServiceContext } from '../../../../context.js';
import type { BuiltinToolCall } from '../../run-step-details.js';
import type { EngineRun } from '../engine-run.js';
import type { BuiltinToolType } from './definitions.js';

/** A server-side call as the model made it. */
export interface PendingBuiltinCall {
  id: string;
  type: BuiltinToolType;
  /** JSON text, as the model wrote it. */
  arguments: string;
}

/**
 * Executes server-side tool calls for the run engine. The worker builds it from what this
 * process has (vector search, the sandbox); the result is what the step shows and the model
 * is told. Failures a model can act on (bad code, nothing found) are results, not throws.
 */
export interface BuiltinToolRunner {
  run(
    ctx: ServiceContext,
    run: EngineRun,
    call: PendingBuiltinCall,
    signal: AbortSignal,
  ): Promise<BuiltinToolCall>;
  /** Frees what the run held (its sandbox session) once it ended. */
  release(runId: string): Promise<void>;
}
