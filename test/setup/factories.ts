// Factories for the setup many test files repeat: objects made through the official SDK with the
// defaults the tests share, and runs answered by the scripted upstream.
import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { TestApp } from './app.js';
import type { FakeUpstream, ScriptedReply } from './fake-upstream.js';

/** The get_weather function tool (one string parameter, `city`) that run tests give assistants. */
export const weatherTool: OpenAI.Beta.AssistantTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

export interface AssistantAndThreadOptions {
  /** The assistant's instructions: 'You are terse.' unless given. */
  instructions?: string;
  /** The assistant's tools: none unless given. */
  tools?: OpenAI.Beta.AssistantTool[];
  /** The thread's user messages, one each: 'Say hello' unless given. */
  messages?: string[];
}

/** A gpt-4o assistant and a thread of user messages, by default a terse one and 'Say hello'. */
export async function assistantAndThread(t: TestApp, options: AssistantAndThreadOptions = {}) {
  const assistant = await t.openai.beta.assistants.create({
    model: 'gpt-4o',
    instructions: options.instructions ?? 'You are terse.',
    tools: options.tools ?? [],
  });
  const thread = await t.openai.beta.threads.create({
    messages: (options.messages ?? ['Say hello']).map((content) => ({
      role: 'user' as const,
      content,
    })),
  });
  return { assistant, thread };
}

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

/** A file of `content` named `name`, uploaded with purpose assistants. */
export async function uploadFile(t: TestApp, name: string, content: string | Buffer) {
  return t.openai.files.create({
    file: await toFile(Buffer.from(content), name),
    purpose: 'assistants',
  });
}
