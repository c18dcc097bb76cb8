import { z } from 'zod';

type Scalar = string | number | boolean;

export interface ComparisonFilter {
  type: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin';
  key: string;
  value: Scalar | (string | number)[];
}

export interface CompoundFilter {
  type: 'and' | 'or';
  filters: AttributeFilter[];
}

/** OpenAI's `filters` on vector-store search: a comparison, or and/or over filters (nested). */
export type AttributeFilter = ComparisonFilter | CompoundFilter;

const MAX_DEPTH = 8;

const comparisonFilterSchema = z
  .object({
    type: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin']),
    key: z.string().min(1).max(64),
    value: z.union(
      [z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))],
      { error: 'Expected a string, a number, a boolean, or an array of strings and numbers.' },
    ),
  })
  .strict()
  .superRefine((filter, context) => {
    const isList = Array.isArray(filter.value);
    const wantsList = filter.type === 'in' || filter.type === 'nin';
    if (isList !== wantsList) {
      context.addIssue({
        code: 'custom',
        path: ['value'],
        message: wantsList
          ? `'${filter.type}' compares against an array of values.`
          : `'${filter.type}' compares against a single string, number or boolean.`,
      });
    }
  });

const compoundFilterSchema = z
  .object({
    type: z.enum(['and', 'or']),
    get filters() {
      return z.array(attributeFilterSchema).min(1).max(64);
    },
  })
  .strict();

function depth(filter: AttributeFilter): number {
  return 'filters' in filter ? 1 + Math.max(0, ...filter.filters.map(depth)) : 1;
}

/**
 * `filters` of a search request (a `ComparisonFilter` or a nested `CompoundFilter`), with the
 * shape rules OpenAI documents: `in`/`nin` take an array, the others one value; unknown keys
 * and types are refused. Use with `parseInput` for OpenAI-worded 400s.
 */
export const attributeFilterSchema: z.ZodType<AttributeFilter> = z
  .discriminatedUnion('type', [comparisonFilterSchema, compoundFilterSchema])
  .refine((filter) => depth(filter) <= MAX_DEPTH, {
    message: `Filters may nest at most ${MAX_DEPTH} levels deep.`,
  }) as z.ZodType<AttributeFilter>;

function compare(actual: Scalar | undefined, filter: ComparisonFilter): boolean {
  const { value } = filter;
  switch (filter.type) {
    case 'eq':
      return actual === value;
    case 'ne':
      return actual !== value;
    case 'in':
      return Array.isArray(value) && value.some((item) => item === actual);
    case 'nin':
      return Array.isArray(value) && !value.some((item) => item === actual);
    default: {
      // Ordering compares numbers with numbers and strings with strings (ISO dates sort right);
      // a missing attribute or a mismatched type never matches.
      if (
        actual === undefined ||
        Array.isArray(value) ||
        typeof actual !== typeof value ||
        typeof actual === 'boolean'
      ) {
        return false;
      }
      const order = actual < value ? -1 : actual > value ? 1 : 0;
      return filter.type === 'gt'
        ? order > 0
        : filter.type === 'gte'
          ? order >= 0
          : filter.type === 'lt'
            ? order < 0
            : order <= 0;
    }
  }
}

/**
 * Whether a file's attributes pass the filter. Equality is strict (`"1"` is not `1`); a missing
 * attribute equals nothing, so `ne` and `nin` match it and every other comparison does not.
 */
export function matchesFilter(
  attributes: Record<string, Scalar> | null,
  filter: AttributeFilter,
): boolean {
  if ('filters' in filter) {
    return filter.type === 'and'
      ? filter.filters.every((inner) => matchesFilter(attributes, inner))
      : filter.filters.some((inner) => matchesFilter(attributes, inner));
  }
  const actual =
    attributes && Object.hasOwn(attributes, filter.key) ? attributes[filter.key] : undefined;
  return compare(actual, filter);
}
