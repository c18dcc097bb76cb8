import { toFile } from 'openai';
import type { TestApp } from './app.js';

/**
 * A `vision` file of `png`'s bytes and a thread whose one user message shows it (low detail)
 * with `text` after it, plus an assistant to run on the thread.
 */
export async function threadWithImage(t: TestApp, png: Buffer, text: string) {
  const image = await t.openai.files.create({
    file: await toFile(png, 'image.png', { type: 'image/png' }),
    purpose: 'vision',
  });
  const assistant = await t.openai.beta.assistants.create({ model: 'gpt-4o' });
  const thread = await t.openai.beta.threads.create({
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image_file', image_file: { file_id: image.id, detail: 'low' } },
          { type: 'text', text },
        ],
      },
    ],
  });
  return { image, assistant, thread };
}
