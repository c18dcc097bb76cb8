import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
} from 'graphql';
import type { Env } from '../../env.js';
import { LimitCode, limitError } from './limit-errors.js';
import {
  DEFAULT_LIST_SIZE,
  type Measure,
  measureFragment,
  measureOperation,
  type Walk,
} from './measure.js';

/** Bounds on the GraphQL documents the server accepts (GRAPHQL_MAX_* in the environment). */
export interface GraphQLLimits {
  /** Fields nested in fields, fragments followed; also the longest chain of fragment spreads. */
  maxDepth: number;
  /** Aliased fields per operation, fragments counted once per spread. */
  maxAliases: number;
  /** Directives per operation, counted the same way. */
  maxDirectives: number;
  /** Lexical tokens per document (punctuation, names, values; comments excluded). */
  maxTokens: number;
  /** Cost per operation: see `Measure.cost`. */
  maxCost: number;
  /** Operations per batched request (a JSON array); 0 refuses batches. */
  maxBatch: number;
}

export function graphqlLimitsFrom(env: Env): GraphQLLimits {
  return {
    maxDepth: env.GRAPHQL_MAX_DEPTH,
    maxAliases: env.GRAPHQL_MAX_ALIASES,
    maxDirectives: env.GRAPHQL_MAX_DIRECTIVES,
    maxTokens: env.GRAPHQL_MAX_TOKENS,
    maxCost: env.GRAPHQL_MAX_COST,
    maxBatch: env.GRAPHQL_MAX_BATCH,
  };
}

const COST_RULE = `a field costs 1, and the selection of a field with a first, last or limit argument counts once per item it asks for, ${DEFAULT_LIST_SIZE} when absent`;

type Definition = OperationDefinitionNode | FragmentDefinitionNode;

/** "Operation 'Name'", "The anonymous operation" or "Fragment 'Name'", to start a message. */
function labelOf(definition: Definition): string {
  if (definition.kind === Kind.FRAGMENT_DEFINITION) {
    return `Fragment '${definition.name.value}'`;
  }
  const name = definition.name?.value;
  return name === undefined ? 'The anonymous operation' : `Operation '${name}'`;
}

function refusal(
  code: LimitCode,
  definition: Definition,
  message: string,
  limit: number,
): GraphQLError {
  return limitError(code, `${labelOf(definition)} ${message}`, limit, { node: definition });
}

function depthRefusals(definition: Definition, measure: Measure, limits: GraphQLLimits) {
  const errors: GraphQLError[] = [];
  const { maxDepth } = limits;
  if (measure.depth > maxDepth) {
    const message = `is ${measure.depth} fields deep; the limit is ${maxDepth}.`;
    errors.push(refusal(LimitCode.depth, definition, message, maxDepth));
  }
  if (measure.fragmentNesting > maxDepth) {
    const message = `spreads fragments ${measure.fragmentNesting} deep; the limit is ${maxDepth}.`;
    errors.push(refusal(LimitCode.depth, definition, message, maxDepth));
  }
  return errors;
}

function costRefusal(operation: OperationDefinitionNode, cost: number, limits: GraphQLLimits) {
  const message = `may cost ${cost}; the limit is ${limits.maxCost} (${COST_RULE}).`;
  return refusal(LimitCode.cost, operation, message, limits.maxCost);
}

function newWalk(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: ReadonlyMap<string, unknown> | null,
): Walk {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION && !fragments.has(definition.name.value)) {
      fragments.set(definition.name.value, definition);
    }
  }
  return { schema, fragments, variables, measured: new Map(), open: new Set() };
}

/**
 * The limits a document breaks, checked before graphql-js validates it (its rules are not all
 * linear, nor all iterative). Every operation is checked, and every fragment's depth, used or
 * not. A cost that depends on variables is checked later, with their values, by
 * `checkExecution`.
 */
export function checkDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  limits: GraphQLLimits,
): GraphQLError[] {
  const walk = newWalk(schema, document, null);
  const errors: GraphQLError[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) {
      continue;
    }
    const measure = measureOperation(walk, definition);
    errors.push(...depthRefusals(definition, measure, limits));
    if (measure.aliases > limits.maxAliases) {
      const message = `has ${measure.aliases} aliases; the limit is ${limits.maxAliases}.`;
      errors.push(refusal(LimitCode.aliases, definition, message, limits.maxAliases));
    }
    if (measure.directives > limits.maxDirectives) {
      const message = `has ${measure.directives} directives; the limit is ${limits.maxDirectives}.`;
      errors.push(refusal(LimitCode.directives, definition, message, limits.maxDirectives));
    }
    if (!measure.variableSized && measure.cost > limits.maxCost) {
      errors.push(costRefusal(definition, measure.cost, limits));
    }
  }
  for (const fragment of walk.fragments.values()) {
    if (!walk.measured.has(fragment.name.value)) {
      errors.push(...depthRefusals(fragment, measureFragment(walk, fragment), limits));
    }
  }
  return errors;
}

/** The operation's variables by name: as given, else their default when it is an Int. */
function variableValues(
  operation: OperationDefinitionNode,
  given: Readonly<Record<string, unknown>> | null | undefined,
): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (given && Object.hasOwn(given, name)) {
      values.set(name, given[name]);
    } else if (definition.defaultValue?.kind === Kind.INT) {
      values.set(name, Number(definition.defaultValue.value));
    }
  }
  return values;
}

/**
 * The cost limit for the operation about to run, with its variables' values: the part of
 * `checkDocument` that could not be checked without them. Empty when the operation cannot be
 * found (execution reports that itself).
 */
export function checkExecution(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  limits: GraphQLLimits,
): GraphQLError[] {
  const operation = getOperationAST(document, operationName);
  if (!operation?.variableDefinitions?.length) {
    return [];
  }
  const walk = newWalk(schema, document, variableValues(operation, variables));
  const { cost } = measureOperation(walk, operation);
  return cost > limits.maxCost ? [costRefusal(operation, cost, limits)] : [];
}
