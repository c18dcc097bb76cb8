import type OpenAI from 'openai';
import type { TestApp } from '../setup/app.js';
import type { FakeUpstream, ScriptedReply } from '../setup/fake-upstream.js';

/** Scripts the upstream's replies, then runs the assistant on the thread to its end. */
export async function scriptedRun(
  t: TestApp,
  upstream: FakeUpstream,
  ids: { threadId: string; assistantId: string },
  ...replies: ScriptedReply[]
): Promise<OpenAI.Beta.Threads.Run> {
  upstream.script(...replies);
  return t.openai.beta.threads.runs.createAndPoll(
    ids.threadId,
    { assistant_id: ids.assistantId },
    { pollIntervalMs: 50 },
  );
}
