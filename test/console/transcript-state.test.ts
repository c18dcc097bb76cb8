// How the console applies run events: replays that overlap what was seen change nothing, and a
// snapshot plus the events after it gives the same transcript as the whole stream.
import { describe, expect, it } from 'vitest';
import {
  applyRunEvent,
  emptyTranscript,
  type Message,
  type Run,
  type RunEvent,
  restoreSnapshot,
  runStatusInWords,
  snapshotOf,
  type Transcript,
  withRunFields,
} from '../../web/src/threads/transcript-state.js';

const run: Run = {
  id: 'run_1',
  threadId: 'thread_1',
  assistantId: 'asst_1',
  status: 'in_progress',
  model: 'gpt-4o',
  createdAt: 1,
  startedAt: 1,
  completedAt: null,
  cancelledAt: null,
  failedAt: null,
  eventSeq: 1,
  lastError: null,
  incompleteDetails: null,
  usage: null,
  requiredAction: null,
};

const message: Message = {
  id: 'msg_1',
  role: 'assistant',
  runId: 'run_1',
  status: 'in_progress',
  createdAt: 1,
  incompleteDetails: null,
  attachments: null,
  content: [],
};

function event(seq: number, fields: Partial<RunEvent>): RunEvent {
  return {
    event: 'x',
    seq,
    runId: 'run_1',
    run: null,
    message: null,
    step: null,
    messageDelta: null,
    stepDelta: null,
    ...fields,
  };
}

const delta = (seq: number, value: string) =>
  event(seq, {
    event: 'thread.message.delta',
    messageDelta: {
      id: 'msg_1',
      content: [{ index: 0, type: 'text', imageFile: null, text: { value, annotations: null } }],
    },
  });

const stream: RunEvent[] = [
  event(1, { event: 'thread.run.in_progress', run }),
  event(2, { event: 'thread.message.created', message }),
  delta(3, 'Hel'),
  delta(4, 'lo'),
  delta(5, ' world'),
  event(6, { event: 'thread.run.completed', run: { ...run, status: 'completed', eventSeq: 6 } }),
];

const textOf = (transcript: Transcript) => transcript.messages[0]?.content[0]?.text?.value;

describe('applying run events', () => {
  it('appends deltas in order and ignores any event at or below the last seq seen', () => {
    const once = stream.reduce(applyRunEvent, emptyTranscript);
    expect(textOf(once)).toBe('Hello world');
    expect(once.runs.run_1?.run.status).toBe('completed');
    // The whole stream again (a replay from 0), or a part of it: nothing changes.
    expect(stream.reduce(applyRunEvent, once)).toBe(once);
    expect([stream[3], stream[4]].reduce((t, e) => applyRunEvent(t, e as RunEvent), once)).toBe(
      once,
    );
  });

  it('resumes from a snapshot to the same transcript as the unbroken stream', () => {
    const partial = stream.slice(0, 4).reduce(applyRunEvent, emptyTranscript);
    const snapshot = snapshotOf(partial, 'run_1');
    expect(snapshot?.seq).toBe(4);
    const reloaded = restoreSnapshot(emptyTranscript, JSON.parse(JSON.stringify(snapshot)));
    // A resumed stream may start with events already in the snapshot.
    const resumed = stream.slice(2).reduce(applyRunEvent, reloaded);
    expect(textOf(resumed)).toBe('Hello world');
    expect(resumed).toEqual(stream.reduce(applyRunEvent, emptyTranscript));
  });

  it('keeps a run newer than a mutation’s older answer', () => {
    const done = stream.reduce(applyRunEvent, emptyTranscript);
    expect(withRunFields(done, { ...run, status: 'cancelling', eventSeq: 5 })).toBe(done);
    expect(
      withRunFields(done, { ...run, status: 'queued', eventSeq: 7 }).runs.run_1?.run.status,
    ).toBe('queued');
  });

  it('says how a run ended, with the reason', () => {
    expect(
      runStatusInWords({
        ...run,
        status: 'failed',
        lastError: { code: 'server_error', message: 'Upstream down' },
      }),
    ).toBe('Run failed: Upstream down (server_error)');
    expect(
      runStatusInWords({
        ...run,
        status: 'incomplete',
        incompleteDetails: { reason: 'max_completion_tokens' },
      }),
    ).toBe('Run incomplete: max_completion_tokens');
    expect(runStatusInWords({ ...run, status: 'cancelled' })).toBe('Run cancelled');
  });
});
