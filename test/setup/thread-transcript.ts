import type { TestApp } from './app.js';
import { expectSpec } from './openapi.js';

/** The thread's messages, oldest first, the list envelope spec-valid, as `role: text`. */
export async function threadTranscript(t: TestApp, threadId: string): Promise<string[]> {
  // The SDK's raw `get`: the list envelope exactly as served.
  const raw = await t.openai.get(`/threads/${threadId}/messages`, {
    query: { order: 'asc' },
    headers: { 'OpenAI-Beta': 'assistants=v2' },
  });
  expectSpec('ListMessagesResponse', raw);
  const page = await t.openai.beta.threads.messages.list(threadId, { order: 'asc' });
  return page.data.map((message) => {
    const [part] = message.content;
    return `${message.role}: ${part?.type === 'text' ? part.text.value : part?.type}`;
  });
}
