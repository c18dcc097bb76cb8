import { StringDecoder } from 'node:string_decoder';

/**
 * Keeps a bounded view of a process's output: all of it up to `maxChars`, else its beginning
 * and its end (where tracebacks are) around a marker. Memory stays O(maxChars) however much is
 * written.
 */
export class LogCapture {
  private readonly decoder = new StringDecoder('utf8');
  private readonly headChars: number;
  private readonly tailChars: number;
  private full: string | null = '';
  private head = '';
  private tail = '';
  private chars = 0;
  /** Bytes received, kept or not. */
  bytes = 0;

  constructor(private readonly maxChars: number) {
    this.headChars = Math.ceil(maxChars * 0.6);
    this.tailChars = maxChars - this.headChars;
  }

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.append(this.decoder.write(chunk));
  }

  get truncated(): boolean {
    return this.full === null;
  }

  /** The kept text; call once, after the last `push`. */
  text(): string {
    this.append(this.decoder.end());
    if (this.full !== null) {
      return this.full;
    }
    const omitted = this.chars - this.head.length - this.tail.length;
    return `${this.head}\n\n[… ${omitted} characters of output omitted …]\n\n${this.tail}`;
  }

  private append(text: string): void {
    if (text.length === 0) {
      return;
    }
    this.chars += text.length;
    if (this.full !== null) {
      if (this.full.length + text.length <= this.maxChars) {
        this.full += text;
        return;
      }
      const all = this.full + text;
      this.head = wholeCharacters(all.slice(0, this.headChars));
      this.tail = all.slice(-this.tailChars);
      this.full = null;
      return;
    }
    this.tail = (this.tail + text).slice(-this.tailChars);
  }
}

/** Drops a high surrogate left dangling by a cut. */
function wholeCharacters(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, -1) : text;
}
