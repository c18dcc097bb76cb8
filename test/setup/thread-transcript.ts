import { expect } from 'vitest';
import type { TestApp } from './app.js';
import { expectSpec } from './openapi.js';

/** The thread's messages, oldest first, each spec-valid, as `role: text`. */
export async function threadTranscript(t: TestApp, threadId: string): Promise<string[]> {
  const raw = await t.rest(`/threads/${threadId}/messages?order=asc`, {
    headers: { 'OpenAI-Beta': 'assistants=v2' },
  });
  expect(raw.status).toBe(200);
  expectSpec('ListMessagesResponse', await raw.json());
  const page = await t.openai.beta.threads.messages.list(threadId, { order: 'asc' });
  return page.data.map((message) => {
    const [part] = message.content;
    return `${message.role}: ${part?.type === 'text' ? part.text.value : part?.type}`;
  });
}
