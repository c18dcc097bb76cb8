import { useCallback, useEffect, useRef, useState } from 'react';
import { useApiKey, useRequest } from '../api/api-context.js';
import { subscribe } from '../api/subscriptions.js';
import { RunEventsDocument, ThreadDocument, ThreadEventsDocument } from '../generated/graphql.js';
import { dropRunSnapshot, readRunSnapshot, writeRunSnapshot } from './run-snapshots.js';
import {
  applyRunEvent,
  type Message,
  type Run,
  type RunEvent,
  restoreSnapshot,
  snapshotOf,
  type Transcript,
  transcriptFromLoad,
  withRunFields,
} from './transcript-state.js';

const SNAPSHOT_EVERY_MS = 200;

export interface ThreadTranscript {
  transcript: Transcript | null;
  error: string | null;
  /** Follows a run this tab started (runEvents from after its last applied event). */
  follow(run: Run): void;
  addMessage(message: Message): void;
  setRun(run: Run): void;
}

/**
 * A thread's transcript, live. It loads the thread, then listens: to `runEvents` of the run it
 * follows (an active run found on load, resumed after the snapshot's last event, or one this tab
 * started), else to `threadEvents`, so runs started elsewhere show up as they stream.
 */
export function useThreadTranscript(threadId: string): ThreadTranscript {
  const apiKey = useApiKey();
  const request = useRequest();
  const [transcript, setTranscriptState] = useState<Transcript | null>(null);
  const [following, setFollowing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = useRef<Transcript | null>(null);
  const setTranscript = useCallback((change: (previous: Transcript) => Transcript) => {
    setTranscriptState((previous) => {
      if (!previous) {
        return previous;
      }
      const next = change(previous);
      current.current = next;
      return next;
    });
  }, []);

  useEffect(() => {
    let live = true;
    request(ThreadDocument, { id: threadId })
      .then(({ thread }) => {
        if (!live) {
          return;
        }
        // A missing thread comes with a NOT_FOUND error, which `request` throws; null is that.
        if (!thread) {
          setError(`No thread found with id '${threadId}'.`);
          return;
        }
        const active = thread.activeRun;
        let loaded = transcriptFromLoad(
          thread.messages.nodes,
          thread.runs.nodes,
          active?.id ?? null,
        );
        if (active) {
          loaded = withRunFields(loaded, active);
          const snapshot = readRunSnapshot(active.id);
          if (snapshot) {
            loaded = restoreSnapshot(loaded, snapshot);
          }
        }
        current.current = loaded;
        setTranscriptState(loaded);
        setFollowing(active?.id ?? null);
      })
      .catch((caught: unknown) => {
        if (live) {
          setError(caught instanceof Error ? caught.message : String(caught));
        }
      });
    return () => {
      live = false;
    };
  }, [request, threadId]);

  const loaded = transcript !== null;
  useEffect(() => {
    if (!loaded) {
      return undefined;
    }
    const apply = (event: RunEvent) => setTranscript((previous) => applyRunEvent(previous, event));
    const onError = (caught: Error) => setError(caught.message);
    if (following) {
      const afterSeq = current.current?.lastSeq[following] ?? 0;
      return subscribe(
        apiKey,
        RunEventsDocument,
        { threadId, runId: following, afterSeq },
        {
          next: (data) => apply(data.runEvents),
          error: onError,
          complete: () => {
            dropRunSnapshot(following);
            setFollowing(null);
          },
        },
      );
    }
    return subscribe(
      apiKey,
      ThreadEventsDocument,
      { threadId },
      { next: (data) => apply(data.threadEvents), error: onError, complete: () => {} },
    );
  }, [apiKey, threadId, following, loaded, setTranscript]);

  // Snapshots of the followed run, at most every SNAPSHOT_EVERY_MS and when the page goes away.
  useEffect(() => {
    if (!following) {
      return undefined;
    }
    const save = () => {
      const snapshot = current.current && snapshotOf(current.current, following);
      if (snapshot) {
        writeRunSnapshot(snapshot);
      }
    };
    const timer = setInterval(save, SNAPSHOT_EVERY_MS);
    window.addEventListener('pagehide', save);
    return () => {
      clearInterval(timer);
      window.removeEventListener('pagehide', save);
    };
  }, [following]);

  return {
    transcript,
    error,
    follow: useCallback(
      (run: Run) => {
        setTranscript((previous) => withRunFields(previous, run));
        setFollowing(run.id);
      },
      [setTranscript],
    ),
    addMessage: useCallback(
      (message: Message) =>
        setTranscript((previous) => ({
          ...previous,
          messages: [...previous.messages.filter((m) => m.id !== message.id), message],
        })),
      [setTranscript],
    ),
    setRun: useCallback(
      (run: Run) => setTranscript((previous) => withRunFields(previous, run)),
      [setTranscript],
    ),
  };
}
