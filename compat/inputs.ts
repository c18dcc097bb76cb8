import { camelize } from './case.js';
import { listOf, RestError } from './errors.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** OpenAI's bare `"auto"` response format is `{ type: auto }` in GraphQL. */
function responseFormat(value: unknown): unknown {
  return typeof value === 'string' ? { type: value } : value;
}

/** An assistant create/update body as GraphQL input. */
export function assistantInput(body: Json): Json {
  const input = camelize(body) as Json;
  if ('responseFormat' in input) {
    input.responseFormat = responseFormat(input.responseFormat);
  }
  return input;
}

/** A message body as GraphQL input: string content becomes one text part. */
export function messageInput(body: unknown): unknown {
  if (!isObject(body)) {
    return body;
  }
  const input = camelize(body) as Json;
  if (typeof input.content === 'string') {
    input.content = [{ type: 'text', text: input.content }];
  }
  return input;
}

/** A thread body as GraphQL input; its initial messages are message inputs. */
export function threadInput(body: Json): Json {
  const { messages, ...rest } = body;
  const input = camelize(rest) as Json;
  if (messages !== undefined) {
    input.messages = Array.isArray(messages) ? messages.map(messageInput) : messages;
  }
  return input;
}

/** The strings OpenAI's `tool_choice` may be; the other choices are objects. */
const TOOL_CHOICE_STRINGS = ['none', 'auto', 'required'];

/**
 * OpenAI's bare-string `tool_choice` (`"auto"`) is `{ type: auto }` in GraphQL. Another string
 * is refused here, naming `tool_choice` as the caller sent it, not the `tool_choice.type` it
 * would become.
 */
function toolChoice(value: unknown): unknown {
  if (typeof value !== 'string') {
    return value;
  }
  if (!TOOL_CHOICE_STRINGS.includes(value)) {
    throw new RestError(
      400,
      `Invalid value: '${value}'. Supported values are: ${listOf(TOOL_CHOICE_STRINGS)}.`,
      { param: 'tool_choice', code: 'invalid_value' },
    );
  }
  return { type: value };
}

/** Fields shared by "create run" and "create thread and run". */
function runInput(body: Json, skip: string[]): Json {
  const rest = Object.fromEntries(Object.entries(body).filter(([key]) => !skip.includes(key)));
  const input = camelize(rest) as Json;
  if ('responseFormat' in input) {
    input.responseFormat = responseFormat(input.responseFormat);
  }
  if ('toolChoice' in input) {
    input.toolChoice = toolChoice(input.toolChoice);
  }
  return input;
}

/** A create-run body (plus `include[]` from the query) as GraphQL input. */
export function createRunInput(body: Json, include: unknown): Json {
  const input = runInput(body, ['additional_messages', 'stream']);
  if (body.additional_messages !== undefined) {
    input.additionalMessages = Array.isArray(body.additional_messages)
      ? body.additional_messages.map(messageInput)
      : body.additional_messages;
  }
  if (include !== undefined) {
    input.include = include;
  }
  return input;
}

/** A create-thread-and-run body as GraphQL input. */
export function createThreadAndRunInput(body: Json): Json {
  const input = runInput(body, ['thread', 'stream']);
  if (body.thread !== undefined) {
    input.thread = isObject(body.thread) ? threadInput(body.thread) : body.thread;
  }
  return input;
}
