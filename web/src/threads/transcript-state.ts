import type {
  ConsoleMessageFieldsFragment as Message,
  ConsoleRunFieldsFragment as Run,
  ConsoleRunEventFieldsFragment as RunEvent,
  ConsoleStepFieldsFragment as Step,
} from '../generated/graphql.js';

// What the thread screen shows, and how each run event changes it. Pure functions over plain
// data, so the same code rebuilds a run from a replay, continues it live, and is unit-tested.

export type { Message, Run, RunEvent, Step };

export interface RunView {
  run: Run;
  /** In creation order. */
  steps: Step[];
}

export interface Transcript {
  /** Oldest first. */
  messages: Message[];
  runs: Record<string, RunView>;
  /** The last event applied, per run: anything at or below it is a duplicate. */
  lastSeq: Record<string, number>;
}

export const emptyTranscript: Transcript = { messages: [], runs: {}, lastSeq: {} };

type TextContent = NonNullable<Message['content'][number]['text']>;
type Annotation = TextContent['annotations'][number];
type ToolCall = NonNullable<Step['stepDetails']['toolCalls']>[number];
type MessageDelta = NonNullable<RunEvent['messageDelta']>;
type StepDelta = NonNullable<RunEvent['stepDelta']>;

function upsert<T extends { id: string }>(items: T[], item: T): T[] {
  const index = items.findIndex((existing) => existing.id === item.id);
  if (index === -1) {
    return [...items, item];
  }
  const copy = items.slice();
  copy[index] = item;
  return copy;
}

function placeholderMessage(id: string, runId: string): Message {
  return {
    id,
    role: 'assistant',
    runId,
    status: 'in_progress',
    createdAt: Math.floor(Date.now() / 1000),
    incompleteDetails: null,
    attachments: null,
    content: [],
  };
}

function emptyText(): Message['content'][number] {
  return {
    type: 'text',
    refusal: null,
    imageUrl: null,
    imageFile: null,
    text: { value: '', annotations: [] },
  };
}

function applyMessageDelta(message: Message, delta: MessageDelta): Message {
  const content = message.content.slice();
  for (const part of delta.content) {
    if (part.imageFile) {
      content[part.index] = {
        ...emptyText(),
        type: 'image_file',
        text: null,
        imageFile: { fileId: part.imageFile.fileId, file: null },
      };
      continue;
    }
    const current = content[part.index] ?? emptyText();
    const text = current.text ?? { value: '', annotations: [] };
    const annotations = text.annotations.slice();
    for (const annotation of part.text?.annotations ?? []) {
      const complete: Annotation = {
        type: annotation.type,
        text: annotation.text,
        startIndex: annotation.startIndex,
        endIndex: annotation.endIndex,
        fileCitation: annotation.fileCitation
          ? { fileId: annotation.fileCitation.fileId, quote: null, file: null }
          : null,
        filePath: annotation.filePath ? { fileId: annotation.filePath.fileId, file: null } : null,
      };
      annotations[annotation.index] = complete;
    }
    content[part.index] = {
      ...current,
      text: { value: text.value + (part.text?.value ?? ''), annotations },
    };
  }
  return { ...message, content };
}

function emptyCall(delta: StepDelta['toolCalls'][number]): ToolCall {
  return {
    id: delta.id ?? '',
    type: delta.type,
    function: delta.type === 'function' ? { name: '', arguments: '', output: null } : null,
    codeInterpreter: delta.type === 'code_interpreter' ? { input: '', outputs: [] } : null,
    fileSearch: delta.type === 'file_search' ? { results: [] } : null,
  };
}

function applyStepDelta(step: Step, delta: StepDelta): Step {
  const calls = (step.stepDetails.toolCalls ?? []).slice();
  for (const part of delta.toolCalls) {
    const call = calls[part.index] ?? emptyCall(part);
    const next: ToolCall = { ...call, id: part.id ?? call.id };
    if (part.function && call.function) {
      next.function = {
        name: part.function.name ?? call.function.name,
        arguments: call.function.arguments + (part.function.arguments ?? ''),
        output: part.function.output ?? call.function.output,
      };
    }
    if (part.codeInterpreter && call.codeInterpreter) {
      const outputs = call.codeInterpreter.outputs.slice();
      for (const output of part.codeInterpreter.outputs ?? []) {
        outputs[output.index] = {
          type: output.type,
          logs: output.logs ?? null,
          image: output.image ? { fileId: output.image.fileId } : null,
        };
      }
      next.codeInterpreter = {
        input: call.codeInterpreter.input + (part.codeInterpreter.input ?? ''),
        outputs,
      };
    }
    calls[part.index] = next;
  }
  return { ...step, stepDetails: { ...step.stepDetails, toolCalls: calls } };
}

function withRun(transcript: Transcript, runId: string, change: (view: RunView) => RunView) {
  const view = transcript.runs[runId];
  if (!view) {
    return transcript.runs;
  }
  return { ...transcript.runs, [runId]: change(view) };
}

/**
 * The transcript after one event of a run. An event at or below the run's last applied `seq`
 * is a duplicate (a replay overlapping what was seen) and changes nothing.
 */
export function applyRunEvent(transcript: Transcript, event: RunEvent): Transcript {
  const seen = transcript.lastSeq[event.runId] ?? 0;
  if (event.seq <= seen) {
    return transcript;
  }
  const lastSeq = { ...transcript.lastSeq, [event.runId]: event.seq };
  let { messages, runs } = transcript;
  if (event.run) {
    const run = event.run;
    runs = { ...runs, [run.id]: { run, steps: runs[run.id]?.steps ?? [] } };
  } else if (event.message) {
    messages = upsert(messages, event.message);
  } else if (event.messageDelta) {
    const delta = event.messageDelta;
    const message =
      messages.find((existing) => existing.id === delta.id) ??
      placeholderMessage(delta.id, event.runId);
    messages = upsert(messages, applyMessageDelta(message, delta));
  } else if (event.step) {
    const step = event.step;
    runs = withRun({ ...transcript, runs }, event.runId, (view) => ({
      ...view,
      steps: upsert(view.steps, step),
    }));
  } else if (event.stepDelta) {
    const delta = event.stepDelta;
    runs = withRun({ ...transcript, runs }, event.runId, (view) => ({
      ...view,
      steps: view.steps.map((step) => (step.id === delta.id ? applyStepDelta(step, delta) : step)),
    }));
  }
  return { messages, runs, lastSeq };
}

/**
 * The transcript as loaded, with `followedRunId`'s messages and steps left out: its events
 * rebuild them from the start (or from a snapshot), so the text it already wrote is not shown twice.
 */
export function transcriptFromLoad(
  messagesNewestFirst: Message[],
  runs: (Run & { steps: { nodes: Step[] } })[],
  followedRunId: string | null,
): Transcript {
  const messages = messagesNewestFirst
    .filter((message) => message.runId === null || message.runId !== followedRunId)
    .reverse();
  const views: Record<string, RunView> = {};
  // Oldest first, as runs seen later are added: the order ties in createdAt are broken by.
  for (const { steps, ...run } of runs.slice().reverse()) {
    views[run.id] = { run, steps: run.id === followedRunId ? [] : steps.nodes };
  }
  return { messages, runs: views, lastSeq: {} };
}

/** What one run contributed, for a snapshot that lets a reload continue after its last event. */
export interface RunSnapshot {
  seq: number;
  run: RunView;
  messages: Message[];
}

export function snapshotOf(transcript: Transcript, runId: string): RunSnapshot | null {
  const run = transcript.runs[runId];
  const seq = transcript.lastSeq[runId];
  if (!run || seq === undefined) {
    return null;
  }
  return { seq, run, messages: transcript.messages.filter((message) => message.runId === runId) };
}

/** Puts a snapshot back: the run's state and messages as they were after event `seq`. */
export function restoreSnapshot(transcript: Transcript, snapshot: RunSnapshot): Transcript {
  const runId = snapshot.run.run.id;
  let messages = transcript.messages.filter((message) => message.runId !== runId);
  for (const message of snapshot.messages) {
    messages = upsert(messages, message);
  }
  return {
    messages,
    runs: { ...transcript.runs, [runId]: snapshot.run },
    lastSeq: { ...transcript.lastSeq, [runId]: snapshot.seq },
  };
}

/**
 * Adds (or replaces) a run, as returned by a mutation, keeping the steps already known. A run
 * read before the last event applied (its `eventSeq` lower) is older than what is shown: ignored.
 */
export function withRunFields(transcript: Transcript, run: Run): Transcript {
  if (run.eventSeq < (transcript.lastSeq[run.id] ?? 0)) {
    return transcript;
  }
  return {
    ...transcript,
    runs: { ...transcript.runs, [run.id]: { run, steps: transcript.runs[run.id]?.steps ?? [] } },
  };
}

/** Runs newest first; runs created in the same second in the order they were seen. */
export function runsNewestFirst(transcript: Transcript): RunView[] {
  return Object.values(transcript.runs)
    .map((view, index) => ({ view, index }))
    .sort((a, b) => b.view.run.createdAt - a.view.run.createdAt || b.index - a.index)
    .map(({ view }) => view);
}

const ACTIVE = new Set(['queued', 'in_progress', 'requires_action', 'cancelling']);

export function isActive(run: Run): boolean {
  return ACTIVE.has(run.status);
}

/** A run's status in words, with the reason where it ended badly. */
export function runStatusInWords(run: Run): string {
  switch (run.status) {
    case 'queued':
      return 'Queued';
    case 'in_progress':
      return 'Running';
    case 'requires_action':
      return 'Waiting for function outputs';
    case 'cancelling':
      return 'Cancelling';
    case 'cancelled':
      return 'Run cancelled';
    case 'completed':
      return 'Run completed';
    case 'expired':
      return 'Run expired';
    case 'failed':
      return run.lastError
        ? `Run failed: ${run.lastError.message} (${run.lastError.code})`
        : 'Run failed';
    case 'incomplete':
      return `Run incomplete: ${run.incompleteDetails?.reason ?? 'no reason given'}`;
  }
}
