import { z } from 'zod';
import type { Run, RunStep } from '../../generated/prisma/client.js';
import { type AssistantTool, storedAssistantToolsSchema } from '../assistants/assistant-tools.js';
import { type ResponseFormat, storedResponseFormatSchema } from '../assistants/response-format.js';
import { parseJsonColumn } from '../common/json-column.js';
import {
  storedToolChoiceSchema,
  storedTruncationSchema,
  type ToolChoice,
  type TruncationStrategy,
} from './run-input.js';
import {
  type RequiredAction,
  requiredActionSchema,
  type StepDetails,
  stepDetailsSchema,
} from './run-step-details.js';
import { type Usage, usageSchema } from './usage.js';

// Readers of the JSON columns of `runs` and `run_steps`, shared by GraphQL and the engine: each
// checks the stored value against the shape the services write, and names the row if it is not.
// Nullable columns take `nullish`: a run-event snapshot revived from JSON may lack a key that a
// row read from the table would have as NULL.

export interface RunError {
  code: string;
  message: string;
}

const runErrorSchema: z.ZodType<RunError> = z.object({ code: z.string(), message: z.string() });

/** A step's `last_error`: read field by field, so either may be absent. */
const stepErrorSchema = z.object({ code: z.string().optional(), message: z.string().optional() });

/** A run's `incomplete_details`: `{}` when a run ended incomplete without a reason. */
const runIncompleteSchema = z.object({ reason: z.string().optional() });

const nullableUsage = usageSchema.nullish();
const nullableRequiredAction = requiredActionSchema.nullish();
const nullableRunError = runErrorSchema.nullish();
const nullableRunIncomplete = runIncompleteSchema.nullish();
const nullableTruncation = storedTruncationSchema.nullish();
const nullableToolChoice = storedToolChoiceSchema.nullish();
const nullableResponseFormat = storedResponseFormatSchema.nullish();
const nullableStepError = stepErrorSchema.nullish();

const inRuns = (id: string, column: string) => ({ table: 'runs', id, column });
const inSteps = (id: string, column: string) => ({ table: 'run_steps', id, column });

export function runTools(run: Pick<Run, 'id' | 'tools'>): AssistantTool[] {
  return parseJsonColumn(storedAssistantToolsSchema, run.tools, inRuns(run.id, 'tools'));
}

export function runUsage(run: Pick<Run, 'id' | 'usage'>): Usage | null {
  return parseJsonColumn(nullableUsage, run.usage, inRuns(run.id, 'usage')) ?? null;
}

export function runRequiredAction(run: Pick<Run, 'id' | 'requiredAction'>): RequiredAction | null {
  return (
    parseJsonColumn(nullableRequiredAction, run.requiredAction, inRuns(run.id, 'requiredAction')) ??
    null
  );
}

export function runLastError(run: Pick<Run, 'id' | 'lastError'>): RunError | null {
  return parseJsonColumn(nullableRunError, run.lastError, inRuns(run.id, 'lastError')) ?? null;
}

export function runIncompleteDetails(
  run: Pick<Run, 'id' | 'incompleteDetails'>,
): { reason?: string | undefined } | null {
  return (
    parseJsonColumn(
      nullableRunIncomplete,
      run.incompleteDetails,
      inRuns(run.id, 'incompleteDetails'),
    ) ?? null
  );
}

export function runTruncationStrategy(
  run: Pick<Run, 'id' | 'truncationStrategy'>,
): TruncationStrategy | null {
  return (
    parseJsonColumn(
      nullableTruncation,
      run.truncationStrategy,
      inRuns(run.id, 'truncationStrategy'),
    ) ?? null
  );
}

export function runToolChoice(run: Pick<Run, 'id' | 'toolChoice'>): ToolChoice | null {
  return parseJsonColumn(nullableToolChoice, run.toolChoice, inRuns(run.id, 'toolChoice')) ?? null;
}

export function runResponseFormat(run: Pick<Run, 'id' | 'responseFormat'>): ResponseFormat | null {
  return (
    parseJsonColumn(nullableResponseFormat, run.responseFormat, inRuns(run.id, 'responseFormat')) ??
    null
  );
}

export function stepDetails(step: { id: string; stepDetails: unknown }): StepDetails {
  return parseJsonColumn(stepDetailsSchema, step.stepDetails, inSteps(step.id, 'stepDetails'));
}

export function stepUsage(step: Pick<RunStep, 'id' | 'usage'>): Usage | null {
  return parseJsonColumn(nullableUsage, step.usage, inSteps(step.id, 'usage')) ?? null;
}

export function stepLastError(
  step: Pick<RunStep, 'id' | 'lastError'>,
): { code?: string | undefined; message?: string | undefined } | null {
  return parseJsonColumn(nullableStepError, step.lastError, inSteps(step.id, 'lastError')) ?? null;
}
