import type { ChatRequestBody } from './fake-upstream.js';

/** The texts of the user messages a chat request sent upstream, in order. */
export function sentUserTexts(body: Pick<ChatRequestBody, 'messages'> | undefined): string[] {
  return (body?.messages ?? [])
    .filter((message) => message.role === 'user')
    .map((message) =>
      Array.isArray(message.content)
        ? message.content.map((part: { text?: string }) => part.text ?? '').join('')
        : String(message.content),
    );
}
