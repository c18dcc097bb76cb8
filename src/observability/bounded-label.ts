/**
 * A label whose values come from callers (model names are whatever a client asked for) kept to
 * at most `max` distinct values per process: the first ones seen keep their name, later ones
 * share `other`. A deployment serves a handful of models, so real names are kept, while a
 * client looping over random names cannot grow the series without bound.
 */
export function boundedLabel(max: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    // Long or odd values are user text, not model names.
    if (value.length > 64 || !/^[\w.:/@-]+$/.test(value)) {
      return 'other';
    }
    if (seen.has(value)) {
      return value;
    }
    if (seen.size >= max) {
      return 'other';
    }
    seen.add(value);
    return value;
  };
}

/** The `gen_ai_request_model` label: at most 50 model names per process. */
export const modelLabel = boundedLabel(50);
