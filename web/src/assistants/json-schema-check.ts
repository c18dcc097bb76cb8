// A function's `parameters` as the user types them: JSON, and a JSON Schema object of the kind
// function calling takes. The first problem found is returned, in words; null means fine.

const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkSchema(schema: unknown, path: string): string | null {
  if (!isObject(schema)) {
    return `${path} must be a JSON object (a schema).`;
  }
  const type = schema.type;
  const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
  for (const one of types) {
    if (typeof one !== 'string' || !TYPES.has(one)) {
      return `${path}.type must be one of ${[...TYPES].join(', ')}; got ${JSON.stringify(one)}.`;
    }
  }
  if (schema.properties !== undefined) {
    if (!isObject(schema.properties)) {
      return `${path}.properties must be an object of schemas.`;
    }
    for (const [name, property] of Object.entries(schema.properties)) {
      const problem = checkSchema(property, `${path}.properties.${name}`);
      if (problem) {
        return problem;
      }
    }
  }
  if (schema.required !== undefined) {
    if (!Array.isArray(schema.required) || schema.required.some((n) => typeof n !== 'string')) {
      return `${path}.required must be an array of property names.`;
    }
    const known = isObject(schema.properties) ? schema.properties : {};
    const missing = schema.required.find((name) => !(String(name) in known));
    if (missing !== undefined) {
      return `${path}.required names "${missing}", which is not in ${path}.properties.`;
    }
  }
  if (schema.items !== undefined) {
    return checkSchema(schema.items, `${path}.items`);
  }
  if (schema.enum !== undefined && !Array.isArray(schema.enum)) {
    return `${path}.enum must be an array.`;
  }
  return null;
}

/** Checks a function's parameters text: empty (no parameters) or a JSON Schema object. */
export function checkParameters(text: string): string | null {
  if (text.trim() === '') {
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (isObject(parsed) && parsed.type !== undefined && parsed.type !== 'object') {
    return 'parameters.type must be "object": a function takes named arguments.';
  }
  return checkSchema(parsed, 'parameters');
}

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function checkFunctionName(name: string): string | null {
  return NAME.test(name) ? null : 'A name is 1–64 letters, digits, _ or -.';
}
