import type { StaticChunking } from './chunking-strategy.js';
import { splitPieces } from './tokenizer.js';

export interface TextChunk {
  text: string;
  /** Tokens in `text` (o200k_base). */
  tokens: number;
  /** Where the chunk is in the extracted text, in UTF-16 code units, end exclusive. */
  start: number;
  end: number;
}

/**
 * Cuts a text into windows of at most `maxChunkSizeTokens` tokens, each starting about
 * `chunkOverlapTokens` tokens before the previous one ended (never more), always at a
 * pre-token boundary so no word or character is split. Whitespace-only windows are dropped.
 */
export function chunkText(text: string, strategy: StaticChunking): TextChunk[] {
  const max = strategy.maxChunkSizeTokens;
  const overlap = strategy.chunkOverlapTokens;
  const pieces = splitPieces(text, max);
  const chunks: TextChunk[] = [];
  let first = 0;
  while (first < pieces.length) {
    let end = first;
    let tokens = 0;
    // Every piece fits on its own (splitPieces guarantees it), so a window holds at least one.
    for (let piece = pieces[end]; piece && tokens + piece.tokens <= max; piece = pieces[end]) {
      tokens += piece.tokens;
      end += 1;
    }
    const startPiece = pieces[first];
    const endPiece = pieces[end - 1];
    if (!startPiece || !endPiece) {
      break;
    }
    const chunk = text.slice(startPiece.start, endPiece.end);
    if (chunk.trim() !== '') {
      chunks.push({ text: chunk, tokens, start: startPiece.start, end: endPiece.end });
    }
    if (end >= pieces.length) {
      break;
    }
    // Step back over whole pieces while the shared tail stays within the overlap; always move
    // forward by at least one piece.
    let next = end;
    let shared = 0;
    for (let piece = pieces[next - 1]; piece && next - 1 > first; piece = pieces[next - 1]) {
      if (shared + piece.tokens > overlap) {
        break;
      }
      shared += piece.tokens;
      next -= 1;
    }
    first = next;
  }
  return chunks;
}
