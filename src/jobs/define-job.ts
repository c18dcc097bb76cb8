import type { z } from 'zod';
import type { Deps } from '../deps.js';

/** A pg-boss job: a kebab-case name, an ids-only payload schema, and an idempotent handler. */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  schema: S;
  handle(deps: Deps, payload: z.output<S>): Promise<void>;
}

export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}
