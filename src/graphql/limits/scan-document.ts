import { Lexer, Source, TokenKind } from 'graphql';
import { LimitCode, limitError } from './limit-errors.js';

/**
 * Brackets (`{`, `[`, `(`) a document may nest before it is parsed. graphql-js parses
 * recursively and overflows the stack between 1,000 and 2,000 levels, which yoga answered with a
 * 500; 256 levels leave a wide margin, and hold any operation within GRAPHQL_MAX_DEPTH (at most
 * 100) with room for inline fragments and nested input literals.
 */
export const MAX_NESTING = 256;

const OPENING: ReadonlySet<TokenKind> = new Set([
  TokenKind.BRACE_L,
  TokenKind.BRACKET_L,
  TokenKind.PAREN_L,
]);
const CLOSING: ReadonlySet<TokenKind> = new Set([
  TokenKind.BRACE_R,
  TokenKind.BRACKET_R,
  TokenKind.PAREN_R,
]);

/**
 * Reads the document's tokens, without parsing it, and throws a limit error as soon as it has
 * more than `maxTokens` tokens or nests brackets more than MAX_NESTING deep: both checks cost
 * one pass of the lexer, stop at the first token too many, and come before the parser's
 * recursion. Syntax errors the lexer finds are thrown as the parser would throw them.
 */
export function scanDocument(source: string | Source, maxTokens: number, maxDepth: number): void {
  const lexer = new Lexer(typeof source === 'string' ? new Source(source) : source);
  let tokens = 0;
  let nesting = 0;
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
    tokens += 1;
    if (tokens > maxTokens) {
      throw limitError(
        LimitCode.tokens,
        `The document has more than ${maxTokens} tokens, the limit.`,
        maxTokens,
      );
    }
    if (OPENING.has(token.kind)) {
      nesting += 1;
      if (nesting > MAX_NESTING) {
        throw limitError(
          LimitCode.depth,
          `The document nests more than ${MAX_NESTING} levels deep; operations may nest fields ${maxDepth} deep.`,
          maxDepth,
        );
      }
    } else if (CLOSING.has(token.kind)) {
      nesting -= 1;
    }
  }
}
