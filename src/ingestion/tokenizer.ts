import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';

/**
 * o200k_base, the tokenizer of OpenAI's current models, bundled with js-tiktoken (offline).
 * Built on first use: loading the ranks takes most of a second.
 */
let encoder: Tiktoken | undefined;
let pretokenizer: RegExp | undefined;

function getEncoder(): Tiktoken {
  encoder ??= new Tiktoken(o200kBase);
  return encoder;
}

/** Tokens of a text, special-token strings (`<|endoftext|>`) counted as ordinary text. */
export function countTokens(text: string): number {
  return getEncoder().encode(text, [], []).length;
}

/** A pre-token of the text: where it is and how many tokens it encodes to. */
export interface Piece {
  start: number;
  end: number;
  tokens: number;
}

// Pieces repeat (words, indentation): their counts are memoised, which makes splitting ~2x faster
// than encoding the whole text. Bounded: cleared when full.
const MEMO_LIMIT = 200_000;
const memo = new Map<string, number>();

function pieceTokens(piece: string): number {
  let tokens = memo.get(piece);
  if (tokens === undefined) {
    tokens = getEncoder().encode(piece, [], []).length;
    if (memo.size >= MEMO_LIMIT) {
      memo.clear();
    }
    memo.set(piece, tokens);
  }
  return tokens;
}

/**
 * Longest piece encoded whole. js-tiktoken's byte-pair merge is quadratic in a piece's length,
 * and a piece is unbounded (a run of spaces, base64, minified code): 20 kB took a minute. Longer
 * pieces are cut into slices of this many UTF-16 units first; natural words are far shorter, so
 * counts only differ (by a token or so) for such runs.
 */
const SLICE_LENGTH = 100;

/**
 * Splits a text at the tokenizer's own pre-token boundaries (its regex), each piece with its
 * token count. Tokens never span pieces, so cutting between pieces never splits a token, a word
 * or a UTF-8 character, and a run of pieces encodes to the sum of their counts. Long pieces are
 * sliced (see `SLICE_LENGTH`) and a slice over `maxTokens` is halved until it fits, always at
 * character boundaries.
 */
export function splitPieces(text: string, maxTokens: number): Piece[] {
  pretokenizer ??= new RegExp(o200kBase.pat_str, 'gu');
  const pieces: Piece[] = [];
  for (const match of text.matchAll(pretokenizer)) {
    const end = match.index + match[0].length;
    for (let start = match.index; start < end; ) {
      const sliceEnd = characterBoundary(text, Math.min(end, start + SLICE_LENGTH));
      pushPiece(pieces, text, start, sliceEnd, maxTokens);
      start = sliceEnd;
    }
  }
  return pieces;
}

/** `index`, or one further when it falls between the halves of a surrogate pair. */
function characterBoundary(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code >= 0xdc00 && code <= 0xdfff ? index + 1 : index;
}

function pushPiece(pieces: Piece[], text: string, start: number, end: number, max: number): void {
  const tokens = pieceTokens(text.slice(start, end));
  const middle = characterBoundary(text, start + Math.floor((end - start) / 2));
  if (tokens <= max || middle >= end || middle <= start) {
    pieces.push({ start, end, tokens });
    return;
  }
  pushPiece(pieces, text, start, middle, max);
  pushPiece(pieces, text, middle, end, max);
}
