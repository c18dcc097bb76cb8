import type { RunSnapshot } from './transcript-state.js';

// What a followed run looked like after its last event, kept per tab so a reload shows the
// same text at once and resumes the stream after that event (runEvents' afterSeq).

const PREFIX = 'assistants-console.run.';

export function readRunSnapshot(runId: string): RunSnapshot | null {
  const stored = sessionStorage.getItem(PREFIX + runId);
  if (!stored) {
    return null;
  }
  try {
    const snapshot = JSON.parse(stored) as RunSnapshot;
    return snapshot.run?.run?.id === runId && typeof snapshot.seq === 'number' ? snapshot : null;
  } catch {
    return null;
  }
}

export function writeRunSnapshot(snapshot: RunSnapshot): void {
  try {
    sessionStorage.setItem(PREFIX + snapshot.run.run.id, JSON.stringify(snapshot));
  } catch {
    // A full sessionStorage costs the resume its head start (it replays from 0), nothing else.
  }
}

export function dropRunSnapshot(runId: string): void {
  sessionStorage.removeItem(PREFIX + runId);
}
