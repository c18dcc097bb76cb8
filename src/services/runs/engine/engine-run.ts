import type { Run } from '../../../generated/prisma/client.js';
import type { AssistantTool } from '../../assistants/assistant-tools.js';
import type { ResponseFormat } from '../../assistants/response-format.js';
import {
  runResponseFormat,
  runToolChoice,
  runTools,
  runTruncationStrategy,
  runUsage,
} from '../run-columns.js';
import type { ToolChoice, TruncationStrategy } from '../run-input.js';
import type { Usage } from '../usage.js';

/**
 * A run as one execution works on it: the claimed row under its lease, with the JSON columns
 * the engine reads parsed once at the claim, not again at each model call and tool call.
 */
export interface EngineRun
  extends Omit<Run, 'tools' | 'toolChoice' | 'responseFormat' | 'truncationStrategy' | 'usage'> {
  leaseId: string;
  tools: AssistantTool[];
  toolChoice: ToolChoice | null;
  responseFormat: ResponseFormat | null;
  truncationStrategy: TruncationStrategy | null;
  usage: Usage | null;
}

/** The claimed row as an `EngineRun`; throws `CorruptRowError` naming the column that is not. */
export function toEngineRun(run: Run, leaseId: string): EngineRun {
  return {
    ...run,
    leaseId,
    tools: runTools(run),
    toolChoice: runToolChoice(run),
    responseFormat: runResponseFormat(run),
    truncationStrategy: runTruncationStrategy(run),
    usage: runUsage(run),
  };
}
