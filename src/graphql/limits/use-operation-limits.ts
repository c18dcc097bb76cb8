import type { ExecutionArgs, ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LimitCode, limitError } from './limit-errors.js';
import { checkDocument, checkExecution, type GraphQLLimits } from './operation-limits.js';
import { scanDocument } from './scan-document.js';

/**
 * Enforces `limits` on every operation yoga runs, over HTTP, SSE and graphql-ws (which parses,
 * validates and executes through yoga's envelope), before anything executes:
 *
 * - a batch (a JSON array of operations) larger than `maxBatch` is refused whole (413);
 * - tokens and bracket nesting are checked before parsing, so the parser's recursion is bounded;
 * - depth, aliases, directives and cost are checked before graphql-js' own validation rules,
 *   which then do not run on a refused document;
 * - a cost that depends on variables is checked with their values just before execution.
 *
 * Yoga caches parse and validation results per document, refusals included, so a document seen
 * before is not measured again.
 */
export function useOperationLimits(limits: GraphQLLimits): Plugin {
  return {
    onRequestParse() {
      return {
        // Yoga's own batch limit (which answers BAD_REQUEST) runs after this one.
        onRequestParseDone({ requestParserResult }) {
          if (Array.isArray(requestParserResult) && requestParserResult.length > limits.maxBatch) {
            throw limitError(
              LimitCode.batch,
              `A batch may hold at most ${limits.maxBatch} operations; this one has ${requestParserResult.length}.`,
              limits.maxBatch,
              { status: 413 },
            );
          }
        },
      };
    },
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        scanDocument(source, limits.maxTokens, limits.maxDepth);
        return parseFn(source, options);
      });
    },
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn((schema, document, ...rest) => {
        const refused = checkDocument(schema, document, limits);
        return refused.length > 0 ? refused : validateFn(schema, document, ...rest);
      });
    },
    onExecute: refuseOverCost(limits),
    onSubscribe: refuseOverCost(limits),
  };
}

/** Before executing (or subscribing), the cost with the variables sent, when they size lists. */
function refuseOverCost(limits: GraphQLLimits) {
  return ({
    args,
    setResultAndStopExecution,
  }: {
    args: ExecutionArgs;
    setResultAndStopExecution(result: ExecutionResult): void;
  }) => {
    const { schema, document, operationName, variableValues } = args;
    const refused = checkExecution(schema, document, operationName, variableValues, limits);
    if (refused.length > 0) {
      setResultAndStopExecution({ errors: refused });
    }
  };
}
