import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';

/**
 * The framing between the server and the runner inside the sandbox (runner/*.py), both ways:
 * a JSON header line carrying at least `kind` and `size`, then `size` raw bytes.
 */
export interface FrameHeader {
  kind: string;
  size: number;
  [key: string]: unknown;
}

/** Where a frame's body goes; `end` is called once all `size` bytes were written. */
export interface FrameSink {
  write(chunk: Buffer): Promise<void> | void;
  end(): Promise<void> | void;
}

export class FrameError extends Error {
  override name = 'FrameError';
}

const MAX_HEADER_BYTES = 64 * 1024;

function parseHeader(line: Buffer): FrameHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.toString('utf8'));
  } catch {
    throw new FrameError('frame header is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FrameError('frame header is not an object');
  }
  const header = parsed as Record<string, unknown>;
  const { kind, size } = header;
  if (typeof kind !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size)) {
    throw new FrameError('frame header lacks kind or size');
  }
  if (size < 0) {
    throw new FrameError('frame size is negative');
  }
  return { ...header, kind, size };
}

/**
 * Reads frames until the stream ends, handing each body to the sink `onFrame` returns (which
 * may throw to reject the frame). Throws `FrameError` on a malformed stream or one that ends
 * inside a frame. Memory stays bounded: bodies are streamed, only a header is ever buffered.
 */
export async function readFrames(
  stream: AsyncIterable<Buffer>,
  onFrame: (header: FrameHeader) => Promise<FrameSink> | FrameSink,
): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  let body: { sink: FrameSink; remaining: number } | null = null;
  for await (const chunk of stream) {
    let data: Buffer = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    pending = Buffer.alloc(0);
    while (data.length > 0) {
      if (body) {
        const take = Math.min(body.remaining, data.length);
        await body.sink.write(data.subarray(0, take));
        body.remaining -= take;
        data = data.subarray(take);
        if (body.remaining === 0) {
          await body.sink.end();
          body = null;
        }
        continue;
      }
      const newline = data.indexOf(10);
      if (newline < 0) {
        if (data.length > MAX_HEADER_BYTES) {
          throw new FrameError('frame header too long');
        }
        pending = data;
        break;
      }
      const header = parseHeader(data.subarray(0, newline));
      data = data.subarray(newline + 1);
      const sink = await onFrame(header);
      if (header.size === 0) {
        await sink.end();
      } else {
        body = { sink, remaining: header.size };
      }
    }
  }
  if (body || pending.length > 0) {
    throw new FrameError('stream ended inside a frame');
  }
}

/** Writes one chunk and waits until the stream took it (or failed: a dead sandbox). */
export function writeChunk(stream: Writable, chunk: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

export function frameHeader(header: FrameHeader): string {
  return `${JSON.stringify(header)}\n`;
}

/** A frame whose body is a host file of known size (a file that changed size is an error). */
export async function writeFileFrame(
  stream: Writable,
  header: FrameHeader,
  filePath: string,
): Promise<void> {
  await writeChunk(stream, frameHeader(header));
  let written = 0;
  for await (const chunk of createReadStream(filePath, { highWaterMark: 256 * 1024 })) {
    const bytes = chunk as Buffer;
    written += bytes.length;
    if (written > header.size) {
      throw new FrameError(`${filePath} grew while it was sent`);
    }
    await writeChunk(stream, bytes);
  }
  if (written !== header.size) {
    throw new FrameError(`${filePath} shrank while it was sent`);
  }
}
