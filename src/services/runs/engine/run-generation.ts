import { actingFor, type ServiceContext } from '../../../context.js';
import type { Logger } from '../../../logger.js';
import { withSpan } from '../../../observability/tracing.js';
import { spentBudget } from '../../limits/quota.js';
import { stepDetails } from '../run-columns.js';
import type { ToolCall } from '../run-step-details.js';
import type { OwnedRun } from '../store/output-writes.js';
import { type CleanEnd, endRun } from '../store/run-endings.js';
import { addUsage, type Usage } from '../usage.js';
import type { EngineContext } from './engine-context.js';
import type { EngineRun } from './engine-run.js';
import { promptBudget, promptTooLong } from './prompt-budget.js';
import { chatRequest, MAX_BUILTIN_ROUNDS } from './run-chat-request.js';
import { buildRunContext } from './run-context.js';
import type { MessageExtras } from './run-output.js';
import { TextWriter } from './text-writer.js';
import { ToolCallWriter } from './tool-call-writer.js';
import { collectSources } from './tools/annotations.js';
import { enabledBuiltins } from './tools/definitions.js';

/** What one execution of a run has produced so far (for usage and cleanup on failure). */
export interface Generation {
  usage: Usage | null;
  writers: (TextWriter | ToolCallWriter)[];
}

/**
 * Calls the model until the run ends or waits for the caller: server-side tool calls are
 * executed here and answered with another model call.
 */
export async function generate(
  deps: EngineContext,
  run: EngineRun,
  signal: AbortSignal,
  state: Generation,
  logger: Logger,
): Promise<void> {
  const ctx = actingFor(deps, run.projectId);
  for (let round = 0; ; round += 1) {
    if (round > MAX_BUILTIN_ROUNDS) {
      // Asked to answer without server-side tools, the model called them anyway: stop the loop.
      await endRun(
        deps.db,
        run.id,
        'failed',
        {
          lastError: {
            code: 'server_error',
            message: `The model kept calling file_search or code_interpreter after ${MAX_BUILTIN_ROUNDS} rounds of them, when it was asked to answer.`,
          },
          usage: state.usage,
        },
        { leaseId: run.leaseId },
      );
      return;
    }
    const next = await modelCall(deps, ctx, run, signal, state, logger, round);
    if (next === 'done') {
      return;
    }
  }
}

/**
 * What a new assistant message shows besides its text: images the run's code produced since
 * its last message, and the targets its citations and sandbox links may point at.
 */
async function messageExtras(ctx: ServiceContext, runId: string): Promise<MessageExtras> {
  const steps = await ctx.db.runStep.findMany({
    where: { runId, status: 'completed' },
    orderBy: { seq: 'asc' },
    select: { id: true, stepDetails: true },
  });
  const calls: ToolCall[] = [];
  let imageFileIds: string[] = [];
  for (const step of steps) {
    const details = stepDetails(step);
    if (details.type === 'message_creation') {
      imageFileIds = [];
      continue;
    }
    for (const call of details.toolCalls) {
      calls.push(call);
      if (call.type === 'code_interpreter') {
        for (const output of call.codeInterpreter.outputs) {
          if (output.type === 'image') {
            imageFileIds.push(output.image.fileId);
          }
        }
      }
    }
  }
  return { imageFileIds, sources: collectSources(calls) };
}

/** One model call and what follows from it: `continue` after server-side tool calls. */
async function modelCall(
  deps: EngineContext,
  ctx: ServiceContext,
  run: EngineRun,
  signal: AbortSignal,
  state: Generation,
  logger: Logger,
  round: number,
): Promise<'done' | 'continue'> {
  const leaseId = run.leaseId;
  const remaining =
    run.maxCompletionTokens === null
      ? null
      : run.maxCompletionTokens - (state.usage?.completionTokens ?? 0);
  if (remaining !== null && remaining <= 0) {
    await endRun(
      deps.db,
      run.id,
      'incomplete',
      { reason: 'max_completion_tokens', usage: state.usage },
      { leaseId },
    );
    return 'done';
  }
  // A budget spent since the run was admitted (by this run's earlier calls, or others') ends it.
  const spent = await spentBudget(deps, run.projectId);
  if (spent !== null) {
    await endRun(
      deps.db,
      run.id,
      'failed',
      { lastError: { code: 'insufficient_quota', message: spent }, usage: state.usage },
      { leaseId },
    );
    return 'done';
  }
  const request = chatRequest(run, [], remaining, signal, round);
  const budget = promptBudget(run.maxPromptTokens, remaining, deps.model.contextWindow(run.model));
  const context = await withSpan(
    'run.context',
    { attributes: { 'assistants.run.round': round } },
    () => buildRunContext(ctx, run, budget, request.tools ?? []),
  );
  if (!context.fits) {
    await endRun(
      deps.db,
      run.id,
      ...promptTooLong(run.model, context.budget, context.neededTokens, state.usage),
      { leaseId },
    );
    return 'done';
  }

  const output = { ...deps, logger };
  const owned: OwnedRun = {
    id: run.id,
    projectId: run.projectId,
    threadId: run.threadId,
    assistantId: run.assistantId,
    leaseId,
  };
  const builtins = enabledBuiltins(run.tools);
  let text: TextWriter | null = null;
  let tools: ToolCallWriter | null = null;
  let finishReason: string | null = null;
  let callUsage: Usage | null = null;
  for await (const event of deps.model.stream({ ...request, messages: context.messages })) {
    if (event.type === 'text') {
      if (!text) {
        // Only runs with server-side tools can have images or citations to show.
        const extras = builtins.size > 0 ? await messageExtras(ctx, run.id) : undefined;
        text = await TextWriter.open(output, owned, extras);
        state.writers.push(text);
      }
      text.append(event.delta);
    } else if (event.type === 'tool_call') {
      if (!tools) {
        // One step at a time (the SDK's stream rule): the text before the calls ends first.
        if (text) {
          await text.finish('completed', null);
          state.writers = state.writers.filter((writer) => writer !== text);
          text = null;
        }
        tools = await ToolCallWriter.open(output, owned, builtins);
        state.writers.push(tools);
      }
      tools.add(event);
    } else {
      finishReason = event.finishReason;
      callUsage = event.usage;
    }
  }
  state.usage = addUsage(state.usage, callUsage);
  const hitLimit = finishReason === 'length' && remaining !== null;
  const waitsForTools = tools !== null && tools.size > 0 && !hitLimit;
  // Unless tool calls follow, the run ends here: with its message's last write when it has one.
  const end: CleanEnd | null = waitsForTools
    ? null
    : hitLimit
      ? { to: 'incomplete', details: { reason: 'max_completion_tokens', usage: state.usage } }
      : { to: 'completed', details: { usage: state.usage } };

  if (text) {
    await text.finish(hitLimit ? 'incomplete' : 'completed', tools ? null : callUsage, end);
  }
  if (tools && waitsForTools) {
    for (const call of tools.pendingBuiltins()) {
      logger.debug({ toolCallId: call.id, type: call.type }, 'running server-side tool call');
      const result = await deps.builtinTools.run(ctx, run, call, signal);
      await tools.recordResult(call.index, result);
    }
    if (tools.hasFunctionCalls) {
      await tools.requireOutputs(state.usage, callUsage);
      return 'done';
    }
    await tools.complete(callUsage);
    state.writers = state.writers.filter((writer) => writer !== tools);
    return 'continue';
  }
  if (end && !text) {
    await endRun(deps.db, run.id, end.to, end.details, { leaseId });
  }
  return 'done';
}
