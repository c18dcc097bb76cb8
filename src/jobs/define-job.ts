import type { z } from 'zod';

/**
 * A pg-boss job's identity: a kebab-case name and an ids-only payload schema, validated on send
 * and on receive. Services import these to enqueue; handlers are wired in `registry.ts`.
 */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  schema: S;
}

export function defineJob<S extends z.ZodType>(name: string, schema: S): JobDefinition<S> {
  return { name, schema };
}
