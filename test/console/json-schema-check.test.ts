import { describe, expect, it } from 'vitest';
import { checkFunctionName, checkParameters } from '../../web/src/assistants/json-schema-check.js';

describe('function parameters as typed', () => {
  it('accepts no parameters and JSON-schema objects', () => {
    expect(checkParameters('')).toBeNull();
    expect(
      checkParameters(
        '{"type":"object","properties":{"a":{"type":["string","null"]},"b":{"type":"array","items":{"type":"integer"}}},"required":["a"]}',
      ),
    ).toBeNull();
  });

  it('names the first problem', () => {
    expect(checkParameters('{')).toMatch(/^Not valid JSON/);
    expect(checkParameters('"text"')).toBe('parameters must be a JSON object (a schema).');
    expect(checkParameters('{"type":"string"}')).toBe(
      'parameters.type must be "object": a function takes named arguments.',
    );
    expect(
      checkParameters(
        '{"type":"object","properties":{"a":{"type":"array","items":{"type":"list"}}}}',
      ),
    ).toMatch(/^parameters\.properties\.a\.items\.type must be one of/);
    expect(checkParameters('{"type":"object","properties":[]}')).toBe(
      'parameters.properties must be an object of schemas.',
    );
    expect(checkParameters('{"type":"object","required":"a"}')).toBe(
      'parameters.required must be an array of property names.',
    );
    expect(checkFunctionName('get weather')).toBe('A name is 1–64 letters, digits, _ or -.');
    expect(checkFunctionName('get_weather')).toBeNull();
  });
});
