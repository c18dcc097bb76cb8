import { z } from 'zod';
import { InvalidRequestError } from '../../errors.js';

/** OpenAI's metadata rule: at most 16 string pairs, keys ≤ 64 chars, values ≤ 512 chars. */
export const metadataSchema = z.unknown().pipe(
  z
    .record(z.string().max(64), z.string().max(512))
    .refine((value) => Object.keys(value).length <= 16, {
      message: 'Object has too many properties. Expected an object with at most 16 properties.',
    }),
);

/**
 * A JSON object (a JSON Schema, say). Typed `unknown` on input because GraphQL's JSON scalar
 * delivers it untyped; validated here.
 */
export const jsonObjectSchema = z.unknown().pipe(z.record(z.string(), z.unknown()));

export type Metadata = z.infer<typeof metadataSchema>;

/** `metadata` as stored: string pairs, without the request limits they were written under. */
export const storedMetadataSchema: z.ZodType<Metadata> = z.record(z.string(), z.string());

/** The longest id accepted; every id the server makes is far shorter. */
export const MAX_ID_LENGTH = 128;

/** Either the id of something or absent. Shared by every id-list field. */
export const idSchema = z.string().min(1).max(MAX_ID_LENGTH);

/**
 * Whether `id` is too long to name anything, so a lookup answers "not found" without asking the
 * database. A hostile 1 MB id otherwise went into a Prisma query plan, the statement's
 * parameters and Prisma's debug history (the arguments of its last 100 debug calls, kept
 * whether or not DEBUG is set), which held them after the request.
 */
export function namesNothing(id: string): boolean {
  return id.length > MAX_ID_LENGTH;
}

/**
 * Reports `path` (below the value being refined) as a missing required parameter, which
 * `parseInput` words as OpenAI does (`Missing required parameter: '<param>'.`). Returns
 * `z.NEVER`, for a transform to return.
 */
export function missingParameter(ctx: z.RefinementCtx, path: string): typeof z.NEVER {
  ctx.addIssue({
    code: 'custom',
    path: [path],
    message: 'Missing required parameter',
    params: { openaiCode: 'missing_required_parameter' },
  });
  return z.NEVER;
}

function openaiCode(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'string'
        ? 'string_above_max_length'
        : issue.origin === 'array'
          ? 'array_above_max_length'
          : issue.origin === 'number'
            ? 'decimal_above_max_value'
            : 'object_above_max_properties';
    case 'too_small':
      return issue.origin === 'string'
        ? 'string_below_min_length'
        : issue.origin === 'array'
          ? 'empty_array'
          : 'decimal_below_min_value';
    case 'invalid_type':
      return 'invalid_type';
    case 'invalid_value':
    case 'invalid_union':
      return 'invalid_value';
    case 'custom':
      // A refinement may name OpenAI's code itself (a part missing its `text`, say).
      if (typeof issue.params?.openaiCode === 'string') {
        return issue.params.openaiCode;
      }
      return issue.path.at(0) === 'metadata' ? 'object_above_max_properties' : 'invalid_value';
    default:
      return 'invalid_value';
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_big' && issue.origin === 'string') {
    return `string too long. Expected a string with maximum length ${issue.maximum}.`;
  }
  if (issue.code === 'too_big' && issue.origin === 'array') {
    return `array too long. Expected an array with maximum length ${issue.maximum}.`;
  }
  return issue.message.endsWith('.') ? issue.message : `${issue.message}.`;
}

/**
 * Parses service input; the first problem becomes an `InvalidRequestError` in OpenAI's wording,
 * `Invalid '<param>': …`, with `param` as the dotted camelCase path (REST renders it snake_case).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, base = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) {
    return result.data;
  }
  const first = result.error.issues[0];
  if (!first) {
    throw new InvalidRequestError('Invalid request.');
  }
  // A bad record key (a metadata key over 64 characters) is wrapped; report the inner reason.
  const issue =
    first.code === 'invalid_key' && first.issues[0]
      ? { ...first.issues[0], path: first.path }
      : first;
  const path = [base, ...issue.path.map(String)].filter((part) => part !== '').join('.');
  const param = path === '' ? null : path;
  const code = openaiCode(issue);
  const subject = param === null ? 'request' : `'${param}'`;
  const message =
    code === 'missing_required_parameter' && param !== null
      ? `Missing required parameter: '${param}'.`
      : `Invalid ${subject}: ${describeIssue(issue)}`;
  throw new InvalidRequestError(message, { param, openaiCode: code });
}
