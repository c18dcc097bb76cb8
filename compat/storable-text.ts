import { findUnstorableText, unstorableTextMessage } from '../src/storable-text.js';
import { RestError } from './errors.js';

/** OpenAI's param form: `metadata.key`, `messages[0].content`. */
function openAIParam(path: (string | number)[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? key : `.${key}`))
    .join('');
}

/** A 400 naming the field when a path parameter, query value or body string can't be stored. */
export function assertStorableText(input: Record<string, unknown>): void {
  const path = findUnstorableText(input);
  if (path !== null) {
    const param = openAIParam(path);
    throw new RestError(400, unstorableTextMessage(param), { param, code: 'invalid_value' });
  }
}
