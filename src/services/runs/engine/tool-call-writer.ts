import { newId } from '../../../ids.js';
import {
  type BuiltinToolCall,
  type CodeInterpreterOutput,
  isFunctionCall,
  type RequiredAction,
  type StepDetails,
  type ToolCall,
} from '../run-step-details.js';
import {
  completeToolCallStep,
  type OwnedRun,
  openToolCallStep,
  requireToolOutputs,
  writeToolCallStep,
} from '../store/output-writes.js';
import type { Usage } from '../usage.js';
import type { EngineContext } from './engine-context.js';
import { CoalescingWriter, LostRunError } from './run-output.js';
import type { BuiltinToolType } from './tools/definitions.js';
import { partialStringField, stringArgument } from './tools/partial-json.js';

interface CallState {
  id: string;
  name: string;
  arguments: string;
  /** What the step shows once a server-side call has run (null: not run yet). */
  result: BuiltinToolCall | null;
  announced: boolean;
  /** How much of the arguments (function) or decoded code (code_interpreter) was announced. */
  written: number;
}

/** The tool_calls step being streamed: one step for all (parallel) calls of a completion. */
export class ToolCallWriter extends CoalescingWriter {
  private readonly calls = new Map<number, CallState>();
  /** `thread.run.step.delta` data of server-side results not announced yet. */
  private pendingOutputs: object[] = [];
  /** A result was recorded that the stored step does not show yet. */
  private dirty = false;

  private constructor(
    deps: EngineContext,
    private readonly run: OwnedRun,
    readonly stepId: string,
    /** Server-side tools the run offers, by function name. */
    private readonly builtins: Map<string, BuiltinToolType>,
  ) {
    super(deps);
  }

  static async open(
    deps: EngineContext,
    run: OwnedRun,
    builtins: Map<string, BuiltinToolType> = new Map(),
  ): Promise<ToolCallWriter> {
    const stepId = newId('step');
    if (!(await openToolCallStep(deps.db, run, stepId, deps.runEvents))) {
      throw new LostRunError('The run is no longer ours');
    }
    return new ToolCallWriter(deps, run, stepId, builtins);
  }

  get size(): number {
    return this.calls.size;
  }

  add(event: { index: number; id?: string; name?: string; argumentsDelta?: string }): void {
    const call = this.calls.get(event.index) ?? {
      id: event.id ?? newId('toolCall'),
      name: '',
      arguments: '',
      result: null,
      announced: false,
      written: 0,
    };
    call.name += event.name ?? '';
    call.arguments += event.argumentsDelta ?? '';
    this.calls.set(event.index, call);
    this.schedule();
  }

  private typeOf(call: CallState): BuiltinToolType | 'function' {
    return this.builtins.get(call.name) ?? 'function';
  }

  private ordered(): [number, CallState][] {
    return [...this.calls.entries()].sort(([a], [b]) => a - b);
  }

  /** The server-side calls still to run, in order: what the executor hands to the tools. */
  pendingBuiltins(): { index: number; id: string; type: BuiltinToolType; arguments: string }[] {
    return this.ordered().flatMap(([index, call]) => {
      const type = this.typeOf(call);
      return type !== 'function' && call.result === null
        ? [{ index, id: call.id, type, arguments: call.arguments }]
        : [];
    });
  }

  get hasFunctionCalls(): boolean {
    return this.ordered().some(([, call]) => this.typeOf(call) === 'function');
  }

  /** The step's calls as stored: what each shows so far. */
  toolCalls(): ToolCall[] {
    return this.ordered().map(([, call]): ToolCall => {
      if (call.result) {
        return call.result;
      }
      const type = this.typeOf(call);
      if (type === 'file_search') {
        return {
          id: call.id,
          type,
          fileSearch: { rankingOptions: { ranker: 'auto', scoreThreshold: 0 }, results: [] },
          modelArguments: call.arguments,
        };
      }
      if (type === 'code_interpreter') {
        return {
          id: call.id,
          type,
          codeInterpreter: { input: this.codeOf(call), outputs: [] },
          files: [],
          modelArguments: call.arguments,
        };
      }
      return {
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments, output: null },
      };
    });
  }

  private codeOf(call: CallState): string {
    return stringArgument(call.arguments, 'code') ?? partialStringField(call.arguments, 'code');
  }

  /**
   * The `tool_calls` entries announcing new parts of one call (OpenAI's shape per tool type),
   * each sent as a delta event of its own. A call opens with a delta whose arguments or input
   * are empty, as on OpenAI, and its text follows in later deltas: the SDKs hand a call's first
   * delta only to `toolCallCreated`, so text in it is lost to clients that rebuild it from
   * `toolCallDelta`, however the pieces were coalesced.
   */
  private deltasOf(index: number, call: CallState): Record<string, unknown>[] {
    const type = this.typeOf(call);
    const opening = call.announced ? [] : [this.openingOf(index, call, type)];
    call.announced = true;
    if (type === 'file_search') {
      // Its query is internal; the step shows the results when it completes.
      return opening;
    }
    const text =
      type === 'code_interpreter' ? partialStringField(call.arguments, 'code') : call.arguments;
    const piece = text.slice(call.written);
    call.written = text.length;
    if (piece === '') {
      return opening;
    }
    const delta =
      type === 'code_interpreter'
        ? { index, type, codeInterpreter: { input: piece } }
        : { index, type, function: { arguments: piece } };
    return [...opening, delta];
  }

  /** A call's first delta: its id, type and name, and no text yet. */
  private openingOf(
    index: number,
    call: CallState,
    type: BuiltinToolType | 'function',
  ): Record<string, unknown> {
    if (type === 'file_search') {
      return { index, id: call.id, type, fileSearch: {} };
    }
    if (type === 'code_interpreter') {
      return { index, id: call.id, type, codeInterpreter: { input: '', outputs: [] } };
    }
    return { index, id: call.id, type, function: { name: call.name, arguments: '', output: null } };
  }

  protected async write(): Promise<void> {
    const deltas: object[] = this.ordered().flatMap(([index, call]) =>
      call.result
        ? []
        : this.deltasOf(index, call).map((toolCall) => ({
            id: this.stepId,
            toolCalls: [toolCall],
          })),
    );
    deltas.push(...this.pendingOutputs);
    this.pendingOutputs = [];
    if (deltas.length === 0 && !this.dirty) {
      return;
    }
    this.dirty = false;
    const details: StepDetails = { type: 'tool_calls', toolCalls: this.toolCalls() };
    const step = { id: this.stepId, details, deltas };
    if (!(await writeToolCallStep(this.deps.db, this.run, step, this.deps.runEvents))) {
      throw new LostRunError('The run is no longer ours');
    }
  }

  /**
   * Records what a server-side call produced and writes it with its delta: code_interpreter
   * outputs stream as `outputs` deltas; file_search results appear in the completed step.
   */
  async recordResult(index: number, result: BuiltinToolCall): Promise<void> {
    const call = this.calls.get(index);
    if (!call) {
      return;
    }
    await this.settle();
    call.result = result;
    this.dirty = true;
    if (result.type === 'code_interpreter' && result.codeInterpreter.outputs.length > 0) {
      this.pendingOutputs.push({
        id: this.stepId,
        toolCalls: [
          {
            index,
            type: 'code_interpreter',
            codeInterpreter: {
              outputs: result.codeInterpreter.outputs.map(
                (output: CodeInterpreterOutput, outputIndex) => ({
                  index: outputIndex,
                  ...output,
                }),
              ),
            },
          },
        ],
      });
    }
    await this.flush();
  }

  /** Ends a step whose calls all ran on the server: the run goes on with another model call. */
  async complete(stepUsage: Usage | null): Promise<void> {
    await this.settle();
    const details: StepDetails = { type: 'tool_calls', toolCalls: this.toolCalls() };
    const step = { id: this.stepId, details, usage: stepUsage };
    if (!(await completeToolCallStep(this.deps.db, this.run, step, this.deps.runEvents))) {
      throw new LostRunError('The run is no longer ours');
    }
  }

  /**
   * Pauses the run for the caller's outputs: the step stays in_progress (as on OpenAI) with its
   * calls, and the run moves to requires_action. Only function calls are asked for; server-side
   * calls of the same step have already run. Returns false if the run was no longer ours.
   */
  async requireOutputs(runUsage: Usage | null, stepUsage: Usage | null): Promise<boolean> {
    await this.settle();
    const toolCalls = this.toolCalls();
    const requiredAction: RequiredAction = {
      type: 'submit_tool_outputs',
      submitToolOutputs: {
        toolCalls: toolCalls.filter(isFunctionCall).map(({ id, function: fn }) => ({
          id,
          type: 'function',
          function: { name: fn.name, arguments: fn.arguments },
        })),
      },
    };
    const step = {
      id: this.stepId,
      details: { type: 'tool_calls', toolCalls } as const,
      usage: stepUsage,
    };
    return requireToolOutputs(
      this.deps.db,
      this.run,
      step,
      { requiredAction, runUsage },
      this.deps.runEvents,
    );
  }
}
