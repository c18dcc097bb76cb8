import { z } from 'zod';
import { type ServiceContext, withTransaction } from '../../context.js';
import { InvalidRequestError } from '../../errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { executeRunJob } from '../../jobs/execute-run.js';
import { CorruptRowError } from '../common/json-column.js';
import { wantsWholeRow } from '../common/row-query.js';
import { parseInput } from '../common/validation.js';
import { admitModelWork } from '../limits/admission.js';
import { lockThread } from '../threads/thread-lock.js';
import { stepDetails } from './run-columns.js';
import { isFunctionCall, type StepDetails } from './run-step-details.js';
import { getRun } from './runs.js';
import { queueWithToolOutputs } from './store/run-writes.js';

const submitToolOutputsSchema = z.object({
  toolOutputs: z
    .array(z.object({ toolCallId: z.string().min(1), output: z.string().max(512 * 1024) }))
    .min(1),
});

export type SubmitToolOutputsInput = z.input<typeof submitToolOutputsSchema>;

/**
 * Records the outputs of every pending function call (all in one request, as OpenAI requires)
 * on the tool_calls step, and queues the run to continue.
 */
export async function submitToolOutputs(
  ctx: ServiceContext,
  threadId: string,
  runId: string,
  input: SubmitToolOutputsInput,
  query: Pick<Prisma.RunFindFirstArgs, 'select' | 'include'> = {},
) {
  const data = parseInput(submitToolOutputsSchema, input);
  const queued = await withTransaction(ctx, async (tx) => {
    await lockThread(tx, threadId);
    const run = await getRun(tx, threadId, runId, { select: { status: true, model: true } });
    if (run.status !== 'requires_action') {
      throw new InvalidRequestError(`Runs in status "${run.status}" do not accept tool outputs.`);
    }
    const step = await tx.db.runStep.findFirst({
      where: { runId, type: 'tool_calls', status: 'in_progress' },
      orderBy: { seq: 'desc' },
    });
    if (!step) {
      throw new InvalidRequestError(`Run ${runId} has no pending tool calls.`);
    }
    const details = stepDetails(step);
    if (details.type !== 'tool_calls') {
      // The row says tool_calls; details of another kind mean it was altered outside the server.
      throw new CorruptRowError(
        { table: 'run_steps', id: step.id, column: 'stepDetails' },
        `type: a tool_calls step holds ${details.type} details`,
      );
    }
    // Server-side calls of the step have already run; only function calls await the caller.
    const pending = details.toolCalls.filter(isFunctionCall);
    const outputs = new Map<string, string>();
    for (const [index, { toolCallId, output }] of data.toolOutputs.entries()) {
      const param = `toolOutputs.${index}.toolCallId`;
      if (!pending.some((call) => call.id === toolCallId)) {
        throw new InvalidRequestError(`Invalid '${param}': no pending tool call '${toolCallId}'.`, {
          param,
        });
      }
      if (outputs.has(toolCallId)) {
        throw new InvalidRequestError(`Invalid '${param}': duplicate output for '${toolCallId}'.`, {
          param,
        });
      }
      outputs.set(toolCallId, output);
    }
    const missing = pending.filter((call) => !outputs.has(call.id)).map((call) => call.id);
    if (missing.length > 0) {
      throw new InvalidRequestError(
        `Expected tool outputs for call_ids ${JSON.stringify(pending.map((c) => c.id))}, got ${JSON.stringify([...outputs.keys()])}. Missing: ${missing.join(', ')}.`,
        { param: 'toolOutputs' },
      );
    }
    const completed: StepDetails = {
      type: 'tool_calls',
      toolCalls: details.toolCalls.map((call) =>
        isFunctionCall(call)
          ? { ...call, function: { ...call.function, output: outputs.get(call.id) ?? null } }
          : call,
      ),
    };
    await admitModelWork(tx, run.model);
    const ref = { id: runId, projectId: tx.actor.projectId, threadId };
    // The thread's lock keeps the caller's commands apart, but a sweep may expire the run meanwhile.
    const resumed = await queueWithToolOutputs(tx.db, ref, { id: step.id, details: completed });
    if (!resumed) {
      throw new InvalidRequestError(`Run ${runId} no longer accepts tool outputs.`);
    }
    await tx.jobs.send(tx.db, executeRunJob, { runId });
    return resumed;
  });
  // As queued, as OpenAI answers: its eventSeq is its thread.run.queued event's, which the
  // submission logged right after the step's completion (TOOL_OUTPUT_EVENTS). A worker may have
  // moved it on since.
  return wantsWholeRow(query) ? queued : getRun(ctx, threadId, runId, query);
}
