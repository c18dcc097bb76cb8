import { InvalidRequestError } from '../errors.js';
import { findUnstorableText, unstorableTextMessage } from '../storable-text.js';

/** Throws a 400 naming the argument path when any string in `args` cannot be stored. */
export function assertStorableArgs(args: unknown): void {
  const path = findUnstorableText(args);
  if (path) {
    // `input.` is the envelope every mutation uses; the param is the field inside it.
    const param = (path[0] === 'input' ? path.slice(1) : path).join('.');
    throw new InvalidRequestError(unstorableTextMessage(param), {
      param,
      openaiCode: 'invalid_value',
    });
  }
}
