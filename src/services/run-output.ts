import type { PrismaClient } from '../db/prisma.js';
import { appendRunEvents, type RunEventInput } from '../events/run-events.js';
import type { Prisma } from '../generated/prisma/client.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import { SQL_NULL, toJson } from './json.js';
import { emitSnapshots, type RunRef } from './run-events-emit.js';
import type { Usage } from './run-outcomes.js';
import type { FunctionToolCall, RequiredAction, StepDetails } from './run-step-details.js';

export interface OutputDeps {
  db: PrismaClient;
  logger: Logger;
  /** Streamed output is written (and announced) at most this often (Default: 20 ms). */
  flushMs: number;
}

export interface OwnedRun extends RunRef {
  assistantId: string;
  leaseId: string;
}

/** Thrown when the run stopped being ours (cancelled, expired, taken over) mid-output. */
export class LostRunError extends Error {
  override name = 'AbortError';
}

/**
 * Coalesces streamed pieces: the first piece is written at once, later ones at most every
 * `flushMs`, and writes are chained so they land in order and none after `settle()`.
 */
abstract class CoalescingWriter {
  private timer: NodeJS.Timeout | null = null;
  private flushedAt = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(protected readonly deps: OutputDeps) {}

  protected abstract write(): Promise<void>;

  protected schedule(): void {
    if (this.timer) {
      return;
    }
    const wait = Math.max(0, this.deps.flushMs - (Date.now() - this.flushedAt));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'writing streamed output failed'),
      );
    }, wait);
  }

  /** Writes what is pending now, after any write already under way. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.flushedAt = Date.now();
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  /** Writes what is pending and waits until every write has landed. */
  async settle(): Promise<void> {
    await this.flush().catch((error: unknown) =>
      this.deps.logger.warn({ err: error }, 'writing streamed output failed'),
    );
  }
}

/** Inside a transaction: refuses to write output for a run that is no longer ours. */
async function assertOwned(tx: Prisma.TransactionClient, run: OwnedRun): Promise<void> {
  const owned = await tx.run.count({
    where: { id: run.id, leaseId: run.leaseId, status: 'in_progress' },
  });
  if (owned === 0) {
    throw new LostRunError('The run is no longer ours');
  }
}

/** An in-progress step of the run. */
function createStep(tx: Prisma.TransactionClient, run: OwnedRun, id: string, details: StepDetails) {
  return tx.runStep.create({
    data: {
      id,
      projectId: run.projectId,
      runId: run.id,
      threadId: run.threadId,
      assistantId: run.assistantId,
      type: details.type,
      status: 'in_progress',
      stepDetails: toJson(details),
    },
  });
}

function textContent(value: string) {
  return toJson([{ type: 'text', text: { value, annotations: [] } }]);
}

/** The assistant message being streamed, with its message_creation step. */
export class TextWriter extends CoalescingWriter {
  private value = '';
  private written = 0;

  private constructor(
    deps: OutputDeps,
    private readonly run: OwnedRun,
    readonly messageId: string,
    readonly stepId: string,
  ) {
    super(deps);
  }

  /** Creates the message and its step as the first token arrives (OpenAI's event order). */
  static async open(deps: OutputDeps, run: OwnedRun): Promise<TextWriter> {
    const messageId = newId('message');
    const stepId = newId('step');
    await deps.db.$transaction(async (tx) => {
      await assertOwned(tx, run);
      const message = await tx.message.create({
        data: {
          id: messageId,
          projectId: run.projectId,
          threadId: run.threadId,
          role: 'assistant',
          status: 'in_progress',
          content: toJson([]),
          assistantId: run.assistantId,
          runId: run.id,
          attachments: toJson([]),
        },
      });
      const step = await createStep(tx, run, stepId, {
        type: 'message_creation',
        messageCreation: { messageId },
      });
      await emitSnapshots(tx, run, [
        { event: 'thread.run.step.created', kind: 'step', id: stepId, row: step },
        { event: 'thread.run.step.in_progress', kind: 'step', id: stepId, row: step },
        { event: 'thread.message.created', kind: 'message', id: messageId, row: message },
        { event: 'thread.message.in_progress', kind: 'message', id: messageId, row: message },
      ]);
    });
    return new TextWriter(deps, run, messageId, stepId);
  }

  get text(): string {
    return this.value;
  }

  append(delta: string): void {
    this.value += delta;
    this.schedule();
  }

  protected async write(): Promise<void> {
    const piece = this.value.slice(this.written);
    if (piece === '') {
      return;
    }
    const first = this.written === 0;
    this.written = this.value.length;
    const value = this.value;
    await this.deps.db.$transaction(async (tx) => {
      await tx.message.update({
        where: { id: this.messageId },
        data: { content: textContent(value) },
      });
      await appendRunEvents(tx, this.run, [
        {
          event: 'thread.message.delta',
          data: {
            id: this.messageId,
            content: [
              {
                index: 0,
                type: 'text',
                text: first ? { value: piece, annotations: [] } : { value: piece },
              },
            ],
          },
        },
      ]);
    });
  }

  /** Ends the message (completed, or incomplete at the token limit) and its step. */
  async finish(outcome: 'completed' | 'incomplete', stepUsage: Usage | null): Promise<void> {
    await this.settle();
    const now = new Date();
    await this.deps.db.$transaction(async (tx) => {
      const message = await tx.message.update({
        where: { id: this.messageId },
        data: {
          content: textContent(this.value),
          ...(outcome === 'incomplete'
            ? {
                status: 'incomplete',
                incompleteAt: now,
                incompleteDetails: toJson({ reason: 'max_tokens' }),
              }
            : { status: 'completed', completedAt: now }),
        },
      });
      const step = await tx.runStep.update({
        where: { id: this.stepId },
        data: {
          status: 'completed',
          completedAt: now,
          ...(stepUsage ? { usage: toJson(stepUsage) } : {}),
        },
      });
      await emitSnapshots(tx, this.run, [
        { event: `thread.message.${outcome}`, kind: 'message', id: this.messageId, row: message },
        { event: 'thread.run.step.completed', kind: 'step', id: this.stepId, row: step },
      ]);
    });
  }
}

interface CallState {
  id: string;
  name: string;
  arguments: string;
  /** How much of `name`/`arguments` has been announced. */
  announced: boolean;
  writtenArguments: number;
}

/** The tool_calls step being streamed: one step for all (parallel) calls of a completion. */
export class ToolCallWriter extends CoalescingWriter {
  private readonly calls = new Map<number, CallState>();

  private constructor(
    deps: OutputDeps,
    private readonly run: OwnedRun,
    readonly stepId: string,
  ) {
    super(deps);
  }

  static async open(deps: OutputDeps, run: OwnedRun): Promise<ToolCallWriter> {
    const stepId = newId('step');
    await deps.db.$transaction(async (tx) => {
      await assertOwned(tx, run);
      const step = await createStep(tx, run, stepId, { type: 'tool_calls', toolCalls: [] });
      await emitSnapshots(tx, run, [
        { event: 'thread.run.step.created', kind: 'step', id: stepId, row: step },
        { event: 'thread.run.step.in_progress', kind: 'step', id: stepId, row: step },
      ]);
    });
    return new ToolCallWriter(deps, run, stepId);
  }

  get size(): number {
    return this.calls.size;
  }

  add(event: { index: number; id?: string; name?: string; argumentsDelta?: string }): void {
    const call = this.calls.get(event.index) ?? {
      id: event.id ?? newId('toolCall'),
      name: '',
      arguments: '',
      announced: false,
      writtenArguments: 0,
    };
    call.name += event.name ?? '';
    call.arguments += event.argumentsDelta ?? '';
    this.calls.set(event.index, call);
    this.schedule();
  }

  private toolCalls(): FunctionToolCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, call]) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments, output: null },
      }));
  }

  protected async write(): Promise<void> {
    const pieces: RunEventInput[] = [];
    const deltas = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .flatMap(([index, call]) => {
        const piece = call.arguments.slice(call.writtenArguments);
        if (call.announced && piece === '') {
          return [];
        }
        call.writtenArguments = call.arguments.length;
        if (!call.announced) {
          call.announced = true;
          return [
            {
              index,
              id: call.id,
              type: 'function',
              function: { name: call.name, arguments: piece, output: null },
            },
          ];
        }
        return [{ index, type: 'function', function: { arguments: piece } }];
      });
    if (deltas.length === 0) {
      return;
    }
    pieces.push({
      event: 'thread.run.step.delta',
      data: { id: this.stepId, toolCalls: deltas },
    });
    const details: StepDetails = { type: 'tool_calls', toolCalls: this.toolCalls() };
    await this.deps.db.$transaction(async (tx) => {
      await tx.runStep.update({
        where: { id: this.stepId },
        data: { stepDetails: toJson(details) },
      });
      await appendRunEvents(tx, this.run, pieces);
    });
  }

  /**
   * Pauses the run for the caller's outputs: the step stays in_progress (as on OpenAI) with its
   * calls, and the run moves to requires_action. Returns false if the run was no longer ours.
   */
  async requireOutputs(runUsage: Usage | null, stepUsage: Usage | null): Promise<boolean> {
    await this.settle();
    const toolCalls = this.toolCalls();
    const requiredAction: RequiredAction = {
      type: 'submit_tool_outputs',
      submitToolOutputs: {
        toolCalls: toolCalls.map(({ id, function: fn }) => ({
          id,
          type: 'function',
          function: { name: fn.name, arguments: fn.arguments },
        })),
      },
    };
    return this.deps.db.$transaction(async (tx) => {
      const { count } = await tx.run.updateMany({
        where: { id: this.run.id, leaseId: this.run.leaseId, status: 'in_progress' },
        data: {
          status: 'requires_action',
          requiredAction: toJson(requiredAction),
          usage: runUsage ? toJson(runUsage) : SQL_NULL,
          leaseId: null,
          heartbeatAt: null,
        },
      });
      if (count === 0) {
        return false;
      }
      const details: StepDetails = { type: 'tool_calls', toolCalls };
      await tx.runStep.update({
        where: { id: this.stepId },
        data: { stepDetails: toJson(details), ...(stepUsage ? { usage: toJson(stepUsage) } : {}) },
      });
      await emitSnapshots(tx, this.run, [
        { event: 'thread.run.requires_action', kind: 'run', id: this.run.id },
      ]);
      return true;
    });
  }
}
