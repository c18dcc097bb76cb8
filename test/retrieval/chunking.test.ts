import { describe, expect, it } from 'vitest';
import { chunkText } from '../../src/ingestion/chunk-text.js';
import { AUTO_CHUNKING, effectiveChunking } from '../../src/ingestion/chunking-strategy.js';
import { countTokens } from '../../src/ingestion/tokenizer.js';

/** Varied text: prose, code, numbers, non-Latin scripts and emoji, so token edges vary. */
function sampleText(paragraphs: number): string {
  const parts: string[] = [];
  for (let index = 0; index < paragraphs; index += 1) {
    parts.push(
      `Section ${index}. The server answers LISTEN/NOTIFY wake-ups within ${index * 7} ms; ` +
        `see readme.md §${index}. Grüße aus Köln, 日本語のテキスト ${index}, emoji 🎉🚀.\n` +
        `function f${index}(x) {\n  return x * ${index} + Math.sqrt(${index});\n}\n`,
    );
  }
  return parts.join('\n');
}

describe('chunking', () => {
  it('auto is 800-token windows overlapping by 400, measured with the tokenizer', () => {
    const text = sampleText(400);
    const chunks = chunkText(text, AUTO_CHUNKING);
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) {
      const tokens = countTokens(chunk.text);
      expect(tokens).toBeLessThanOrEqual(800);
      expect(chunk.tokens).toBe(tokens);
      expect(chunk.text).toBe(text.slice(chunk.start, chunk.end));
    }
    // Every window but the last is nearly full: it stops only when the next piece won't fit.
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.tokens).toBeGreaterThan(780);
    }
    for (const [index, chunk] of chunks.slice(1).entries()) {
      const previous = chunks[index];
      if (!previous) {
        throw new Error('unreachable');
      }
      // Consecutive windows share a tail of at most 400 tokens, and close to it.
      expect(chunk.start).toBeLessThan(previous.end);
      expect(chunk.start).toBeGreaterThan(previous.start);
      const shared = countTokens(text.slice(chunk.start, previous.end));
      expect(shared).toBeLessThanOrEqual(400);
      expect(shared).toBeGreaterThan(370);
    }
    // Together the windows cover the whole text.
    expect(chunks[0]?.start).toBe(0);
    expect(chunks.at(-1)?.end).toBe(text.length);
  });

  it('static strategies set window and overlap within OpenAI’s bounds', () => {
    const text = sampleText(200);
    for (const strategy of [
      { maxChunkSizeTokens: 100, chunkOverlapTokens: 0 },
      { maxChunkSizeTokens: 100, chunkOverlapTokens: 50 },
      { maxChunkSizeTokens: 4096, chunkOverlapTokens: 2048 },
      { maxChunkSizeTokens: 300, chunkOverlapTokens: 17 },
    ]) {
      const chunks = chunkText(text, strategy);
      for (const chunk of chunks) {
        expect(countTokens(chunk.text)).toBeLessThanOrEqual(strategy.maxChunkSizeTokens);
      }
      for (const [index, chunk] of chunks.slice(1).entries()) {
        const previous = chunks[index];
        if (!previous) {
          throw new Error('unreachable');
        }
        const shared = previous.end > chunk.start ? text.slice(chunk.start, previous.end) : '';
        expect(countTokens(shared)).toBeLessThanOrEqual(strategy.chunkOverlapTokens);
        if (strategy.chunkOverlapTokens === 0) {
          expect(chunk.start).toBe(previous.end);
        }
      }
    }
  });

  it('a short text is one chunk, identical to the text', () => {
    const chunks = chunkText('Just a short note.', AUTO_CHUNKING);
    expect(chunks).toEqual([{ text: 'Just a short note.', tokens: 5, start: 0, end: 18 }]);
  });

  it('cuts a run without spaces (base64, minified code) at character boundaries', () => {
    const run = 'QUJD'.repeat(5000) + '🎉'.repeat(500);
    const chunks = chunkText(run, { maxChunkSizeTokens: 100, chunkOverlapTokens: 0 });
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(run);
    for (const chunk of chunks) {
      expect(countTokens(chunk.text)).toBeLessThanOrEqual(100);
      // No emoji cut in half: a lone surrogate would not survive a UTF-8 round trip.
      expect(Buffer.from(chunk.text, 'utf8').toString('utf8')).toBe(chunk.text);
    }
  });

  it('treats special-token strings in a document as plain text', () => {
    const chunks = chunkText('before <|endoftext|> after', AUTO_CHUNKING);
    expect(chunks.map((chunk) => chunk.text)).toEqual(['before <|endoftext|> after']);
  });

  it('drops windows of whitespace only', () => {
    const text = `start${' '.repeat(3000)}\n${'\n'.repeat(3000)}end`;
    const chunks = chunkText(text, { maxChunkSizeTokens: 100, chunkOverlapTokens: 0 });
    expect(chunks.every((chunk) => chunk.text.trim() !== '')).toBe(true);
    expect(chunks.map((chunk) => chunk.text.trim())).toEqual(['start', 'end']);
  });

  it('reads stored strategies, treating missing or out-of-bounds ones as auto', () => {
    const stored = { type: 'static', static: { maxChunkSizeTokens: 200, chunkOverlapTokens: 100 } };
    expect(effectiveChunking(stored)).toEqual({ maxChunkSizeTokens: 200, chunkOverlapTokens: 100 });
    for (const bad of [
      null,
      { type: 'auto' },
      { type: 'static', static: { maxChunkSizeTokens: 99, chunkOverlapTokens: 0 } },
      { type: 'static', static: { maxChunkSizeTokens: 200, chunkOverlapTokens: 101 } },
      { type: 'static', static: { maxChunkSizeTokens: 200.5, chunkOverlapTokens: 1 } },
    ]) {
      expect(effectiveChunking(bad)).toEqual(AUTO_CHUNKING);
    }
  });
});
