// Validates JSON response bodies against OpenAI's Assistants v2 OpenAPI spec (components.schemas).
//
// The spec is OpenAPI 3.1 (JSON Schema 2020-12) but still carries 3.0-isms that Ajv does not
// understand, so it is rewritten once, lazily, before compiling:
//   - `nullable: true` (a 3.0 keyword, ignored by 2020-12) becomes `anyOf: [schema, {type: 'null'}]`.
//     Wrapping instead of widening `type` keeps `enum`, `$ref`, `anyOf` siblings intact.
//   - `allOf: [{$ref: X}, {nullable: true}]` would demand null AND X (i.e. reject null) if the
//     marker were rewritten on its own; the marker is dropped and the whole allOf made nullable.
//   - `$recursiveRef: '#'` (draft 2019, unknown to 2020-12) only occurs inside CompoundFilter, whose
//     root is the only `$recursiveAnchor`; it therefore always lands on CompoundFilter itself and
//     is replaced by a plain `$ref` to the enclosing component.
//   - schemas with `properties` but no `type` get `type: 'object'` (see below; a tightening).
//   - the List*Response envelopes type first_id/last_id as non-null strings, yet OpenAI (and its
//     SDK's cursor pagination) sends `null` for an empty page; those two fields (and only those)
//     accept null. Whether the page really is empty is not checked.
// Spec location: $OPENAI_SPEC_PATH, else the copy in test/spec/ (origin in its README).
// Nothing else is relaxed: `required`, `additionalProperties`, enums and types stay as published.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { load } from 'js-yaml';

const SPEC_ID = 'https://spec.local/openai-assistants-v2.json';
const COMPONENT_REF = '#/components/schemas/';
// Keys whose values are data, not subschemas: never rewrite inside them.
const DATA_KEYS = new Set(['enum', 'const', 'default', 'example', 'examples', 'x-oaiMeta']);
// Keys that may sit next to `nullable: true` in an allOf member without adding a constraint.
const ANNOTATION_KEYS = new Set(['nullable', 'description', 'title']);

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNullMarker(value: unknown): boolean {
  return (
    isObject(value) &&
    value.nullable === true &&
    Object.keys(value).every((key) => ANNOTATION_KEYS.has(key))
  );
}

// Returns a rewritten deep copy. `owner` is the component being walked (for $recursiveRef);
// `formats` collects every `format` value so unknown ones can be registered as no-ops.
function rewrite(node: unknown, owner: string, formats: Set<string>): unknown {
  if (Array.isArray(node)) {
    return node.map((item) => rewrite(item, owner, formats));
  }
  if (!isObject(node)) {
    return node;
  }
  let nullable = node.nullable === true;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable' && typeof value === 'boolean') {
      continue;
    }
    if (key === '$recursiveAnchor' && value === true) {
      continue;
    }
    if (key === '$recursiveRef' && value === '#') {
      out.$ref = `${COMPONENT_REF}${owner}`;
    } else if (key === 'allOf' && Array.isArray(value) && value.some(isNullMarker)) {
      nullable = true;
      out.allOf = value
        .filter((item) => !isNullMarker(item))
        .map((i) => rewrite(i, owner, formats));
    } else if ((key === 'properties' || key === '$defs') && isObject(value)) {
      // Maps of name -> subschema: a property called `default` or `enum` is still a schema.
      const entries = Object.entries(value).map(([k, v]) => [k, rewrite(v, owner, formats)]);
      out[key] = Object.fromEntries(entries);
    } else if (DATA_KEYS.has(key)) {
      out[key] = value;
    } else {
      if (key === 'format' && typeof value === 'string') {
        formats.add(value);
      }
      out[key] = rewrite(value, owner, formats);
    }
  }
  // ListMessagesResponse, ListRunStepsResponse, ListVectorStoresResponse,
  // ListVectorStoreFilesResponse and OpenAIFile declare properties/required but no `type`, so as
  // written they accept any non-object (null, [], 'x'). OpenAI always sends objects: tighten.
  if (isObject(out.properties) && out.type === undefined) {
    out.type = 'object';
  }
  return nullable ? { anyOf: [out, { type: 'null' }] } : out;
}

// A list envelope is `{ object, data: [...], first_id, last_id, has_more }`.
function allowNullCursors(schema: unknown): void {
  if (!isObject(schema) || !isObject(schema.properties) || !isObject(schema.properties.data)) {
    return;
  }
  const properties = schema.properties;
  for (const key of ['first_id', 'last_id']) {
    const property = properties[key];
    if (isObject(property) && property.type === 'string') {
      properties[key] = { ...property, nullable: true };
    }
  }
}

function specPath(): string {
  return (
    process.env.OPENAI_SPEC_PATH ??
    fileURLToPath(new URL('../spec/assistants-v2.openapi.yaml', import.meta.url))
  );
}

/** The Admin API's spec (projects, keys, usage, costs, limits): a copy in test/spec/. */
const ADMIN_SPEC_PATH = fileURLToPath(new URL('../spec/admin.openapi.yaml', import.meta.url));

const compiled = new Map<string, { ajv: Ajv2020; names: ReadonlySet<string> }>();

function compiler(path: string): { ajv: Ajv2020; names: ReadonlySet<string> } {
  const cached = compiled.get(path);
  if (cached) {
    return cached;
  }
  const doc: unknown = load(readFileSync(path, 'utf8'));
  const schemas = isObject(doc) && isObject(doc.components) ? doc.components.schemas : undefined;
  if (!isObject(schemas)) {
    throw new Error(`${path}: no components.schemas`);
  }
  const formats = new Set<string>();
  const rewritten: JsonObject = {};
  for (const [name, schema] of Object.entries(schemas)) {
    allowNullCursors(schema);
    rewritten[name] = rewrite(schema, name, formats);
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // CJS default export seen from NodeNext ESM: the module object, whose `.default` is the plugin.
  ajvFormats.default(ajv);
  for (const format of formats) {
    if (!(format in ajv.formats)) {
      ajv.addFormat(format, true); // e.g. `unixtime`: an annotation, `type: integer` still applies
    }
  }
  // One resource holding every component, so the spec's `#/components/schemas/X` refs resolve
  // unchanged against SPEC_ID.
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: rewritten } });
  const made = { ajv, names: new Set(Object.keys(rewritten)) };
  compiled.set(path, made);
  return made;
}

function format(error: ErrorObject): string {
  const at = error.instancePath === '' ? '(root)' : error.instancePath;
  return `${at} ${error.message ?? error.keyword} ${JSON.stringify(error.params)} (${error.schemaPath})`;
}

/** Validation errors of `value` against `components.schemas[schemaName]`; empty when valid. */
export function specErrors(schemaName: string, value: unknown, path = specPath()): string[] {
  const { ajv, names } = compiler(path);
  if (!names.has(schemaName)) {
    throw new Error(`Unknown OpenAPI schema: ${schemaName}`);
  }
  const validate = ajv.getSchema(`${SPEC_ID}${COMPONENT_REF}${schemaName}`);
  if (!validate) {
    throw new Error(`Could not compile OpenAPI schema: ${schemaName}`);
  }
  return validate(value) ? [] : (validate.errors ?? []).map(format);
}

/** Throws, listing every error, unless `value` matches `components.schemas[schemaName]`. */
export function expectSpec(schemaName: string, value: unknown, path = specPath()): void {
  const errors = specErrors(schemaName, value, path);
  if (errors.length > 0) {
    throw new Error(
      `Response does not match OpenAPI schema ${schemaName}:\n  ${errors.join('\n  ')}\n` +
        `Value: ${JSON.stringify(value, null, 2)}`,
    );
  }
}

/** `expectSpec` against the Admin API's spec. */
export function expectAdminSpec(schemaName: string, value: unknown): void {
  expectSpec(schemaName, value, ADMIN_SPEC_PATH);
}

/** The spec schema a stream event's payload must satisfy (CONTRACT.md §6.3). */
export function eventSchema(event: string): string {
  if (event === 'thread.created') {
    return 'ThreadObject';
  }
  if (event === 'thread.message.delta') {
    return 'MessageDeltaObject';
  }
  if (event === 'thread.run.step.delta') {
    return 'RunStepDeltaObject';
  }
  if (event.startsWith('thread.run.step.')) {
    return 'RunStepObject';
  }
  return event.startsWith('thread.message.') ? 'MessageObject' : 'RunObject';
}

/** The Responses, Conversations and Containers spec: a copy in test/spec/. */
const RESPONSES_SPEC_PATH = fileURLToPath(
  new URL('../spec/responses.openapi.yaml', import.meta.url),
);

/** `expectSpec` against the Responses API's spec. */
export function expectResponsesSpec(schemaName: string, value: unknown): void {
  expectSpec(schemaName, value, RESPONSES_SPEC_PATH);
}
