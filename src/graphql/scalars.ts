import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { builder } from './builder.js';
import { assertJsonDepth } from './json-depth.js';

function literalValue(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.NULL:
      return null;
    case Kind.INT:
      return Number.parseInt(node.value, 10);
    case Kind.FLOAT:
      return Number.parseFloat(node.value);
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return node.value;
    case Kind.LIST:
      return node.values.map(literalValue);
    case Kind.OBJECT:
      return Object.fromEntries(
        node.fields.map((field) => [field.name.value, literalValue(field.value)]),
      );
    case Kind.VARIABLE:
      throw new GraphQLError(
        'Variables inside JSON literals are not supported; pass the whole value as a variable.',
      );
  }
}

builder.scalarType('JSON', {
  description: 'Any JSON value (metadata maps, JSON Schemas).',
  serialize: (value) => value,
  parseValue: (value) => {
    assertJsonDepth(value);
    return value;
  },
  // A literal's depth is bounded by the document's bracket limit (256), not by this one.
  parseLiteral: (node) => {
    const value = literalValue(node);
    assertJsonDepth(value);
    return value;
  },
});

builder.scalarType('UnixTime', {
  description: 'A point in time as integer Unix seconds, as OpenAI’s API reports it.',
  serialize: (value) => {
    if (!(value instanceof Date)) {
      throw new GraphQLError('UnixTime can only serialize dates');
    }
    return Math.floor(value.getTime() / 1000);
  },
  parseValue: (value) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new GraphQLError('UnixTime must be an integer number of seconds');
    }
    return new Date(value * 1000);
  },
});
